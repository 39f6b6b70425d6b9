"""Measure the working core: index build, no-op re-index, cold start, warm answer latency, peak memory.

Run: ``python -m bench.core [--questions evals/gold.yaml]``; uses a fresh temporary KYODO_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from bench.measure import percentile
from indexer.pipeline import build_index
from kb.embedder import shared_embedder
from kb.service import KnowledgeBase
from kb.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("evals/gold.yaml"))
    args = parser.parse_args()
    base = Settings.from_env()
    model = base.embed_model_path
    home = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    settings = replace(base, home=home, embed_model=str(Path(model).resolve()))
    results: dict[str, float] = {}
    try:
        embedder = shared_embedder(settings.embed_model_path)
        started = time.perf_counter()
        report = build_index(settings, embedder)
        results["index_build_s"] = time.perf_counter() - started
        results["chunks"] = report.chunks
        results["reindex_unchanged_s"] = build_index(settings, embedder).seconds
        env = {**os.environ, "KYODO_HOME": str(home), "KYODO_EMBED_MODEL": settings.embed_model}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli.main", "ask", "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "--json"],
                       env=env, check=True, capture_output=True)
        results["cold_start_to_first_answer_s"] = time.perf_counter() - started
        kb = KnowledgeBase(settings, embedder)
        items = yaml.safe_load(args.questions.read_text(encoding="utf-8"))
        questions = [(q, lang) for item in items for lang, q in item["questions"].items()]
        kb.ask(questions[0][0])  # warm-up: first calls load tokenizers and dictionaries
        for lang in ("ja", "th", "id", "en"):
            kb.ask(next(q for q, l in questions if l == lang))
        totals: dict[str, list[float]] = {}
        for question, lang in questions:
            started = time.perf_counter()
            kb.ask(question)
            totals.setdefault(lang, []).append(1000 * (time.perf_counter() - started))
        every = [t for values in totals.values() for t in values]
        results["answer_p50_ms"] = statistics.median(every)
        results["answer_p95_ms"] = percentile(every, 0.95)
        for lang, values in sorted(totals.items()):
            results[f"answer_p50_ms_{lang}"] = statistics.median(values)
            results[f"answer_p95_ms_{lang}"] = percentile(values, 0.95)
        results["questions"] = len(every)
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
