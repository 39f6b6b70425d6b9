"""Batch Q&A: a file of questions in, answers with citations out as CSV, Markdown or JSONL.

Input is a CSV with a ``question`` column (optional ``id`` and ``lang`` columns), a text file with one
question per line, or the JSONL of ``kyodo ask --batch`` (``{"id", "question", "lang"?, "history"?}`` per line;
``history``: the questions asked before it, oldest first, for a follow-up such as "And in Cebu?").
Any of ja/en/id/th; a question's language is detected unless the file gives it. A file that cannot
be used at all raises ``InputError`` naming the file and the fix; a bad line or row (no JSON object, an
empty question, an unknown language) is an item with its error naming the file and line, and the rest
of the batch is answered.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from kb.errors import IndexMissingError, InputError, KyodoError, ModelMissingError
from kb.records import Answer
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES
from kb.spreadsheet import csv_writer
from trainer.render import md
from trainer.texts import text

MAX_QUESTIONS = 500
CSV_COLUMNS = ["id", "question", "language", "answer", "abstained", "mode", "sources", "quotes", "note", "error"]
HOWTO = "write one question per line, or a CSV whose header has a 'question' column"


@dataclass(frozen=True)
class BatchQuestion:
    """One question of a batch: its id as the file gives it (a JSON number stays a number; else the line or row
    number), its language if the file gave one, and ``error`` when the item cannot be asked (the rest can).
    ``history``: the conversation's previous questions, oldest first (JSONL only)."""

    id: object
    question: str
    lang: str | None = None
    error: str = ""
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchAnswer:
    """A question and Kyodo's answer to it, or the error that stopped it (the batch goes on)."""

    item: BatchQuestion
    answer: Answer | None
    error: str = ""


def read_questions(path: Path, name: str | None = None) -> list[BatchQuestion]:
    """The questions in ``path`` (``.csv``, ``.jsonl``/``.json``, anything else: one per line).

    ``name`` is how errors refer to the file (an upload's original name rather than its temp path). A file that
    cannot be used at all raises ``InputError``; a bad line or row becomes an item with its ``error``.
    """
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror})") from exc
    if b"\x00" in raw:
        raise InputError(f"{name}: not a text file (it holds binary data); save the questions as UTF-8 CSV, "
                         "text or JSONL")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV or text") from exc
    if not content.strip():
        raise InputError(f"{name}: the file is empty: {HOWTO}")
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        items = _csv(content, name)
    elif suffix in (".jsonl", ".json"):
        items = _jsonl(content, name)
    else:
        items = [BatchQuestion(str(n), line.strip()) for n, line in enumerate(content.splitlines(), 1) if line.strip()]
    if not items:
        raise InputError(f"{name}: no questions found: {HOWTO}")
    if len(items) > MAX_QUESTIONS:
        raise InputError(f"{name}: {len(items)} questions, more than {MAX_QUESTIONS} at a time: split the file")
    return items


def _item(ident: object, question: object, lang: object, where: str, history: object = ()) -> BatchQuestion:
    """A question as a file gives it, or the item's error naming ``where`` (file:line) and the fix."""
    text_of = question.strip() if isinstance(question, str) else ""
    code = lang.strip().lower() if isinstance(lang, str) else lang
    if not isinstance(question, str):
        error = f'{where}: needs a "question" string, e.g. {{"id": "q1", "question": "..."}}'
    elif not text_of:
        error = f"{where}: the question is empty (write a question, or delete the line)"
    elif code and code not in LANGUAGES:
        error = f"{where}: language {code!r} is not one of {', '.join(LANGUAGES)} (leave it empty to detect it)"
    elif not isinstance(history, (list, tuple)) or not all(isinstance(h, str) and h.strip() for h in history):
        error = (f'{where}: "history" is {json.dumps(history, ensure_ascii=False)[:80]}, not a list of the questions '
                 'asked before, oldest first (e.g. "history": ["How much market waste does Bago compost a day?"])')
    else:
        return BatchQuestion(ident, text_of, code or None, history=tuple(h.strip() for h in history))
    return BatchQuestion(ident, text_of, None, error)


def _csv(content: str, name: str) -> list[BatchQuestion]:
    first = content.splitlines()[0]
    # Excel writes ';' or tabs in some locales; csv.Sniffer guesses wrong on one-column files, so look at the header.
    delimiter = next((d for d in (",", "\t", ";") if d in first), ",")
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if "question" not in header:
        found = ", ".join(repr(h) for h in header if h) or "nothing"
        raise InputError(f"{name}: no 'question' column (the header has {found}): name the column of questions "
                         f"'question', or upload a .txt file with one question per line")
    column = {key: header.index(key) for key in ("id", "question", "lang", "language") if key in header}
    items = []
    for row_number, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):  # blank rows, as spreadsheets leave at the end
            continue
        cell = row[column["question"]] if len(row) > column["question"] else ""
        given = next((row[column[k]] for k in ("lang", "language") if k in column and len(row) > column[k]), None)
        ident = row[column["id"]].strip() if "id" in column and len(row) > column["id"] else ""
        items.append(_item(ident or str(row_number - 1), cell, given, f"{name}:{row_number}"))
    return items


def _jsonl(content: str, name: str) -> list[BatchQuestion]:
    """One item per non-blank line, ``{"id", "question", "lang"?, "history"?}``; a line that is not one is an item's
    error."""
    items = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append(BatchQuestion(str(number), "", None, f'{where}: not a JSON object ({exc.msg}); write one '
                                                              '{"id", "question"} per line'))
            continue
        if not isinstance(item, dict):
            item = {"question": None}
        items.append(_item(item["id"] if "id" in item else str(number), item.get("question"), item.get("lang"), where,
                           item.get("history", ())))
    return items


T = TypeVar("T")


def attempt(item: BatchQuestion, one: Callable[[BatchQuestion], T]) -> tuple[T | None, str]:
    """``one(item)``, or ``None`` and the item's error: a bad item or a failed question does not stop a batch,
    but a missing or empty index or model, which every question would hit, does (it is raised)."""
    if item.error:
        return None, item.error
    try:
        return one(item), ""
    except (IndexMissingError, ModelMissingError):
        raise
    except KyodoError as exc:
        return None, str(exc)


def run_all(items: list[BatchQuestion], one: Callable[[BatchQuestion], T],
            progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[BatchQuestion, T | None, str]]:
    """``(item, one(item), "")`` for each item in turn, or ``(item, None, error)`` (see ``attempt``).

    The one loop behind every batch: the page's, ``kyodo ask --batch`` in any format, and ``kyodo search --batch``.
    """
    for done, item in enumerate(items):
        if progress:
            progress(done, len(items))
        result, error = attempt(item, one)
        yield item, result, error
    if progress:
        progress(len(items), len(items))


def answer_all(kb: KnowledgeBase, items: list[BatchQuestion], lang: str | None = None,
               progress: Callable[[int, int], None] | None = None, k: int | None = None,
               mode: str = "hybrid") -> Iterator[BatchAnswer]:
    """Answer each question in turn (``lang`` fixes the language of those the file leaves open)."""
    for item, answer, error in run_all(items, lambda i: kb.ask(i.question, i.lang or lang, k, mode,
                                                                history=list(i.history)), progress):
        yield BatchAnswer(item, answer, error)


def _sources(answer: Answer) -> str:
    return "\n".join(f"[{c.n}] {c.title} — {c.source} ({c.doc_id}, {c.lang})" for c in answer.citations)


def _quotes(answer: Answer) -> str:
    return "\n".join(f"[{c.n}] {s}" for c in answer.citations for s in c.sentences)


def write_csv(results: list[BatchAnswer], out: TextIO) -> None:
    """One row per question; sources and quoted sentences one per line within their cells."""
    writer = csv_writer(out)  # cells starting with = + - @ are neutralised: questions come from anyone
    writer.writerow(CSV_COLUMNS)
    for result in results:
        a = result.answer
        writer.writerow([result.item.id, result.item.question, a.language if a else (result.item.lang or ""),
                         a.answer if a else "", str(a.abstained).lower() if a else "", a.mode if a else "",
                         _sources(a) if a else "", _quotes(a) if a else "", a.note if a else "", result.error])


def write_markdown(results: list[BatchAnswer], out: TextIO, lang: str = "en") -> None:
    """A readable report: each question, its answer with [n] markers, and its sources with the quoted sentences."""
    out.write(f"# {text('batch_title', lang)}\n")
    for result in results:
        a = result.answer
        out.write(f"\n## {md(str(result.item.id))}. {md(result.item.question)}\n\n")
        if a is None:
            out.write(f"**{md(result.error)}**\n")
            continue
        out.write(f"{md(a.answer)}\n")
        if a.note:
            out.write(f"\n_{md(a.note)}_\n")
        if a.citations:
            out.write(f"\n**{text('sources', a.language)}**\n\n")
        for c in a.citations:
            out.write(f"- [{c.n}] {md(c.title)} — {md(c.source)} ({c.doc_id}, {c.lang})\n")
            for sentence in c.sentences:
                out.write(f"  > {md(sentence)}\n")


def record(item: BatchQuestion, body: dict | None, error: str = "") -> dict:
    """One line of ``kyodo ask --batch``'s JSONL: ``{"id", **body}``, or ``{"id", "question", "error"}``.

    >>> record(BatchQuestion(7, ""), None, "q.jsonl:2: the question is empty")
    {'id': 7, 'question': '', 'error': 'q.jsonl:2: the question is empty'}
    """
    return {"id": item.id, **(body if body is not None else {"question": item.question, "error": error})}


def write_jsonl(results: list[BatchAnswer], out: TextIO) -> None:
    """The ``kyodo ask --batch`` contract, one ``record`` per line."""
    for result in results:
        body = result.answer.to_json() if result.answer else None
        out.write(json.dumps(record(result.item, body, result.error), ensure_ascii=False) + "\n")


WRITERS = {".csv": write_csv, ".md": write_markdown, ".jsonl": write_jsonl}


def check_output(path: Path) -> None:
    """Refuse an output name whose suffix names no format, before any question is answered."""
    if path.suffix.lower() not in WRITERS:
        raise InputError(f"{path}: cannot write {path.suffix or 'a file without a suffix'}: name it .csv, .md or .jsonl")


def write(results: list[BatchAnswer], path: Path, lang: str = "en") -> None:
    """Write ``results`` to ``path`` in the format its suffix names (.csv, .md or .jsonl)."""
    check_output(path)
    suffix = path.suffix.lower()
    # The BOM lets Excel read Japanese and Thai in a CSV; other formats stay plain UTF-8.
    with path.open("w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as out:
        if suffix == ".md":
            write_markdown(results, out, lang)
        else:
            WRITERS[suffix](results, out)
