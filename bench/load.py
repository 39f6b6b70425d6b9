"""Load test of the served web UI: N concurrent users asking the gold questions in all four languages.

Bounded and loopback only: it starts the real app (``kyodo serve``) on a free 127.0.0.1 port, or
targets a loopback URL (``--url``); each level runs for a fixed time, plus the requests still in
flight. Every user is a gradio_client ``Client`` calling ``/ask`` back to back, so latency includes
the wait in Gradio's queue. All users and levels draw from one cycle of the 320 gold questions, so
no question repeats within 320 answers and the retriever's 256-entry query-embedding cache never
hits: the figures are for distinct questions. Leaves out: think time, page loads, relabel calls.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from itertools import cycle
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from gradio_client import Client

from bench.measure import free_port, percentile, rss_mb
from evals.gold import GOLD, load_gold
from kb.errors import InputError, KyodoError
from kb.settings import LANGUAGES

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
START_TIMEOUT = 600


@dataclass(frozen=True)
class Level:
    """One load level's outcome; latencies in seconds, memory of the server process in MB."""

    users: int
    answers: int
    errors: Counter[str]
    seconds: float
    latencies: tuple[float, ...]
    rss_before: float | None
    rss_after: float | None
    load_average: float

    @property
    def throughput(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        lat = self.latencies or (0.0,)
        memory = f"{self.rss_before:.0f} → {self.rss_after:.0f}" if self.rss_before and self.rss_after else "-"
        return (f"| {self.users} | {self.answers} | {self.throughput:.2f} | {statistics.median(lat):.2f} | "
                f"{percentile(list(lat), 0.95):.2f} | {percentile(list(lat), 0.99):.2f} | {sum(self.errors.values())} | "
                f"{memory} | {self.load_average:.1f} |")


HEADER = ("| users | answers | answers/s | p50 s | p95 s | p99 s | errors | server RSS MB before → after | load avg |\n"
          "|---|---|---|---|---|---|---|---|---|")


def gold_questions(path: Path = GOLD) -> list[str]:
    """Every gold question, languages interleaved (ja, en, id, th, ja, …) so any stretch of them is mixed."""
    items = load_gold(path)
    return [item.questions[lang] for item in items for lang in LANGUAGES]


def check_loopback(url: str) -> str:
    """Refuse anything but a server on this machine: a load test must never hit someone else's."""
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise InputError(f"--url {url!r} is not a loopback address: the load test only targets 127.0.0.1/localhost")
    return url


def ask(client: Client, question: str) -> dict:
    """One question through the page's /ask endpoint (the same call as tests/test_app.py); the answer record."""
    _thread, _question, answer, *_ = client.predict(question, "auto", [], [], [], api_name="/ask")
    return answer


@contextmanager
def served(env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """``kyodo serve`` in a child process on a free 127.0.0.1 port, warmed up; its URL and pid."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="kyodo-load-server-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise KyodoError(f"the server exited with code {process.returncode}: see {log.name}")
            try:
                ask(Client(url, verbose=False), "warm-up: Bago compost")
                break
            except Exception:  # not listening or not warm yet
                if time.monotonic() > deadline:
                    raise KyodoError(f"the server was not ready within {START_TIMEOUT} s: see {log.name}") from None
                time.sleep(1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Feed:
    """The questions in a cycle, shared by every user thread."""

    def __init__(self, questions: list[str]) -> None:
        self._cycle = cycle(questions)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return next(self._cycle)


def run_level(url: str, users: int, seconds: float, feed: Feed, pid: int | None = None) -> Level:
    """``users`` clients asking back to back for ``seconds``; requests in flight at the end are waited for."""
    clients = [Client(url, verbose=False) for _ in range(users)]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    rss_before = rss_mb(pid) if pid else None
    started = time.monotonic()
    deadline = started + seconds

    def user(client: Client) -> None:
        while time.monotonic() < deadline:
            question = feed.next()
            begun = time.perf_counter()
            try:
                answer = ask(client, question)
                problem = f"answer error: {answer['error']}" if "error" in answer else ""
            except Exception as exc:  # a load test counts failures instead of stopping on the first
                problem = f"{type(exc).__name__}: {str(exc)[:120]}"
            with lock:
                if problem:
                    errors[problem] += 1
                else:
                    latencies.append(time.perf_counter() - begun)

    threads = [threading.Thread(target=user, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    return Level(users, len(latencies), errors, elapsed, tuple(latencies), rss_before,
                 rss_mb(pid) if pid else None, os.getloadavg()[0])


def run(levels: list[int], seconds: float, url: str | None = None, pid: int | None = None,
        questions_file: Path = GOLD, log=print) -> tuple[str, list[Level]]:
    """Every level in turn against ``url`` (or a server started here); a Markdown table and the levels."""
    feed = Feed(gold_questions(questions_file))
    results: list[Level] = []

    def go(target: str, server_pid: int | None) -> None:
        log(HEADER)
        for users in levels:
            results.append(run_level(target, users, seconds, feed, server_pid))
            log(results[-1].row())
            for problem, count in results[-1].errors.most_common(3):
                log(f"  {count} × {problem}")

    if url:
        ask(Client(check_loopback(url), verbose=False), "warm-up: Bago compost")
        go(url, pid)
    else:
        with served() as (started_url, server_pid):
            go(started_url, server_pid)
    return "\n".join([HEADER, *(level.row() for level in results)]), results
