"""The keyword side of retrieval: BM25 (bm25s) over the chunks' language-aware tokens, saved once per index
generation and memory-mapped by every reader.

The indexer saves the index with each generation it serves (``save_keyword_index``); a reader maps it in
milliseconds instead of rebuilding it. A generation written without one (an index older than this file, the
scale benchmark's synthetic collections) gets it built and saved by its first reader. Deliberately no
tokenising here: ``kb.tokens`` makes the tokens at index and at query time; this module only ranks them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import bm25s

from kb.settings import Settings

IDS = "chunk_ids.json"
# The query keeps bm25s's English stop words out, as llama-index's BM25Retriever always did; chunks keep theirs.
QUERY_STOPWORDS = "english"


class KeywordIndex:
    """BM25 over chunk tokens (space-separated strings), ranking chunk ids.

    >>> index = KeywordIndex.build(["a", "b", "c"], ["bago compost wast", "cebu basket", "バゴ 堆肥"])
    >>> [chunk for chunk, _ in index.top("compost bago", 2)], index.top("the", 2), index.top("バゴ", 3)[0][0]
    (['a'], [], 'c')
    """

    def __init__(self, bm25: bm25s.BM25, ids: list[str]) -> None:
        self._bm25 = bm25
        self.ids = ids

    @classmethod
    def build(cls, ids: list[str], tokens: Iterable[str]) -> KeywordIndex:
        # Lower-cased and split on spaces, exactly as llama-index's BM25Retriever tokenised them before.
        corpus = bm25s.tokenize(list(tokens), token_pattern=r"[^ ]+", stopwords=None, show_progress=False)
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(bm25, list(ids))

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` whole or not at all (a reader never maps half an index)."""
        partial = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        self._bm25.save(str(partial))
        (partial / IDS).write_text(json.dumps(self.ids), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """The index saved in ``folder`` with its matrices memory-mapped, or ``None`` when there is none."""
        if not (folder / IDS).is_file():
            return None
        ids = json.loads((folder / IDS).read_text(encoding="utf-8"))
        return cls(bm25s.BM25.load(str(folder), mmap=True), ids)

    def top(self, tokens: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` best chunks for a query's ``tokens`` (``kb.tokens`` joined by spaces), score above zero."""
        query = bm25s.tokenize(tokens, token_pattern=r"[^ ]+", stopwords=QUERY_STOPWORDS, return_ids=False,
                               show_progress=False)[0]
        if not self._bm25.get_tokens_ids(query):
            return []
        found, scores = self._bm25.retrieve([query], k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[i], float(score)) for i, score in zip(found[0], scores[0]) if score > 0]


def keyword_folder(settings: Settings, generation: str) -> Path:
    """Where a generation's keyword index lives under ``KYODO_HOME`` (a Chroma server's generations apart)."""
    where = hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:8] + "-" if settings.chroma_url else ""
    return settings.home / "keyword" / f"{where}{generation}"


def save_keyword_index(settings: Settings, generation: str, ids: list[str], tokens: Iterable[str]) -> None:
    """Build and save the keyword index of a generation (the indexer calls it before serving the generation); an empty
    generation has none (no reader serves it: ``kb.store.open_collection`` says the index is empty)."""
    if ids:
        KeywordIndex.build(ids, tokens).save(keyword_folder(settings, generation))


def drop_keyword_indexes(settings: Settings, generations: Iterable[str]) -> None:
    """Remove the saved keyword indexes of dropped generations."""
    for generation in generations:
        shutil.rmtree(keyword_folder(settings, generation), ignore_errors=True)
