"""Document vectors stored by content, so an unchanged text is never embedded twice.

One SQLite file, one table per use: ``chunks`` (the index's passages, float32: exactly what the
model gave, so a rebuilt index retrieves as a fresh one) and ``sentences`` (answer evidence,
float16: cosine error below 1e-3). Rows are keyed by a hash of the model and the exact text
embedded, so the table is incremental and crash-safe by construction: a killed fill keeps every
batch it committed, a half-finished fill is still a valid table, and vectors of another model are
never mixed in. Every index build, and every test index seeded from the project's file, reuses
what any earlier one embedded. Queries are never stored: they go straight to the model.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from kb.embedder import Embedder

TABLES = {"chunks": np.float32, "sentences": np.float16}
BATCH = 64  # texts embedded, and committed, at a time
Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)


class VectorCache:
    """An ``Embedder`` whose document vectors come from ``table`` of the file at ``path`` when stored there."""

    def __init__(self, path: Path, embedder: Embedder, model: str, table: str = "chunks") -> None:
        if table not in TABLES:
            raise ValueError(f"table {table!r} is not one of {', '.join(TABLES)}")
        self.path = path
        self.embedder = embedder
        self.model = model
        self.table = table
        self.dtype = TABLES[table]
        self.embedded = 0  # texts this object has embedded (not found stored)
        self._lock = threading.Lock()
        self._memory: dict[str, np.ndarray] = {}

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.model}\0{text}".encode()).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def _select(self, column: str, keys: list[str]) -> list[tuple]:
        """Rows of ``key`` and ``column`` for the stored ones among ``keys``."""
        if not keys or not self.path.exists():
            return []
        rows = []
        with self._lock, self._connect() as db:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                rows += db.execute(f"SELECT key, {column} FROM {self.table} WHERE key IN ({','.join('?' * len(part))})",
                                   part).fetchall()
        return rows

    def _embed(self, todo: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        """The vectors of ``todo`` (key: text), ``BATCH`` at a time."""
        items = list(todo.items())
        for start in range(0, len(items), BATCH):
            part = items[start:start + BATCH]
            made = np.asarray(self.embedder.embed_documents([text for _, text in part]), dtype=np.float32)
            self.embedded += len(part)
            yield {key: vector for (key, _), vector in zip(part, made)}

    def fill(self, texts: Iterable[str], progress: Progress | None = None) -> int:
        """Embed and store every text not stored yet, committed per batch; return how many were embedded."""
        todo = {self._key(text): text for text in texts}
        for key, _ in self._select("1", list(todo)):
            del todo[key]
        done = 0
        for made in self._embed(todo):
            with self._lock, self._connect() as db:
                db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)",
                               [(k, v.astype(self.dtype).tobytes()) for k, v in made.items()])
            done += len(made)
            if progress:
                progress(done, len(todo))
        return len(todo)

    def vectors(self, texts: list[str], store: bool = True, progress: Progress | None = None) -> np.ndarray:
        """One L2-normalised row per text, in order, as stored. Texts not stored yet are embedded now: written
        to the file when ``store`` (``progress`` is told as in ``fill``), else kept for this process only."""
        if store:
            self.fill(texts, progress)
        keys = [self._key(text) for text in texts]
        found = {k: self._memory[k] for k in keys if k in self._memory}
        found.update((key, np.frombuffer(blob, dtype=self.dtype).astype(np.float32))
                     for key, blob in self._select("vector", [k for k in dict.fromkeys(keys) if k not in found]))
        for made in self._embed({k: text for k, text in zip(keys, texts) if k not in found}):
            self._memory.update(made)
            found.update(made)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.vectors(texts)

    def embed_similar(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_similar(texts)

    def count_tokens(self, text: str) -> list[int]:
        return self.embedder.count_tokens(text)
