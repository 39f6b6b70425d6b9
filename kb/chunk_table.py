"""The chunk table of one index generation: a SQLite file of chunk, passage and keyword-frequency records, read on
demand so a reader holds none of them whole.

The indexer writes it with each generation it serves (``save_chunk_table``), next to the keyword index; a reader
looks up the records of its top hits, one case's passages, or the keyword frequencies, each one query. A
generation written without one (an index older than this file) gets it built from Chroma and saved by its first
reader, as the keyword index does. Deliberately no ranking and no Chroma access here apart from that rebuild.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from kb.codec import chunk_from, facts_from, facts_metadata
from kb.records import Chunk
from kb.settings import Settings

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE versions (n INTEGER PRIMARY KEY, doc TEXT NOT NULL, lang TEXT NOT NULL, title TEXT NOT NULL,
                       path TEXT NOT NULL, facts TEXT NOT NULL, UNIQUE (doc, lang, title, path, facts));
CREATE TABLE chunks (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, first INTEGER NOT NULL,
                     last INTEGER NOT NULL, text TEXT NOT NULL, tokens TEXT NOT NULL);
CREATE INDEX chunks_by_version ON chunks (version);
CREATE TABLE passages (n INTEGER PRIMARY KEY, key TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
                       UNIQUE (key, lang));
CREATE TABLE frequencies (lang TEXT NOT NULL, token TEXT NOT NULL, chunks INTEGER NOT NULL, PRIMARY KEY (lang, token));
"""
CHUNK = ("SELECT c.id, v.doc, v.lang, v.title, c.text, c.first, c.last, v.facts, v.path, p.text, c.tokens FROM chunks c "
         "JOIN versions v ON v.n = c.version LEFT JOIN passages p ON p.key = v.doc || '#p' || c.first || '-' || c.last "
         "AND p.lang = v.lang")


class ChunkTable:
    """One generation's chunk table, opened read-only; safe to share between threads.

    Iteration orders are those of the records as Chroma returned them when the table was written, so what a
    reader builds from them (a case's passages, the titles it keeps) is what it built from the whole table.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.collection_id = self._meta("collection")
        self.size: int = self._rows("SELECT count(*) FROM chunks")[0][0]

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _meta(self, name: str) -> str:
        rows = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
        return rows[0][0] if rows else ""

    def __len__(self) -> int:
        return self.size

    def ids(self) -> list[str]:
        """Every chunk id, in stored order."""
        return [cid for (cid,) in self._rows("SELECT id FROM chunks ORDER BY n")]

    def tokens(self) -> list[str]:
        """Every chunk's keyword tokens, in the order of ``ids``."""
        return [tokens for (tokens,) in self._rows("SELECT tokens FROM chunks ORDER BY n")]

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """The chunks stored as ``ids`` (those the table holds), by id."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on bound variables
            part = ids[start:start + 500]
            for row in self._rows(f"{CHUNK} WHERE c.id IN ({','.join('?' * len(part))})", part):
                found[row[0]] = _chunk(row)
        return found

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document in every language, in stored order."""
        return [_chunk(row) for row in self._rows(f"{CHUNK} WHERE v.doc = ? ORDER BY c.n", (doc_id,))]

    def doc_ids(self) -> list[str]:
        """Every document id, in the order its first chunk was stored."""
        return [doc for (doc,) in self._rows("SELECT v.doc FROM versions v JOIN chunks c ON c.version = v.n "
                                             "GROUP BY v.doc ORDER BY min(c.n)")]

    def has_doc(self, doc_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM versions WHERE doc = ? LIMIT 1", (doc_id,)))

    def versions(self) -> list[tuple[int, str, dict]]:
        """(version number, document id, facts metadata) of every document language version."""
        return [(n, doc, json.loads(facts)) for n, doc, facts in self._rows("SELECT n, doc, facts FROM versions")]

    def ids_of_versions(self, versions: Iterable[int]) -> list[str]:
        """The ids of every chunk of the given document language versions, in stored order."""
        wanted = set(versions)
        return [cid for cid, version in self._rows("SELECT id, version FROM chunks ORDER BY n") if version in wanted]

    def passage(self, key: str) -> dict[str, str]:
        """The passage ``key`` (``doc#pA-B``) in every language it was indexed in; empty when there is none."""
        return dict(self._rows("SELECT lang, text FROM passages WHERE key = ? ORDER BY n", (key,)))

    def has_passage(self, key: str) -> bool:
        return bool(self._rows("SELECT 1 FROM passages WHERE key = ? LIMIT 1", (key,)))

    def passage_keys(self) -> list[str]:
        return [key for (key,) in self._rows("SELECT key FROM passages GROUP BY key ORDER BY min(n)")]

    def passages(self) -> dict[str, dict[str, str]]:
        """Every passage in every language (one query; the whole text of the corpus: for a scan, not to keep)."""
        out: dict[str, dict[str, str]] = {}
        for key, lang, text in self._rows("SELECT key, lang, text FROM passages ORDER BY n"):
            out.setdefault(key, {})[lang] = text
        return out

    def idf(self) -> dict[str, dict[str, float]]:
        """Inverse document frequency per language and token over the chunks (``kb.evidence.IdfTable.idf``)."""
        totals = {lang: int(n) for lang, n in json.loads(self._meta("languages") or "{}").items()}
        idf: dict[str, dict[str, float]] = {lang: {} for lang in totals}
        for lang, token, n in self._rows("SELECT lang, token, chunks FROM frequencies"):
            idf[lang][token] = math.log(1 + totals[lang] / n)
        return idf

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _chunk(row: tuple) -> Chunk:
    cid, doc, lang, title, text, first, last, facts, path, passage_text, tokens = row
    return Chunk(cid, doc, lang, title, text, first, last, facts_from(json.loads(facts)), path,
                 text if passage_text is None else passage_text, tokens)


def write_chunk_table(path: Path, collection_id: str, chunks: Iterable[Chunk]) -> None:
    """Write the table of ``chunks`` (in Chroma's order) to ``path`` whole or not at all: a reader never opens half
    a table. ``collection_id`` is the Chroma collection's id, so a table is never read for another collection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp{os.getpid()}")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.executescript(SCHEMA)
        versions: dict[tuple[str, str, str, str, str], int] = {}
        frequencies: dict[str, Counter[str]] = {}
        totals: Counter[str] = Counter()
        for chunk in chunks:
            key = (chunk.doc_id, chunk.lang, chunk.title, chunk.path, json.dumps(facts_metadata(chunk.facts),
                                                                                  ensure_ascii=False))
            if key not in versions:
                versions[key] = len(versions) + 1
                db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)", (versions[key], *key))
            db.execute("INSERT INTO chunks (id, version, first, last, text, tokens) VALUES (?, ?, ?, ?, ?, ?)",
                       (chunk.chunk_id, versions[key], chunk.first, chunk.last, chunk.text, chunk.tokens))
            # The last chunk of a passage gives its text, as a table built in memory kept it.
            db.execute("INSERT INTO passages (key, lang, text) VALUES (?, ?, ?) "
                       "ON CONFLICT (key, lang) DO UPDATE SET text = excluded.text",
                       (chunk.passage, chunk.lang, chunk.passage_text))
            frequencies.setdefault(chunk.lang, Counter()).update(set(chunk.tokens.split()))
            totals[chunk.lang] += 1
        db.executemany("INSERT INTO frequencies VALUES (?, ?, ?)",
                       ((lang, token, n) for lang, counts in frequencies.items() for token, n in counts.items()))
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("collection", collection_id),
                                                          ("languages", json.dumps(dict(totals)))])
        db.commit()
    finally:
        db.close()
    os.replace(partial, path)


def chunk_table_path(settings: Settings, generation: str) -> Path:
    """Where a generation's chunk table lives under ``KYODO_HOME`` (a Chroma server's generations apart)."""
    where = hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:8] + "-" if settings.chroma_url else ""
    return settings.home / "chunks" / f"{where}{generation}.sqlite3"


def open_chunk_table(path: Path, collection_id: str) -> ChunkTable | None:
    """The table at ``path`` when it was written for the collection ``collection_id``, else ``None``."""
    if not path.is_file():
        return None
    try:
        table = ChunkTable(path)
    except sqlite3.DatabaseError:  # not a chunk table (a file of an older layout, a broken copy): rebuilt
        return None
    if table.collection_id != collection_id:
        table.close()
        return None
    return table


def drop_chunk_tables(settings: Settings, generations: Iterable[str]) -> None:
    """Remove the chunk tables of dropped generations."""
    for generation in generations:
        chunk_table_path(settings, generation).unlink(missing_ok=True)


def iter_chunks(pages: Iterable[dict[str, list]]) -> Iterator[Chunk]:
    """The chunks of Chroma ``get`` pages read with metadatas and documents."""
    for page in pages:
        yield from (chunk_from(cid, text, meta) for cid, meta, text in zip(page["ids"], page["metadatas"], page["documents"]))
