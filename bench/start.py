"""How fast Kyodo starts and how much an answer costs beyond its query embedding, on the index of ``KYODO_HOME``.

Run: ``python -m bench.start [--runs 3] [--skip-serve]``. Prints one line per measurement with the load average
before it: a fresh ``kyodo ask`` to its answer (wall and CPU seconds), a fresh ``kyodo serve`` to warm-up's "ready"
log line and to its first answer through ``/ask`` (gradio_client), and the warm ``KnowledgeBase.ask`` over the gold
test half: CPU milliseconds beyond the query embedding, p50 and p95. To compare two commits, run it in a checkout of
each in turn (the README's before/after tables alternate them), so both see the same load. Questions are not logged.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import free_port, percentile

QUESTION = "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"
SERVE_QUESTION = "How did Surabaya cut its waste?"
ENV = {**os.environ, "KYODO_QUESTION_LOG": "off", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def cold_ask(question: str = QUESTION) -> tuple[float, float]:
    """Wall and CPU seconds of ``kyodo ask QUESTION --json`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli.main", "ask", question, "--json"], env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def serve_ready() -> tuple[float, float, float]:
    """Seconds from starting ``kyodo serve`` to warm-up's "ready" line, its CPU seconds by then, and seconds to the
    first answer of ``/ask``."""
    from gradio_client import Client

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in server.stderr:
            if "ready in" in line or "failed" in line:
                break
        ready = time.perf_counter() - started
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        Client(f"http://127.0.0.1:{port}/", verbose=False).predict(SERVE_QUESTION, "auto", [], [], [], api_name="/ask")
        return ready, cpu, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()


class _Timed:
    """The shared embedder, counting the CPU seconds its query encoder spends."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.spent = 0.0

    def embed_query(self, text: str):
        started = time.process_time()
        try:
            return self.embedder.embed_query(text)
        finally:
            self.spent += time.process_time() - started

    def embed_documents(self, texts: list[str]):
        return self.embedder.embed_documents(texts)

    def embed_similar(self, texts: list[str]):
        return self.embedder.embed_similar(texts)

    def count_tokens(self, text: str) -> list[int]:
        return self.embedder.count_tokens(text)


def overhead(half: str = "test") -> tuple[float, float, int]:
    """CPU milliseconds of a warm ``ask`` beyond its query embedding, p50 and p95, over the gold ``half``."""
    from evals.gold import cases, load_gold, split
    from kb.embedder import shared_embedder
    from kb.service import KnowledgeBase
    from kb.settings import Settings

    settings = Settings.from_env()
    timed = _Timed(shared_embedder(settings.embed_model_path))
    kb = KnowledgeBase(settings, embedder=timed)
    for warm in ("How did Bago compost?", "バゴ市の堆肥", "บาโกทำปุ๋ยหมัก"):
        kb.ask(warm)
    beyond = []
    asked = cases(split(load_gold(), half))
    for case in asked:
        timed.spent = 0.0
        started = time.process_time()
        kb.ask(case.question)
        beyond.append(1000 * (time.process_time() - started - timed.spent))
    return percentile(beyond, 0.5), percentile(beyond, 0.95), len(asked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()
    for _ in range(args.runs):
        load = _load()
        wall, cpu = cold_ask()
        print(f"cold kyodo ask: {wall:.1f} s wall, {cpu:.1f} s CPU ({load})", flush=True)
    for _ in range(0 if args.skip_serve else args.runs):
        load = _load()
        ready, cpu, answered = serve_ready()
        print(f"kyodo serve: ready logged at {ready:.1f} s ({cpu:.1f} s CPU), first answer at {answered:.1f} s ({load})",
              flush=True)
    load = _load()
    p50, p95, count = overhead()
    print(f"ask beyond the query embedding, CPU: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({count} test-half cases, {load})")


if __name__ == "__main__":
    main()
