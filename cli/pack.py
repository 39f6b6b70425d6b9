"""``kyodo pack``: a session pack for trainers (cases, summaries, figures, Q&A) as Markdown and PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kb.settings import LANGUAGES, Settings
from kb.vocabulary import TOPICS


def register(sub: argparse._SubParsersAction) -> None:
    pack = sub.add_parser("pack", help="a session pack for trainers: cases, summaries, figures, Q&A (Markdown + PDF)")
    pack.add_argument("theme", nargs="*", help="a free-text theme, e.g. market waste composting")
    pack.add_argument("--topic", action="append", default=[], choices=list(TOPICS), help="repeat for more")
    pack.add_argument("--city", action="append", default=[], help="English name, e.g. Surabaya; repeat for more")
    pack.add_argument("--country", action="append", default=[], help="ISO code, e.g. TH; repeat for more")
    pack.add_argument("--lang", choices=LANGUAGES, default="en", help="the participants' language (default en)")
    pack.add_argument("--cases", type=int, default=5, help="how many case studies (default 5)")
    pack.add_argument("--out", type=Path, help="output name; .md and .pdf are added (default kyodo-pack-THEME-LANG)")
    pack.add_argument("--no-pdf", action="store_true", help="write the Markdown only")
    pack.set_defaults(func=cmd_pack)


def cmd_pack(args: argparse.Namespace, settings: Settings) -> int:
    from kb.service import KnowledgeBase
    from trainer.files import slug, write_pack
    from trainer.pack import build_pack
    from trainer.select import PackRequest

    request = PackRequest(" ".join(args.theme), tuple(args.topic), tuple(args.city),
                          tuple(c.upper() for c in args.country), args.lang, args.cases)
    request.check()
    out = args.out or Path(f"kyodo-pack-{slug(request.theme or '-'.join(args.topic + args.city + args.country))}"
                           f"-{args.lang}")
    pack = build_pack(KnowledgeBase(settings),
                      request, lambda fraction, step: print(f"[{fraction:4.0%}] {step}", file=sys.stderr, flush=True))
    written = write_pack(pack, out, pdf=not args.no_pdf)
    figures = sum(len(c.figures) for c in pack.cases)
    questions = sum(len(c.questions) for c in pack.cases)
    print(f"{len(pack.cases)} case studies, {figures} figures, {questions} questions in {pack.seconds:.0f} s: "
          f"{', '.join(str(p) for p in written)}")
    return 0
