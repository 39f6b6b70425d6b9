"""Hybrid retrieval: dense (Chroma) and keyword (BM25 on language-aware tokens), fused by reciprocal rank.

llama-index does the work: a ``VectorIndexRetriever`` over ``ChromaVectorStore``, a ``BM25Retriever``
over our tokens, and ``QueryFusionRetriever`` in reciprocal-rank mode. Hits are then folded to
aligned passages, so the same paragraph in four languages counts once. What the corpus says apart from
ranking (titles, sources, passage texts) is the ``library`` it loads with the chunks (``kb.library``).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.retrievers.bm25 import BM25Retriever
from llama_index.vector_stores.chroma import ChromaVectorStore

from kb.codec import chunk_from
from kb.embedder import Embedder
from kb.glossary import Term, names_in
from kb.library import Library
from kb.llama_embedding import KyodoEmbedding
from kb.records import Chunk, Facts, Hit, Passage
from kb.settings import Settings
from kb.store import active_generation, open_client, open_collection, read_all
from kb.tokens import tokenize

MODES = ("hybrid", "dense", "keyword")
CANDIDATES = 30


class TokenBM25(BaseRetriever):
    """BM25 over pre-tokenised text: tokens come from ``kb.tokens`` in the question's language."""

    def __init__(self, chunks: dict[str, Chunk], node_of: dict[str, TextNode], glossary: list[Term], **kwargs: Any):
        super().__init__(**kwargs)
        token_nodes = [TextNode(id_=cid, text=chunk.tokens) for cid, chunk in chunks.items()]
        self._bm25 = BM25Retriever(nodes=token_nodes, similarity_top_k=min(CANDIDATES, len(token_nodes)),
                                   token_pattern=r"[^ ]+", skip_stemming=True, language=None)
        self._node_of = node_of
        self._glossary = glossary
        self.lang = "en"

    def query_tokens(self, text: str, lang: str) -> str:
        extra = " ".join(names_in(text, lang, self._glossary))
        return " ".join(tokenize(f"{text} {extra}", lang))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        lang = query_bundle.custom_embedding_strs[0] if query_bundle.custom_embedding_strs else "en"
        tokens = self.query_tokens(query_bundle.query_str, lang)
        if not tokens:
            return []
        hits = self._bm25.retrieve(tokens)
        # Same node objects as the dense side, so reciprocal-rank fusion sees one passage, not two.
        return [NodeWithScore(node=self._node_of[h.node.node_id], score=h.score) for h in hits if h.score > 0]


class HybridRetriever:
    """Loads the chunk table once, then answers ``search`` calls in any of the three modes.

    The Chroma client and collection stay private: other modules read the corpus through ``library``.
    """

    def __init__(self, settings: Settings, embedder: Embedder, glossary: list[Term]) -> None:
        collection = open_collection(settings)
        self._client = open_client(settings)
        self._collection = collection
        self.generation = collection.name
        data = read_all(collection, ["metadatas", "documents"])
        node_of = {cid: metadata_dict_to_node(meta, text=text)
                   for cid, meta, text in zip(data["ids"], data["metadatas"], data["documents"])}
        self._chunks = {cid: chunk_from(cid, node.get_content(), node.metadata) for cid, node in node_of.items()}
        self.library = Library(self._chunks.values(), self.generation)
        embedding = KyodoEmbedding(embedder)
        embedding._get_query_embedding = functools.lru_cache(maxsize=256)(embedding._get_query_embedding)
        self.embedding = embedding
        index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection), embed_model=embedding)
        self.dense = index.as_retriever(similarity_top_k=CANDIDATES)
        self.keyword = TokenBM25(self._chunks, node_of, glossary)
        # With one query the fusion retriever never calls its LLM; MockLLM stops it looking for OpenAI's.
        self.hybrid = QueryFusionRetriever([self.dense, self.keyword], llm=MockLLM(), mode=FUSION_MODES.RECIPROCAL_RANK,
                                           num_queries=1, use_async=False, similarity_top_k=CANDIDATES)

    def is_stale(self) -> bool:
        """True once the indexer has switched to a newer generation than the one loaded."""
        return active_generation(self._client) != self.generation

    def search(self, question: str, lang: str, k: int = 5, mode: str = "hybrid",
               where: dict[str, list[str]] | None = None) -> list[Passage]:
        """The top ``k`` aligned passages for a question in ``lang``, only from chunks ``where`` matches."""
        retriever = {"hybrid": self.hybrid, "dense": self.dense, "keyword": self.keyword}[mode]
        bundle = QueryBundle(query_str=question, custom_embedding_strs=[lang])
        if mode != "keyword":
            bundle.embedding = self.embedding.get_query_embedding(question)
        results = retriever.retrieve(bundle)
        query_vector = np.asarray(self.embedding.get_query_embedding(question))
        ranked = [(self._chunks[r.node.node_id], float(r.score or 0.0)) for r in results]
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
        return self._with_similarity(list(passages.values()), query_vector)

    def _nearest_matching(self, where: dict[str, list[str]], query_vector: np.ndarray) -> list[Chunk]:
        """Every chunk that ``where`` matches, most similar to the query first."""
        ids = [cid for cid, chunk in self._chunks.items() if matches(chunk.doc_id, chunk.facts, where)]
        if not ids:
            return []
        got = self._collection.get(ids=ids, include=["embeddings"])
        scores = np.asarray(got["embeddings"]) @ query_vector
        return [self._chunks[got["ids"][i]] for i in np.argsort(-scores)]

    def _with_similarity(self, passages: list[Passage], query_vector: np.ndarray) -> list[Passage]:
        """Dense cosine similarity of each passage's best chunk: the evidence for abstaining."""
        if not passages:
            return passages
        ids = [p.best.chunk.chunk_id for p in passages]
        got = self._collection.get(ids=ids, include=["embeddings"])
        vectors = dict(zip(got["ids"], got["embeddings"]))
        return [Passage(p.key, Hit(p.best.chunk, p.best.score, float(np.dot(vectors[p.best.chunk.chunk_id], query_vector))),
                        p.texts) for p in passages]


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
