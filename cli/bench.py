"""``kyodo bench``: the scale benchmark on synthetic corpora, or ``--load``, concurrent users on the web UI."""

from __future__ import annotations

import argparse
from pathlib import Path

from kb.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="speed at 1k/10k/100k synthetic chunks: query encoder, ask, search, "
                           "a plain llama-index query, load time and memory (needs a built index)")
    bench.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    bench.add_argument("--modes", nargs="+", choices=["embedded", "server"], default=["embedded", "server"],
                       help="Chroma embedded in the process, a Chroma server, or both (default)")
    bench.add_argument("--questions", type=Path, default=Path("evals/gold.yaml"))
    bench.add_argument("--load", action="store_true",
                       help="load-test the web UI instead: concurrent users asking the gold questions")
    bench.add_argument("--users", type=int, nargs="+", default=[1, 5, 20], help="--load: users per level")
    bench.add_argument("--seconds", type=float, default=60, help="--load: duration of each level")
    bench.add_argument("--url", help="--load: a running loopback server (default: start one on a free port)")
    bench.add_argument("--pid", type=int, help="--load with --url: the server's pid, to report its memory")
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.load:
        from bench.load import run as run_load

        _table, levels = run_load(args.users, args.seconds, args.url, args.pid, args.questions,
                                  log=lambda line: print(line, flush=True))
        return 1 if any(level.errors for level in levels) else 0
    from bench.scale import run

    print(run(args.sizes, args.questions, tuple(args.modes)))
    return 0
