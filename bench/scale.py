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
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.measure import free_port, rss_mb
from bench.speed import encoders, gold_questions
from kb.chunk_table import chunk_table_path, write_chunk_table
from kb.codec import chunk_from
from kb.embedder import Embedder, document_text, shared_embedder
from kb.keyword import save_keyword_index
from kb.records import Chunk
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
    """Write ``size`` synthetic chunks and their keyword index into a new served generation; return chunks stored
    per second. The corpus is copied whole, document by document (``<doc>~<copy>``), so passages stay aligned
    across languages and their sentences are the real ones, as on a real index of that size."""
    client = open_client(settings)
    collection = new_generation(client)
    vectors = np.asarray(source["embeddings"])
    order = sorted(range(len(source["ids"])), key=lambda i: source["metadatas"][i]["doc"])
    picks = np.asarray([order[n % len(order)] for n in range(size)])
    started = time.perf_counter()
    chunks: list[Chunk] = []
    for start in range(0, size, BATCH):
        part = picks[start:start + BATCH]
        noisy = vectors[part] + rng.normal(0, 0.02, (len(part), vectors.shape[1]))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        ids = [f"synthetic-{start + i}" for i in range(len(part))]
        metadatas = [_renamed(source["metadatas"][p], ids[i], f"{source['metadatas'][p]['doc']}~{(start + i) // len(order)}")
                     for i, p in enumerate(part)]
        collection.add(ids=ids, embeddings=noisy.tolist(), metadatas=metadatas,
                       documents=[source["documents"][p] for p in part])
        chunks.extend(chunk_from(cid, source["documents"][p], meta) for cid, p, meta in zip(ids, part, metadatas))
    # As the indexer does: the chunk table and keyword index are saved with the generation, before it is served.
    path = chunk_table_path(settings, collection.name)
    write_chunk_table(path, str(collection.id), chunks)
    save_keyword_index(settings, collection.name, [c.chunk_id for c in chunks], [c.tokens for c in chunks])
    set_active_generation(client, collection.name)
    return size / (time.perf_counter() - started)


def measure(settings: Settings, questions_file: Path) -> dict[str, float]:
    """``bench.speed`` on the served collection, in a fresh process: load time and memory of that index alone."""
    model = settings.embed_model_path
    # The real index's vector file: answers look their sentences up there, as on the real index.
    env = {**os.environ, "KYODO_HOME": str(settings.home), "KYODO_CHROMA_URL": settings.chroma_url or "",
           "KYODO_EMBED_MODEL": str(model.resolve()) if isinstance(model, Path) else model,
           "KYODO_VECTORS": str(settings.vectors_path.resolve()), "KYODO_QUESTION_LOG": "off"}
    done = subprocess.run([sys.executable, "-m", "bench.speed", str(questions_file)], env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"bench.speed failed on {settings.home}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


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


def run(sizes: list[int], questions_file: Path, modes: tuple[str, ...] = ("embedded", "server")) -> str:
    """Run the scale benchmark and return it as a Markdown table: one row per size and mode, every column from
    this one run (the encoder columns are measured once, before the indexes)."""
    base = Settings.from_env()
    embedder = shared_embedder(base.embed_model_path)
    # The real index's model, by a path that holds outside its KYODO_HOME.
    model = str(Path(base.embed_model_path).resolve()) if isinstance(base.embed_model_path, Path) else base.embed_model
    source = open_collection(base).get(include=["embeddings", "metadatas", "documents"])
    titles = [m.get("title", "") for m in source["metadatas"]]
    rate = embed_rate(embedder, [document_text(t, d) for t, d in zip(titles, source["documents"])][:128])
    encode = encoders(base.embed_model_path, gold_questions(questions_file)[:64])
    rng = np.random.default_rng(0)
    rows = [f"Embedding documents: {rate:.1f} chunks/s, so {1000 / rate / 60:.1f} min per 1k chunks. Query encoder "
            f"p50: raw torch float32 {encode['raw_torch_encode_p50_ms']:.1f} ms, Kyodo's ({encode['kyodo_query_encoder']}) "
            f"{encode['kyodo_encode_p50_ms']:.1f} ms.", "",
            "| chunks | mode | store chunks/s | load s | raw torch encode p50 ms | Kyodo encode p50 ms | kyodo ask p50 / p95 ms "
            "| search p50 / p95 ms | llama-index query p50 ms | Kyodo process RSS MB | server RSS MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="kyodo-scale-") as tmp:
        for size in sizes:
            for mode in modes:
                home = Path(tmp) / f"{mode}-{size}"
                server = None
                settings = replace(base, home=home, vectors_file=base.vectors_path, embed_model=model)
                if mode == "server":
                    server, url = chroma_server(home / "server")
                    settings = replace(settings, chroma_url=url)
                try:
                    stored = fill(settings, source, size, rng)
                    got = measure(settings, questions_file)
                    server_mb = f"{rss_mb(server.pid):.0f}" if server else "-"
                finally:
                    if server:
                        server.terminate()
                        server.wait()
                rows.append(f"| {size:,} | {mode} | {stored:,.0f} | {got['load_s']:.1f} | {encode['raw_torch_encode_p50_ms']:.0f} | "
                            f"{encode['kyodo_encode_p50_ms']:.0f} | {got['ask_p50_ms']:.0f} / {got['ask_p95_ms']:.0f} | "
                            f"{got['search_p50_ms']:.0f} / {got['search_p95_ms']:.0f} | {got['llamaindex_p50_ms']:.0f} | "
                            f"{got['rss_mb']:.0f} | {server_mb} |")
                print(rows[-1], flush=True)
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(run([int(s) for s in sys.argv[1:]] or [1000, 10000], Path("evals/gold.yaml")))
