"""The printable PDF: WeasyPrint lays out the pack's HTML with Debian's Pango, which shapes Thai and Japanese.

Pango and the fonts are system packages (``make pdf-deps``: libpango, fonts-thai-tlwg, fonts-noto-cjk);
without them ``to_pdf`` raises ``RenderError`` naming the fix rather than printing empty boxes.
``python -m trainer.pdf PACK.pdf --page 1 --out page.png`` renders a page to PNG to look at
(pypdfium2, in the ``test`` extra).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from kb.errors import KyodoError

FIX = "run 'make pdf-deps' (apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-thai-tlwg fonts-noto-cjk)"
SCRIPTS = {"th": "Thai", "ja": "Japanese"}


class RenderError(KyodoError):
    """The PDF cannot be made on this machine: a system library or font is missing."""


@lru_cache(maxsize=4)
def check_fonts(lang: str) -> None:
    """Refuse to print ``lang`` without a font for it (fontconfig would fall back to empty boxes)."""
    if lang not in SCRIPTS or shutil.which("fc-list") is None:
        return
    found = subprocess.run(["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, check=False)
    if not found.stdout.strip():
        raise RenderError(f"no {SCRIPTS[lang]} font is installed, so the PDF would show empty boxes: {FIX}")


def to_pdf(html: str, langs: tuple[str, ...] = ("ja",)) -> bytes:
    """The HTML page as PDF bytes; ``langs`` are the scripts it contains (checked for fonts first)."""
    for lang in langs:
        check_fonts(lang)
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango with ctypes when imported
        raise RenderError(f"the PDF needs Pango, which is not installed ({exc}): {FIX}") from exc
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting is chatty at INFO
    return HTML(string=html).write_pdf()


def page_count(pdf: bytes) -> int:
    """Pages in a PDF (pypdf, a core dependency)."""
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def page_png(pdf: bytes, page: int = 1, scale: float = 2.0) -> bytes:
    """One page (1-based) as PNG bytes, to look at what the PDF shows."""
    from io import BytesIO

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    if not 1 <= page <= len(document):
        raise KyodoError(f"page {page} is not in the PDF (it has {len(document)} pages)")
    image = document[page - 1].render(scale=scale).to_pil()
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.pdf", description="render a PDF page to PNG")
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--scale", type=float, default=2.0, help="2.0 is 144 dpi")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        args.out.write_bytes(page_png(args.pdf.read_bytes(), args.page, args.scale))
    except (KyodoError, OSError) as exc:
        print(f"trainer.pdf: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
