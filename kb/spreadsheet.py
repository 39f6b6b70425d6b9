"""CSV for spreadsheets: every export that Excel may open goes through ``csv_writer``.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice (``=HYPERLINK(...)`` in a feedback comment would run on a maintainer's
machine), so such a cell is prefixed with ``'`` as OWASP recommends for CSV injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: formula-looking strings get a leading ``'``.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1 tonne"), safe_cell("Bago"), safe_cell(3)
    ('\\'=HYPERLINK("http://x")', "'-1 tonne", 'Bago', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose every string cell passes through ``safe_cell``."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO) -> SafeWriter:
    """The one CSV writer for exports (feedback, batch answers, gap reports)."""
    return SafeWriter(out)
