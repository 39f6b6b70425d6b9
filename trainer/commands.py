"""The trainers' commands for ``kyodo``: ``pack``, and ``ask --batch`` with CSV/text input and --out.

``kb/cli.py`` registers ``pack`` with ``add_pack_command`` and hands batch runs to ``ask_batch``;
errors are ``KyodoError``s, which the CLI prints as one line with exit code 1.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kb.settings import LANGUAGES, Settings
from ui.texts import TOPICS

if TYPE_CHECKING:  # the pack modules load the read path; the CLI imports them only when a command runs
    from trainer.pack import Pack


def add_pack_command(sub: argparse._SubParsersAction) -> None:
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


def slug(value: str) -> str:
    """A file-name-safe form of a theme.

    >>> slug("Market waste / composting"), slug("การทำปุ๋ยหมัก")
    ('market-waste-composting', 'การทำปุ๋ยหมัก')
    """
    return re.sub(r"[^\w\u0e00-\u0e7f]+", "-", value.lower()).strip("-")[:60] or "pack"  # Thai vowels are not \w


def cmd_pack(args: argparse.Namespace) -> int:
    from kb.service import KnowledgeBase
    from trainer.pack import build_pack
    from trainer.select import PackRequest

    request = PackRequest(" ".join(args.theme), tuple(args.topic), tuple(args.city),
                          tuple(c.upper() for c in args.country), args.lang, args.cases)
    request.check()
    out = args.out or Path(f"kyodo-pack-{slug(request.theme or '-'.join(args.topic + args.city + args.country))}"
                           f"-{args.lang}")
    pack = build_pack(KnowledgeBase(Settings.from_env()), request,
                      lambda fraction, step: print(f"[{fraction:4.0%}] {step}", file=sys.stderr, flush=True))
    written = write_pack(pack, out, pdf=not args.no_pdf)
    figures = sum(len(c.figures) for c in pack.cases)
    questions = sum(len(c.questions) for c in pack.cases)
    print(f"{len(pack.cases)} case studies, {figures} figures, {questions} questions in {pack.seconds:.0f} s: "
          f"{', '.join(str(p) for p in written)}")
    return 0


def write_pack(pack: Pack, out: Path, pdf: bool = True) -> list[Path]:
    """Write ``out``.md (and ``out``.pdf); returns the paths written."""
    from trainer.pdf import to_pdf
    from trainer.render import to_html, to_markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    markdown = out.with_name(out.name + ".md") if out.suffix not in (".md", ".pdf") else out.with_suffix(".md")
    markdown.write_text(to_markdown(pack), encoding="utf-8")
    written = [markdown]
    if pdf:
        document = markdown.with_suffix(".pdf")
        langs = tuple(sorted({pack.request.lang, "ja"}))
        document.write_bytes(to_pdf(to_html(pack), langs))
        written.append(document)
    return written


def ask_batch(args: argparse.Namespace, settings: Settings) -> int:
    """``kyodo ask --batch FILE [--out answers.csv|.md|.jsonl]``: JSONL on stdout when there is no --out.

    A bad item or a failed question is recorded for that item (and named on stderr); the rest are answered,
    and the exit code is 1 when any item failed."""
    from kb.service import KnowledgeBase
    from trainer.batch import answer_all, check_output, read_questions, write, write_jsonl

    if args.out:
        check_output(args.out)
    items = read_questions(args.batch)
    kb = KnowledgeBase(settings)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if args.out and done:
            print(f"answered {done}/{total}", file=sys.stderr, flush=True)

    results = []
    for result in answer_all(kb, items, args.lang, progress, args.k, args.mode):
        results.append(result)
        if result.error:
            print(f"failed: {result.error}", file=sys.stderr, flush=True)
        if not args.out:
            write_jsonl([result], sys.stdout)
    seconds = time.perf_counter() - started
    if args.out:
        write(results, args.out, args.lang or "en")
        abstained = sum(1 for r in results if r.answer and r.answer.abstained)
        failed = sum(1 for r in results if r.answer is None)
        print(f"{len(results)} questions ({abstained} abstained, {failed} failed) in {seconds:.0f} s "
              f"({seconds / len(results):.1f} s a question): {args.out}")
    return 1 if any(r.answer is None for r in results) else 0
