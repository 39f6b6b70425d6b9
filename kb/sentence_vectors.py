"""Sentence embeddings for answer evidence: the ``sentences`` table of ``kb.vector_cache``.

The indexer embeds every sentence of every passage (``fill``); the read path looks up the
sentences of its top passages (``vectors``), so choosing answer sentences by meaning costs a
table lookup, not a model call. A sentence missing from the table (a deleted file, an index
built elsewhere) is embedded on the spot and kept for the process, not written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kb.embedder import Embedder, document_text
from kb.passage_splits import PassageSplits
from kb.vector_cache import Progress, VectorCache


class SentenceVectors:
    """``vectors(pairs)`` for (title, sentence) pairs; ``fill(pairs)`` embeds the ones not stored yet. ``splits``:
    the passages' sentences themselves, stored in the same file."""

    def __init__(self, path: Path, embedder: Embedder, model: str) -> None:
        self.cache = VectorCache(path, embedder, model, "sentences")
        self.splits = PassageSplits(path)

    def fill(self, pairs: Iterable[tuple[str, str]], progress: Progress | None = None) -> int:
        """Embed and store every (title, sentence) not stored yet; return how many were embedded."""
        return self.cache.fill((document_text(*pair) for pair in pairs), progress)

    def vectors(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One row per pair, in order: stored vectors, others embedded now (and kept for this process)."""
        return self.cache.vectors([document_text(*pair) for pair in pairs], store=False)
