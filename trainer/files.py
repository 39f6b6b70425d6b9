"""A session pack's files: a name from its theme, and the Markdown and PDF written under it."""

from __future__ import annotations

import re
from pathlib import Path

from trainer.pack import Pack
from trainer.pdf import to_pdf
from trainer.render import to_html, to_markdown


def slug(value: str) -> str:
    """A file-name-safe form of a theme.

    >>> slug("Market waste / composting"), slug("การทำปุ๋ยหมัก")
    ('market-waste-composting', 'การทำปุ๋ยหมัก')
    """
    return re.sub(r"[^\w\u0e00-\u0e7f]+", "-", value.lower()).strip("-")[:60] or "pack"  # Thai vowels are not \w


def write_pack(pack: Pack, out: Path, pdf: bool = True) -> list[Path]:
    """Write ``out``.md (and ``out``.pdf); returns the paths written."""
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
