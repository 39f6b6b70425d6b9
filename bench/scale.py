"""How cost grows with the corpus: synthetic collections of 1k, 10k, 100k chunks, embedded and server mode.

Synthetic chunks reuse the real corpus's chunk texts, tokens and metadata, with vectors that
are the real vectors plus noise (clustered like real data, never identical). Embedding cost
is measured separately on real chunks, because embedding 100k chunks on 2 cores takes hours
and grows exactly linearly.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

from bench.measure import free_port, percentile, rss_mb
from kb.embedder import Embedder, document_text, shared_embedder
from kb.retrieve import HybridRetriever
from kb.settings import Settings
from kb.store import new_generation, open_client, open_collection, set_active_generation

BATCH = 1000


def embed_rate(embedder: Embedder, texts: list[str]) -> float:
    """Chunks embedded per second on this machine."""
    started = time.perf_counter()
    embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def _renamed(meta: dict, chunk_id: str, doc: str) -> dict:
    """A copy of a chunk's metadata under a new id (llama-index keeps the id inside ``_node_content`` too)."""
    content = json.loads(meta["_node_content"])
    content["id_"] = chunk_id
    content["metadata"]["doc"] = doc
    return {**meta, "doc": doc, "_node_content": json.dumps(content)}


def fill(settings: Settings, source: dict, size: int, rng: np.random.Generator) -> float:
    """Write ``size`` synthetic chunks into a new served generation; return chunks stored per second."""
    client = open_client(settings)
    collection = new_generation(client)
    vectors = np.asarray(source["embeddings"])
    started = time.perf_counter()
    for start in range(0, size, BATCH):
        picks = rng.integers(0, len(source["ids"]), min(BATCH, size - start))
        noisy = vectors[picks] + rng.normal(0, 0.02, (len(picks), vectors.shape[1]))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        ids = [f"synthetic-{start + i}" for i in range(len(picks))]
        metadatas = [_renamed(source["metadatas"][p], ids[i], f"synthetic-{(start + i) // 8}") for i, p in enumerate(picks)]
        collection.add(ids=ids, embeddings=noisy.tolist(), metadatas=metadatas,
                       documents=[source["documents"][p] for p in picks])
    set_active_generation(client, collection.name)
    return size / (time.perf_counter() - started)


def measure(settings: Settings, embedder: Embedder, questions: list[tuple[str, str]]) -> dict[str, float]:
    """Load time, search latency and memory of the read path on the served collection."""
    started = time.perf_counter()
    retriever = HybridRetriever(settings, embedder, [])
    load_s = time.perf_counter() - started
    for question, lang in questions[:4]:
        retriever.search(question, lang)
    latencies = []
    for question, lang in questions:
        started = time.perf_counter()
        retriever.search(question, lang)
        latencies.append(1000 * (time.perf_counter() - started))
    return {"load_s": load_s, "p50_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 0.95),
            "client_rss_mb": rss_mb()}


def chroma_server(path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(path),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}"


def run(sizes: list[int], questions_file: Path, queries: int = 60) -> str:
    """Run the scale benchmark and return it as a Markdown table."""
    base = Settings.from_env()
    embedder = shared_embedder(base.embed_model_path)
    source = open_collection(base).get(include=["embeddings", "metadatas", "documents"])
    items = yaml.safe_load(questions_file.read_text(encoding="utf-8"))
    questions = [(q, lang) for item in items for lang, q in item["questions"].items()][:queries]
    titles = [m.get("title", "") for m in source["metadatas"]]
    rate = embed_rate(embedder, [document_text(t, d) for t, d in zip(titles, source["documents"])][:128])
    rng = np.random.default_rng(0)
    rows = [f"Embedding (real model, 2 cores): {rate:.1f} chunks/s, so {1000 / rate / 60:.1f} min per 1k chunks.", "",
            "| chunks | mode | store chunks/s | load s | search p50 ms | search p95 ms | Kyodo process RSS MB | server RSS MB |",
            "|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="kyodo-scale-") as tmp:
        for size in sizes:
            for mode in ("embedded", "server"):
                home = Path(tmp) / f"{mode}-{size}"
                server = None
                settings = replace(base, home=home)
                if mode == "server":
                    server, url = chroma_server(home / "server")
                    settings = replace(settings, chroma_url=url)
                try:
                    stored = fill(settings, source, size, rng)
                    figures = measure(settings, embedder, questions)
                    server_mb = f"{rss_mb(server.pid):.0f}" if server else "-"
                finally:
                    if server:
                        server.terminate()
                        server.wait()
                rows.append(f"| {size:,} | {mode} | {stored:,.0f} | {figures['load_s']:.1f} | {figures['p50_ms']:.0f} | "
                            f"{figures['p95_ms']:.0f} | {figures['client_rss_mb']:.0f} | {server_mb} |")
                print(rows[-1], flush=True)
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(run([int(s) for s in sys.argv[1:]] or [1000, 10000], Path("evals/gold.yaml")))
