"""Batch Q&A: a file of questions in, answers with citations out as CSV, Markdown or JSONL.

Input is a CSV with a ``question`` column (optional ``id`` and ``lang`` columns), a text file with one
question per line, or the JSONL of ``kyodo ask --batch`` (``{"id", "question", "lang"?}`` per line).
Any of ja/en/id/th; a question's language is detected unless the file gives it. A file that cannot
be used raises ``InputError`` naming the file (and the line) and the fix.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kb.errors import InputError, KyodoError
from kb.records import Answer
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES
from trainer.render import md
from trainer.texts import text

MAX_QUESTIONS = 500
CSV_COLUMNS = ["id", "question", "language", "answer", "abstained", "mode", "sources", "quotes", "note", "error"]
HOWTO = "write one question per line, or a CSV whose header has a 'question' column"


@dataclass(frozen=True)
class BatchQuestion:
    """One question of a batch, with its id (given, or the line/row number) and language if the file gave one."""

    id: str
    question: str
    lang: str | None = None


@dataclass(frozen=True)
class BatchAnswer:
    """A question and Kyodo's answer to it, or the error that stopped it (the batch goes on)."""

    item: BatchQuestion
    answer: Answer | None
    error: str = ""


def read_questions(path: Path, name: str | None = None) -> list[BatchQuestion]:
    """The questions in ``path`` (``.csv``, ``.jsonl``/``.json``, anything else: one per line).

    ``name`` is how errors refer to the file (an upload's original name rather than its temp path).
    """
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror})") from exc
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


def _language(value: str | None, where: str) -> str | None:
    code = (value or "").strip().lower()
    if code and code not in LANGUAGES:
        raise InputError(f"{where}: language {code!r} is not one of {', '.join(LANGUAGES)} (leave it empty to detect it)")
    return code or None


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
        cell = row[column["question"]].strip() if len(row) > column["question"] else ""
        if not cell:
            continue
        given = next((row[column[k]] for k in ("lang", "language") if k in column and len(row) > column[k]), None)
        ident = row[column["id"]].strip() if "id" in column and len(row) > column["id"] else ""
        items.append(BatchQuestion(ident or str(row_number - 1), cell, _language(given, f"{name}:{row_number}")))
    return items


def jsonl_items(content: str, name: str) -> list[tuple[int, dict]]:
    """Each non-blank line's number and JSON object; every object must hold a "question" string."""
    items = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not a JSON object ({exc.msg}); write one {{\"id\", \"question\"}} per line") from exc
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise InputError(f"{name}:{number}: needs a \"question\" string, e.g. {{\"id\": \"q1\", \"question\": \"...\"}}")
        items.append((number, item))
    return items


def _jsonl(content: str, name: str) -> list[BatchQuestion]:
    return [BatchQuestion(str(item.get("id") or number), item["question"], _language(item.get("lang"), f"{name}:{number}"))
            for number, item in jsonl_items(content, name) if item["question"].strip()]


def answer_all(kb: KnowledgeBase, items: list[BatchQuestion], lang: str | None = None,
               progress: Callable[[int, int], None] | None = None, k: int | None = None,
               mode: str = "hybrid") -> Iterator[BatchAnswer]:
    """Answer each question in turn (``lang`` fixes the language of those the file leaves open)."""
    for done, item in enumerate(items):
        if progress:
            progress(done, len(items))
        try:
            yield BatchAnswer(item, kb.ask(item.question, item.lang or lang, k, mode))
        except KyodoError as exc:
            yield BatchAnswer(item, None, str(exc))
    if progress:
        progress(len(items), len(items))


def _sources(answer: Answer) -> str:
    return "\n".join(f"[{c.n}] {c.title} — {c.source} ({c.doc_id}, {c.lang})" for c in answer.citations)


def _quotes(answer: Answer) -> str:
    return "\n".join(f"[{c.n}] {s}" for c in answer.citations for s in c.sentences)


def write_csv(results: list[BatchAnswer], out: TextIO) -> None:
    """One row per question; sources and quoted sentences one per line within their cells."""
    writer = csv.writer(out)
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
        out.write(f"\n## {md(result.item.id)}. {md(result.item.question)}\n\n")
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


def write_jsonl(results: list[BatchAnswer], out: TextIO) -> None:
    """The ``kyodo ask --batch`` contract: ``{"id", **answer.to_json()}`` per line (``{"id", "error"}`` on error)."""
    for result in results:
        body = result.answer.to_json() if result.answer else {"question": result.item.question, "error": result.error}
        out.write(json.dumps({"id": result.item.id, **body}, ensure_ascii=False) + "\n")


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
