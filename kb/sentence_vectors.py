"""Sentence embeddings for answer evidence, stored by content in one SQLite file.

The indexer embeds every sentence of every passage (``fill``); the read path looks up the
sentences of its top passages (``vectors``), so choosing answer sentences by meaning costs a
table lookup, not a model call. Rows are keyed by a hash of the model and the text, so the table
is incremental and crash-safe by construction: an unchanged sentence is never embedded twice, a
half-finished fill is still a valid table, and vectors of another model are never mixed in. A
sentence missing from the table (a deleted file, an index built elsewhere) is embedded on the
spot. Vectors are stored as float16 (cosine error below 1e-3).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kb.embedder import Embedder, document_text

BATCH = 64


class SentenceVectors:
    """``vectors(pairs)`` for (title, sentence) pairs; ``fill(pairs)`` embeds the ones not stored yet."""

    def __init__(self, path: Path, embedder: Embedder, model: str) -> None:
        self.path = path
        self.embedder = embedder
        self.model = model
        self._lock = threading.Lock()
        self._memory: dict[str, np.ndarray] = {}

    def _key(self, title: str, sentence: str) -> str:
        return hashlib.sha1(f"{self.model}\0{title}\0{sentence}".encode()).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def _stored(self, keys: list[str]) -> dict[str, np.ndarray]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        wanted = [k for k in keys if k not in found]
        if wanted and self.path.exists():
            with self._lock, self._connect() as db:
                for start in range(0, len(wanted), 500):
                    part = wanted[start:start + 500]
                    rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                      part).fetchall()
                    for key, blob in rows:
                        found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def _embed(self, missing: dict[str, tuple[str, str]]) -> dict[str, np.ndarray]:
        keys = list(missing)
        made: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), BATCH):
            part = keys[start:start + BATCH]
            vectors = self.embedder.embed_documents([document_text(*missing[k]) for k in part])
            made.update(zip(part, np.asarray(vectors, dtype=np.float32)))
        return made

    def fill(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Embed and store every (title, sentence) not stored yet; return how many were embedded."""
        wanted = {self._key(*pair): pair for pair in pairs}
        missing = {k: v for k, v in wanted.items() if k not in self._stored(list(wanted))}
        keys = list(missing)
        for start in range(0, len(keys), BATCH):
            part = {k: missing[k] for k in keys[start:start + BATCH]}
            made = self._embed(part)
            with self._lock, self._connect() as db:  # committed per part: a killed fill keeps what it did
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                               [(k, v.astype(np.float16).tobytes()) for k, v in made.items()])
        return len(missing)

    def vectors(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One row per pair, in order: stored vectors, others embedded now (and kept for this process)."""
        keys = [self._key(*pair) for pair in pairs]
        found = self._stored(keys)
        if missing := {k: pair for k, pair in zip(keys, pairs) if k not in found}:
            made = self._embed(missing)
            self._memory.update(made)
            found.update(made)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])
