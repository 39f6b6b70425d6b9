"""What one served index costs, measured in a process of its own: ``python -m bench.speed`` (``KYODO_HOME`` and
``KYODO_CHROMA_URL`` say which index) prints one JSON object.

Load time (the knowledge base's index: the chunk table opened, the keyword index mapped, the passage texts
``kb.mentions`` searches read), ``kyodo ask`` p50/p95, hybrid search p50/p95 and a plain llama-index query p50
(``VectorStoreIndex`` over the same Chroma collection, the model run as the eval's baseline runs it:
sentence-transformers in float32, top 30), each over its own gold questions so no query vector is cached;
resident memory after Kyodo's part.
``encoders`` times the query encoder alone: raw sentence-transformers on torch float32 against Kyodo's
(``kb.embedder``).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bench.measure import percentile, rss_mb

WARM = 4
Question = tuple[str, str]


def gold_questions(path: Path) -> list[Question]:
    """(question, language) for every gold item in every language, languages interleaved."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(question, lang) for item in items for lang, question in item["questions"].items()]


def timed(call: Callable[[str, str], object], questions: list[Question]) -> list[float]:
    """Milliseconds per call, after ``WARM`` untimed calls on other questions."""
    for question, lang in questions[-WARM:]:
        call(question, lang)
    latencies = []
    for question, lang in questions[:-WARM]:
        started = time.perf_counter()
        call(question, lang)
        latencies.append(1000 * (time.perf_counter() - started))
    return latencies


def figures(name: str, latencies: list[float]) -> dict[str, float]:
    return {f"{name}_p50_ms": statistics.median(latencies), f"{name}_p95_ms": percentile(latencies, 0.95)}


def encoders(model: Path | str, questions: list[Question]) -> dict[str, float]:
    """p50 ms of one query through raw sentence-transformers (torch float32) and through Kyodo's query encoder."""
    from sentence_transformers import SentenceTransformer

    from kb.embedder import SentenceTransformerEmbedder

    raw = SentenceTransformer(str(model), device="cpu")
    kyodo = SentenceTransformerEmbedder(model)
    return {**figures("raw_torch_encode", timed(lambda q, _: raw.encode_query(q, show_progress_bar=False), questions)),
            **figures("kyodo_encode", timed(lambda q, _: kyodo.embed_query(q), questions)),
            "kyodo_query_encoder": kyodo.query_runtime}


def measure(questions: list[Question], per_part: int = 60) -> dict[str, float]:
    """The served index's load time, latencies and memory (the embedding model is loaded before the clock starts)."""
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from evals.baseline import TutorialQueries
    from kb.embedder import shared_embedder
    from kb.llama_embedding import KyodoEmbedding
    from kb.service import KnowledgeBase
    from kb.settings import Settings
    from kb.store import open_collection

    settings = Settings.from_env()
    embedder = shared_embedder(settings.embed_model_path)
    embedder.embed_query("warm-up")
    started = time.perf_counter()
    kb = KnowledgeBase(settings, embedder)
    chunks = len(kb.retriever.chunk_ids())  # loads the index
    result: dict[str, float] = {"load_s": time.perf_counter() - started, "chunks": chunks}
    parts = [questions[i * per_part:(i + 1) * per_part] for i in range(3)]
    result |= figures("ask", timed(lambda q, lang: kb.ask(q), parts[0]))
    result |= figures("search", timed(lambda q, lang: kb.search(q, lang), parts[1]))
    result["rss_mb"] = rss_mb()  # Kyodo's process, before the baseline loads its own copy of the model
    store = ChromaVectorStore(chroma_collection=open_collection(settings))
    tutorial = KyodoEmbedding(TutorialQueries(embedder))
    tutorial.get_query_embedding("warm-up")
    plain = VectorStoreIndex.from_vector_store(store, embed_model=tutorial).as_retriever(similarity_top_k=30)
    result |= figures("llamaindex", timed(lambda q, lang: plain.retrieve(q), parts[2]))
    return result


if __name__ == "__main__":
    gold = gold_questions(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("evals/gold.yaml"))
    print(json.dumps(measure(gold)))
