"""``kyodo ask`` and ``kyodo search``: one question, or a batch file through one runner for every format.

``ask --after QUESTION`` (repeatable, oldest first) answers a follow-up ("And in Cebu?") in that conversation; a
JSONL batch item may carry its own ``"history"``. ``--batch`` reads CSV, text or JSONL (``trainer.batch``); without
``--out`` it prints one JSON object per
question, with the item's ``id`` first, and ``{"id", "question", "error"}`` for an item that could not be
asked. ``ask --out`` writes the answers as CSV, Markdown or JSONL instead. A bad item is recorded (and
named on stderr) and the rest are answered; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import InputError
from kb.settings import LANGUAGES, Settings

if TYPE_CHECKING:  # the read path loads models: it is imported only when a command runs
    from kb.records import Answer
    from kb.service import KnowledgeBase

# (knowledge base, question, language or None, the questions asked before it) -> the result to print
One = Callable[["KnowledgeBase", str, "str | None", "tuple[str, ...]"], Any]


def register(sub: argparse._SubParsersAction) -> None:
    for name, func, text in (("ask", cmd_ask, "answer a question with citations"),
                             ("search", cmd_search, "ranked passages for a question")):
        command = sub.add_parser(name, help=text)
        command.add_argument("question", nargs="?")
        command.add_argument("--lang", choices=LANGUAGES)
        command.add_argument("-k", type=int, default=None, help="passages to retrieve (default 5)")
        command.add_argument("--json", action="store_true")
        command.add_argument("--batch", type=Path, help="JSONL file of {\"id\", \"question\", \"lang\"?}")
        command.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
        if name == "ask":
            command.add_argument("--out", type=Path, help="with --batch (also a CSV with a 'question' column, or "
                                 "text, one question per line): write the answers to a .csv, .md or .jsonl file")
            command.add_argument("--after", action="append", metavar="QUESTION",
                                 help="a question asked before this one (repeatable, oldest first): the question is "
                                 "answered as a follow-up in that conversation")
        command.set_defaults(func=func)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from kb.question_log import QuestionLog

    questions = QuestionLog.of(settings)  # every question asked, with its outcome, for `kyodo gaps`

    def one(kb: KnowledgeBase, question: str, lang: str | None, history: tuple[str, ...]) -> Answer:
        answer = kb.ask(question, lang, args.k, args.mode, history=list(history))
        questions.record(answer, "cli")
        return answer

    return _run(args, settings, one, lambda answer: answer.to_json(), _show_answer)


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    def one(kb: KnowledgeBase, question: str, lang: str | None, _history: tuple[str, ...]) -> dict:
        language, passages = kb.search(question, lang, args.k, args.mode)
        hits = [{"doc_id": p.best.chunk.doc_id, "chunk_id": p.best.chunk.chunk_id, "lang": p.best.chunk.lang,
                 "score": round(p.best.score, 6), "similarity": round(p.best.similarity, 4)} for p in passages]
        return {"question": question, "language": language, "hits": hits}

    return _run(args, settings, one, lambda hits: hits, _show_hits)


def _show_answer(answer: Answer) -> None:
    """The answer, its sources and its notes (a cut question included) in the answer's language."""
    from kb.messages import message

    if answer.searched != answer.question:  # a follow-up: what was searched for it
        print(f"» {answer.searched}")
    print(answer.answer)
    for c in answer.citations:
        print(f"[{c.n}] {c.title} ({c.doc_id}, {c.lang}) — {c.source}")
    for note in answer.notes:
        print(message(note.key, answer.language, **note.values))


def _show_hits(result: dict) -> None:
    for hit in result["hits"]:
        print(f"{hit['score']:.4f}  {hit['chunk_id']}")


def _run(args: argparse.Namespace, settings: Settings, one: One, as_json: Callable[[Any], dict],
         show: Callable[[Any], None]) -> int:
    """The single question or the batch, printed as JSON or (``show``) as text."""
    from kb.service import KnowledgeBase

    after = tuple(getattr(args, "after", None) or ())
    if args.batch and after:
        raise InputError('--after is for one question: give each batch item its "history" instead')
    if args.batch:
        return _batch(args, settings, one, as_json)
    if args.question is None:
        raise InputError("give a QUESTION or --batch FILE.jsonl")
    result = one(KnowledgeBase(settings), args.question, args.lang, after)
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        show(result)
    return 0


def _batch(args: argparse.Namespace, settings: Settings, one: One, as_json: Callable[[Any], dict]) -> int:
    """Every item of ``--batch``: JSONL on stdout, or (``ask --out``) the answers written to a .csv/.md/.jsonl file.

    The file is read and the output name checked before the index and the model are loaded."""
    from kb.service import KnowledgeBase
    from trainer.batch import BatchAnswer, check_output, read_questions, record, run_all, write

    out: Path | None = getattr(args, "out", None)
    if out:
        check_output(out)
    items = read_questions(args.batch)
    kb = KnowledgeBase(settings)
    started = time.perf_counter()
    results: list[BatchAnswer] = []  # answers for --out; without it each line is printed as it comes
    failed = 0
    for item, result, error in run_all(items, lambda i: one(kb, i.question, i.lang or args.lang, i.history),
                                       _progress if out else None):
        if error:
            failed += 1
            print(f"failed: {error}", file=sys.stderr, flush=True)
        if out:
            results.append(BatchAnswer(item, result, error))
        else:
            body = as_json(result) if result is not None else None
            print(json.dumps(record(item, body, error), ensure_ascii=False), flush=True)
    if out:
        write(results, out, args.lang or "en")
        seconds = time.perf_counter() - started
        abstained = sum(1 for r in results if r.answer and r.answer.abstained)
        print(f"{len(results)} questions ({abstained} abstained, {failed} failed) in {seconds:.0f} s "
              f"({seconds / len(results):.1f} s a question): {out}")
    return 1 if failed else 0


def _progress(done: int, total: int) -> None:
    if done:
        print(f"answered {done}/{total}", file=sys.stderr, flush=True)
