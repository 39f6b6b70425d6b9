"""A passage's quotable sentences, cut once by the indexer and stored, so answering loads no sentence splitter.

``split_passage`` drops headings, captions and list labels (``kb.labels``), cuts Thai along the Japanese original
(``kb.thai_sentences``) and other text with ``kb.sentences`` (llama-index's Punkt for English and Indonesian, whose
imports cost a first answer ~4 s of CPU). The indexer stores every passage's cut in the ``splits`` table of the
vector cache's file, keyed by the texts and a hash of the splitting code, so a change to that code is never served
stale; the read path cuts only what it does not find there (an index built before this table, a document added
since).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from kb.labels import label_lines
from kb.sentences import sentences
from kb.thai_sentences import thai_sentences

# The modules whose code decides a cut: a stored cut made by other code is not used.
SPLITTING = ("passage_splits.py", "sentences.py", "labels.py", "thai_sentences.py", "numbers.py")
Texts = tuple[str, str, str, str]  # a passage's text, its language, its original's text and language


@lru_cache(maxsize=4096)
def split_passage(text: str, lang: str, original: str, original_lang: str) -> tuple[str, ...]:
    """The sentences of a passage in ``lang`` that may be quoted: labels dropped, Thai cut along the original."""
    labels = label_lines(original, original_lang)
    lines, originals = text.split("\n"), original.split("\n")
    aligned = len(lines) == len(originals)
    found: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip() or (i in labels if aligned else False):
            continue
        if lang == "th" and original_lang == "ja" and aligned:
            found.extend(thai_sentences(line, originals[i]))
        else:
            found.extend(sentences(line, lang))
    return tuple(found)


@lru_cache(maxsize=1)
def _code() -> str:
    here = Path(__file__).parent
    return hashlib.sha1(b"".join((here / name).read_bytes() for name in SPLITTING)).hexdigest()


def _key(texts: Texts) -> str:
    return hashlib.sha1("\0".join((_code(), *texts)).encode()).hexdigest()


class PassageSplits:
    """``split(...)``: a passage's sentences from the table at ``path`` when stored there, else cut now."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: dict[str, tuple[str, ...]] = {}

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS splits (key TEXT PRIMARY KEY, sentences TEXT NOT NULL)")
        return db

    def fill(self, passages: Iterable[Texts]) -> list[tuple[str, ...]]:
        """Every passage's sentences, in order: read where stored, else cut now and stored (each cut once)."""
        items = [(_key(texts), texts) for texts in passages]
        with self._lock, self._connect() as db:
            stored = dict(db.execute("SELECT key, sentences FROM splits"))
            cut = {key: split_passage(*texts) for key, texts in dict(items).items() if key not in stored}
            db.executemany("INSERT OR REPLACE INTO splits VALUES (?, ?)",
                           [(key, json.dumps(sentences, ensure_ascii=False)) for key, sentences in cut.items()])
        return [cut[key] if key in cut else tuple(json.loads(stored[key])) for key, _ in items]

    def split(self, text: str, lang: str, original: str, original_lang: str) -> tuple[str, ...]:
        """The passage's quotable sentences, as ``split_passage`` cuts them."""
        texts = (text, lang, original, original_lang)
        key = _key(texts)
        if key not in self._memory:
            row = None
            if self.path.exists():
                with self._lock, self._connect() as db:
                    row = db.execute("SELECT sentences FROM splits WHERE key = ?", (key,)).fetchone()
            self._memory[key] = tuple(json.loads(row[0])) if row else split_passage(*texts)
        return self._memory[key]
