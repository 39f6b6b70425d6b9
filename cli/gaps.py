"""``kyodo gaps``: what partner cities asked that the cases do not answer, from the question log (``kb.question_log``).

Declined, partly answered and 👎 questions are clustered across languages (``kb.gaps``) and printed as Markdown, or
written with ``--out gaps.csv|gaps.md``; ``--gold-candidates`` prints them as ``evals/gold.yaml`` items instead.
``--purge [--before DATE]`` deletes logged questions. The log is read and purged even while
``KYODO_QUESTION_LOG=off`` keeps new questions out of it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb.errors import InputError, KyodoError
from kb.settings import LANGUAGES, Settings


def register(sub: argparse._SubParsersAction) -> None:
    gaps = sub.add_parser("gaps", help="declined, partial and thumbs-down questions, clustered (from the question log)")
    gaps.add_argument("--since", metavar="DATE", help="only questions asked on or after DATE (YYYY-MM-DD, UTC)")
    gaps.add_argument("--lang", choices=LANGUAGES, help="only questions answered in this language")
    gaps.add_argument("--topic", help="only gaps whose nearest case has this topic (a tag such as composting, or its "
                      "name in any language): what participants asked about it that the cases do not answer")
    gaps.add_argument("--out", type=Path, help="write the report to a .csv (UTF-8 with BOM) or .md file")
    gaps.add_argument("--gold-candidates", action="store_true",
                      help="print each gap as a YAML item in the shape of evals/gold.yaml (abstain: true)")
    gaps.add_argument("--threshold", type=float, default=None,
                      help="cosine distance under which questions are one gap (default: kb.gaps.THRESHOLD)")
    gaps.add_argument("--purge", action="store_true", help="delete logged questions (all, or those --before DATE)")
    gaps.add_argument("--before", metavar="DATE",
                      help="with --purge: only questions asked before DATE (YYYY-MM-DD, UTC)")
    gaps.set_defaults(func=cmd_gaps)


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from kb.gaps import about
    from kb.question_log import QuestionLog, parse_day
    from kb.vocabulary import TOPICS, topic_tag

    log = QuestionLog.of(settings)
    if args.before and not args.purge:
        raise InputError("--before is for --purge: 'kyodo gaps --purge --before 2026-01-01' deletes older questions")
    if args.purge:
        if args.since or args.lang or args.topic or args.out or args.gold_candidates:
            raise InputError("--purge deletes questions: give it alone, or with --before DATE")
        before = parse_day(args.before, "--before") if args.before else None
        deleted = log.purge(before)
        when = f" asked before {before}" if before else ""
        print(f"deleted {deleted} logged questions{when} from {log.path}")
        return 0
    if not settings.question_log:
        print("note: KYODO_QUESTION_LOG=off: new questions are not logged; this reports the ones logged before",
              file=sys.stderr)
    since = parse_day(args.since, "--since") if args.since else None
    if args.out and args.out.suffix.lower() not in (".csv", ".md"):
        raise InputError(f"--out {str(args.out)!r}: write the gaps to a .csv or .md file")
    topic = topic_tag(args.topic) if args.topic else None
    if args.topic and topic is None:
        raise InputError(f"--topic {args.topic!r} is not a topic: use one of {', '.join(TOPICS)} (or its name)")
    rows = log.rows(since, args.lang)
    gaps = report(rows, settings, args.lang or "en", args.threshold)
    if topic:
        gaps = about(gaps, topic)
    if not gaps:
        print(f"No declined, partly answered or 👎 questions among the {len(rows)} logged in {log.path}"
              + (f" since {since}" if since else "") + (f" in {args.lang}" if args.lang else "")
              + (f" about {topic}" if topic else ""))
        return 0
    from kb.gap_report import gold_candidates, markdown, write

    if args.gold_candidates:
        print(gold_candidates(gaps), end="")
    elif args.out:
        write(gaps, args.out)
        print(f"{len(gaps)} gaps ({sum(g.count for g in gaps)} questions) written to {args.out}")
    else:
        print(markdown(gaps))
    return 0


def report(rows: list, settings: Settings, lang: str, threshold: float | None = None) -> list:
    """The gaps among ``rows``, named from the served index when there is one (else by case id)."""
    from kb.embedder import shared_embedder
    from kb.gap_report import case_labels
    from kb.gaps import THRESHOLD, find_gaps
    from kb.question_log import QuestionLog
    from kb.service import KnowledgeBase

    if not any(row.gap for row in rows):
        return []
    embedder = shared_embedder(settings.embed_model_path)
    log = QuestionLog.of(settings)
    try:
        label = case_labels(KnowledgeBase(settings, embedder).library, lang)
    except KyodoError:  # no index: cases are named by their ids
        label = None
    return find_gaps(rows, lambda texts: log.vectors(texts, embedder.embed_similar, settings.embed_model_key),
                     THRESHOLD if threshold is None else threshold, label)
