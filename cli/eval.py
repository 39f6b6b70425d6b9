"""``kyodo eval``: the gold questions through Kyodo and its baselines, and the CI gate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.records import CHOICES
from kb.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    evaluate = sub.add_parser("eval", help="run the gold questions through Kyodo and its baselines")
    evaluate.add_argument("--out", type=Path, help="output folder (default $KYODO_HOME/evals)")
    evaluate.add_argument("--systems", nargs="+", choices=CHOICES,
                          help="default: the first four; kyodo-generative (the local model, ~30 s a question) only when named")
    picks = evaluate.add_mutually_exclusive_group()
    picks.add_argument("--limit", type=int, help="only the first N gold items (each in every language)")
    picks.add_argument("--sample", type=int, help="N gold items taken in turn from each kind (fact, how, ...)")
    evaluate.add_argument("--half", choices=["dev", "test", "all"], default="all",
                          help="the gold set's dev half (for tuning), test half (for the gate) or all (default)")
    evaluate.add_argument("--gate", type=Path, help="thresholds file: exit 1 when a metric is below its minimum")
    evaluate.add_argument("--followups", action="store_true",
                          help="the two-turn dialogues of evals/followups.yaml instead: each second question with the "
                          "first as history and alone (hit@1, fact recall per language)")
    evaluate.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from evals.gate import check, load_thresholds
    from evals.report import tables
    from evals.run import run_eval

    if args.followups:
        return _followups(args, settings)
    thresholds = load_thresholds(args.gate) if args.gate else None
    result = run_eval(settings, args.out or settings.home / "evals", args.systems, args.limit,
                      log=lambda line: print(line, file=sys.stderr), sample=args.sample, half=args.half)
    print(tables(result.figures))
    print(f"\n{len(result.scores)} runs in {result.seconds:.0f} s; report, results and chart in {result.folder}")
    if thresholds is None:
        return 0
    failures = check(result.figures, thresholds)
    for line in failures:
        print(f"gate: {line}")
    print(f"gate {args.gate}: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


def _followups(args: argparse.Namespace, settings: Settings) -> int:
    from evals.followups import TARGETS, render_table, run_followups

    result = run_followups(settings, args.out or settings.home / "evals", log=lambda line: print(line, file=sys.stderr))
    print(render_table(result.by_lang, "language"))
    print(f"\nreport and results in {result.folder}")
    print(f"targets with history {TARGETS}: " + ("met" if not result.short else "missed: " + "; ".join(result.short)))
    return 0
