"""Hybrid retrieval: dense (Chroma) and keyword (BM25 on language-aware tokens), fused by weighted reciprocal rank.

The dense side is one Chroma query for the nearest chunk ids; the keyword side is the generation's saved BM25 index
(``kb.keyword``); ``kb.fusion`` merges the two rankings with the weights fitted for the question's language. Hits are
then folded to aligned passages, so the same paragraph in four languages counts once. Chunk records are looked up
in the generation's chunk table (``kb.chunk_table``) for the ranked candidates only; what the corpus says apart
from ranking (titles, sources, passage texts) is the ``library`` read from the same table (``kb.library``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from kb.codec import facts_from
from kb.embedder import Embedder
from kb.fusion import fusion_for
from kb.glossary import Term, names_in
from kb.keyword import KeywordIndex, keyword_folder
from kb.library import Library
from kb.records import Chunk, Facts, Hit, Passage
from kb.settings import Settings
from kb.store import active_generation, chunk_table, open_client, open_collection, pointer_collection
from kb.tokens import tokenize

MODES = ("hybrid", "dense", "keyword")
CANDIDATES = 30


class HybridRetriever:
    """Opens the generation's chunk table and keyword index once, then answers ``search`` calls in any of the three
    modes, reading the records of the candidates it ranks.

    The Chroma client and collection stay private: other modules read the corpus through ``library``.
    """

    def __init__(self, settings: Settings, embedder: Embedder, glossary: list[Term]) -> None:
        collection = open_collection(settings)
        self._client = open_client(settings)
        self._pointer = pointer_collection(self._client)
        self._collection = collection
        self.generation = collection.name
        self._table = chunk_table(settings, collection)
        self.library = Library(self._table, self.generation)
        self._embedder = embedder
        self._glossary = glossary
        folder = keyword_folder(settings, self.generation)
        keyword = KeywordIndex.load(folder)
        if keyword is None or set(keyword.ids) != set(self._table.ids()):
            # A generation saved without its keyword index (an older index): build it once.
            keyword = KeywordIndex.build(self._table.ids(), self._table.tokens())
            keyword.save(folder)
        self.keyword = keyword
        # The last 256 questions' vectors: an answer, its search and the eval's second search share one.
        self.query_vector = functools.lru_cache(maxsize=256)(self._encode)

    def _encode(self, question: str) -> np.ndarray:
        """The question's embedding."""
        return np.asarray(self._embedder.embed_query(question), dtype=np.float64)

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk stored as ``chunk_id``."""
        found = self._table.chunks([chunk_id])
        if chunk_id not in found:
            raise KeyError(chunk_id)
        return found[chunk_id]

    def chunk_ids(self) -> list[str]:
        """Every chunk's id."""
        return self._table.ids()

    def is_stale(self) -> bool:
        """True once the indexer has switched to a newer generation than the one loaded."""
        return active_generation(self._client, self._pointer) != self.generation

    def keyword_tokens(self, question: str, lang: str) -> str:
        """The question's keyword tokens, glossary names in every script added (Bago → バゴ)."""
        extra = " ".join(names_in(question, lang, self._glossary))
        return " ".join(tokenize(f"{question} {extra}", lang))

    def ranked(self, question: str, lang: str, mode: str = "hybrid") -> list[tuple[str, float]]:
        """Chunk ids best first with their scores: cosine (dense), BM25 (keyword) or the fused score (hybrid)."""
        return self._ranked(question, lang, mode)[0]

    def _ranked(self, question: str, lang: str, mode: str) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """``ranked``, and the cosine similarity of each chunk the dense query returned."""
        dense: list[tuple[str, float]] = []
        keyword: list[tuple[str, float]] = []
        if mode != "keyword":
            got = self._collection.query(query_embeddings=[self.query_vector(question)],
                                         n_results=min(CANDIDATES, len(self._table)), include=["distances"])
            dense = [(cid, 1.0 - distance) for cid, distance in zip(got["ids"][0], got["distances"][0])]
        if mode != "dense":
            keyword = self.keyword.top(self.keyword_tokens(question, lang), CANDIDATES)
        if mode != "hybrid":
            return dense or keyword, dict(dense)
        return fusion_for(lang).fuse([cid for cid, _ in dense], [cid for cid, _ in keyword], CANDIDATES), dict(dense)

    def search(self, question: str, lang: str, k: int = 5, mode: str = "hybrid",
               where: dict[str, list[str]] | None = None) -> list[Passage]:
        """The top ``k`` aligned passages for a question in ``lang``, only from chunks ``where`` matches."""
        query_vector = self.query_vector(question)
        scored, cosines = self._ranked(question, lang, mode)
        chunks = self._table.chunks(cid for cid, _ in scored)
        ranked = [(chunks[cid], score) for cid, score in scored]
        if where:
            ranked = [(chunk, score) for chunk, score in ranked if matches(chunk.doc_id, chunk.facts, where)]
        passages: dict[str, Passage] = {}
        for chunk, score in ranked:
            if chunk.passage in passages:
                continue
            passages[chunk.passage] = Passage(chunk.passage, Hit(chunk, score, math.nan),
                                              self.library.passage_texts[chunk.passage])
            if len(passages) == k:
                break
        if where and len(passages) < k:
            # The fused pool holds CANDIDATES chunks; a narrow filter can leave too few, so the rest of the
            # matching chunks join in order of dense similarity.
            for chunk in self._nearest_matching(where, query_vector):
                if len(passages) == k:
                    break
                if chunk.passage not in passages:
                    passages[chunk.passage] = Passage(chunk.passage, Hit(chunk, 0.0, math.nan),
                                                      self.library.passage_texts[chunk.passage])
        return self._with_similarity(list(passages.values()), query_vector, cosines)

    def _nearest_matching(self, where: dict[str, list[str]], query_vector: np.ndarray) -> list[Chunk]:
        """Every chunk that ``where`` matches, most similar to the query first."""
        versions = [n for n, doc_id, facts in self._table.versions() if matches(doc_id, facts_from(facts), where)]
        ids = self._table.ids_of_versions(versions)
        if not ids:
            return []
        got = self._collection.get(ids=ids, include=["embeddings"])
        scores = np.asarray(got["embeddings"]) @ query_vector
        chunks = self._table.chunks(ids)
        return [chunks[got["ids"][i]] for i in np.argsort(-scores)]

    def _with_similarity(self, passages: list[Passage], query_vector: np.ndarray,
                         cosines: dict[str, float]) -> list[Passage]:
        """Dense cosine similarity of each passage's best chunk: the evidence for abstaining. ``cosines`` holds the
        dense query's own; only the chunks it did not return (keyword hits, filtered ones) are read from the store."""
        missing = [p.best.chunk.chunk_id for p in passages if p.best.chunk.chunk_id not in cosines]
        if missing:
            got = self._collection.get(ids=missing, include=["embeddings"])
            cosines = cosines | {cid: float(np.dot(vector, query_vector))
                                 for cid, vector in zip(got["ids"], got["embeddings"])}
        return [Passage(p.key, Hit(p.best.chunk, p.best.score, cosines[p.best.chunk.chunk_id]), p.texts) for p in passages]


def matches(doc_id: str, facts: Facts, where: dict[str, list[str]]) -> bool:
    """True when, for each field of ``where`` with values, the document is one of them (``doc``) or its tags
    name one of them (``cities``, ``countries``, ``topics``, ``years``).

    >>> facts = Facts(countries=("PH", "TH"), topics=("waste",))
    >>> matches("bago", facts, {"countries": ["TH", "ID"], "cities": []})
    True
    >>> matches("bago", facts, {"countries": ["PH"], "topics": ["water"]})
    False
    >>> matches("bago", facts, {"doc": ["bago"]}), matches("bago", facts, {"doc": ["cebu"]})
    (True, False)
    """
    def values(name: str) -> tuple[str, ...]:
        return (doc_id,) if name == "doc" else facts.tags(name)

    return all(not wanted or bool(set(wanted) & set(values(name))) for name, wanted in where.items())
