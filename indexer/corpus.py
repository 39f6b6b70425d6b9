"""Parse the corpus format: Markdown files with YAML front matter and blank-line paragraphs.

Layout: ``corpus/cases/<case-id>/<lang>.md``; a paragraph is a block of lines separated by
one or more blank lines, so paragraph N of every language file is the same passage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.errors import CorpusError

FENCE = "---"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a case file, with the 1-based line it starts on."""

    index: int
    line: int
    text: str


@dataclass(frozen=True)
class CaseFile:
    """A parsed ``<lang>.md``: its front matter and its paragraphs."""

    path: Path
    meta: dict
    paragraphs: list[Paragraph]
    body_line: int

    @property
    def case_id(self) -> str:
        return self.path.parent.name

    @property
    def lang(self) -> str:
        return self.path.stem


def split_paragraphs(body: str, first_line: int = 1) -> list[Paragraph]:
    """Split text into blank-line-separated paragraphs, keeping each one's start line.

    >>> [p.line for p in split_paragraphs("a\\n\\nb\\nc\\n\\n\\nd")]
    [1, 3, 7]
    """
    paragraphs: list[Paragraph] = []
    block: list[str] = []
    start = first_line
    for offset, line in enumerate(body.split("\n") + [""]):
        if line.strip():
            if not block:
                start = first_line + offset
            block.append(line.rstrip())
        elif block:
            paragraphs.append(Paragraph(len(paragraphs), start, "\n".join(block)))
            block = []
    return paragraphs


def read_case_file(path: Path) -> CaseFile:
    """Read one corpus file; raise ``CorpusError`` naming the file, the line and the fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from exc
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise CorpusError(f"{path}:1: no front matter (start the file with a '---' line, the YAML fields, then '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise CorpusError(f"{path}:1: front matter is not closed (add a '---' line after the YAML fields)") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise CorpusError(f"{path}:{line}: front matter is not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}:2: front matter must be 'key: value' fields, got {type(meta).__name__}")
    body_line = end + 2
    return CaseFile(path, meta, split_paragraphs("\n".join(lines[end + 1 :]), body_line), body_line)
