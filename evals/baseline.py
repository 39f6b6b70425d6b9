"""The plain llama-index baseline: what the tutorial gives, with Kyodo's embedding model and nothing else.

``SimpleDirectoryReader`` over the case files, the default ``SentenceSplitter``, a ``VectorStoreIndex``
over its own Chroma collection, top-k similarity, the model run by sentence-transformers in float32 as the
tutorial runs it (``TutorialQueries``). Deliberately left out: language detection, aligned passages, keyword
search, sentence selection, abstention and Kyodo's own query encoder. Its answer is the top chunk as it is.
The index is built once per corpus, model and baseline version, and cached.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter
from llama_index.vector_stores.chroma import ChromaVectorStore

from evals.metrics import dedupe
from evals.records import RANK_DEPTH, Run
from kb.embedder import SentenceTransformerEmbedder
from kb.llama_embedding import KyodoEmbedding
from kb.records import Answer, Citation
from kb.settings import Settings

VERSION = "1"
COLLECTION = "llamaindex_baseline"
COMPLETE = "complete"
HIDDEN_KEYS = ["doc_id", "lang"]


def corpus_hash(cases: Path, model: str) -> str:
    """Digest of every case file's path and bytes, the model name and the baseline version."""
    digest = hashlib.sha256(f"{VERSION}|{model}".encode())
    for path in sorted(cases.rglob("*.md")):
        digest.update(path.relative_to(cases).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _client(folder: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(path=str(folder), settings=ChromaSettings(anonymized_telemetry=False))


class TutorialQueries:
    """The model as llama-index's tutorial runs it, through sentence-transformers in float32 for queries too.

    Its vectors are Kyodo's query encoder's to a cosine of at least 0.99 (``tests/test_embedder.py``); its speed is the
    library's the tutorial uses, so the baseline's latency is the plain pipeline's and not Kyodo's encoder's."""

    def __init__(self, embedder: SentenceTransformerEmbedder) -> None:
        self.embedder = embedder

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True,
                                                show_progress_bar=False)[0]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_documents(texts)


class LlamaIndexBaseline:
    """Top-k dense retrieval over default llama-index chunks; cites the documents of the chunks it retrieved."""

    name = "llamaindex-baseline"

    def __init__(self, settings: Settings, embedder: SentenceTransformerEmbedder, cache: Path) -> None:
        cases = settings.corpus / "cases"
        self.top_k = settings.top_k
        self.folder = cache / f"llamaindex-{corpus_hash(cases, settings.embed_model)}"
        embedding = KyodoEmbedding(TutorialQueries(embedder))
        embedding.get_query_embedding("warm-up")  # loads the model before any latency is timed
        started = time.perf_counter()
        self.cached = (self.folder / COMPLETE).exists()
        if self.cached:
            store = ChromaVectorStore(chroma_collection=_client(self.folder).get_collection(COLLECTION))
            index = VectorStoreIndex.from_vector_store(store, embed_model=embedding)
        else:
            index = self._build(cases, embedding)
        self.seconds = time.perf_counter() - started
        self.retriever = index.as_retriever(similarity_top_k=RANK_DEPTH)

    def _build(self, cases: Path, embedding: KyodoEmbedding) -> VectorStoreIndex:
        """Index into a fresh folder and mark it complete last, so an interrupted build is never reused."""
        shutil.rmtree(self.folder, ignore_errors=True)
        documents = SimpleDirectoryReader(str(cases), recursive=True, required_exts=[".md"],
                                          file_metadata=lambda p: {"doc_id": Path(p).parent.name,
                                                                   "lang": Path(p).stem}).load_data()
        for document in documents:
            # The folder name is the answer key: embedding it would leak the gold label into the vectors.
            document.excluded_embed_metadata_keys = HIDDEN_KEYS
            document.excluded_llm_metadata_keys = HIDDEN_KEYS
        store = ChromaVectorStore(chroma_collection=_client(self.folder).get_or_create_collection(COLLECTION))
        index = VectorStoreIndex.from_documents(documents, storage_context=StorageContext.from_defaults(vector_store=store),
                                                embed_model=embedding, transformations=[SentenceSplitter()])
        (self.folder / COMPLETE).write_text(f"{len(documents)} documents\n", encoding="utf-8")
        return index

    def run(self, question: str) -> Run:
        started = time.perf_counter()
        results = self.retriever.retrieve(question)
        elapsed = 1000 * (time.perf_counter() - started)
        citations = []
        for n, result in enumerate(results[: self.top_k], 1):
            doc_id, lang, text = result.node.metadata["doc_id"], result.node.metadata["lang"], result.node.get_content()
            citations.append(Citation(n, doc_id, doc_id, lang, text, text, f"{doc_id}/{lang}.md", [text]))
        top = citations[0] if citations else None
        answer = Answer(question, top.lang if top else "en", top.text if top else "", False, citations,
                        timings_ms={"total": elapsed})
        ranking = dedupe(r.node.metadata["doc_id"] for r in results)
        return Run(answer, ranking, float(results[0].score or 0.0) if results else 0.0, elapsed)
