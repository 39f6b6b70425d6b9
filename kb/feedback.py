"""Officials' feedback on answers: one SQLite file under ``KYODO_HOME``, exportable as CSV.

A row is stored the moment a thumb is clicked; a comment sent later updates the same row.
``python -m kb.feedback OUT.csv`` exports every row. Nothing here knows about the web UI.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from kb.errors import InputError
from kb.records import Answer
from kb.spreadsheet import csv_writer

FILE_NAME = "feedback.sqlite3"  # the name kyodo export/import back up
RATINGS = ("up", "down", "")
MAX_COMMENT_CHARS = 2000

SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, language TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,
    rating TEXT NOT NULL, comment TEXT NOT NULL)"""


@dataclass(frozen=True)
class Feedback:
    """One rated answer; ``citations`` is the answer's citation list as JSON text."""

    question: str
    language: str
    answer: str
    citations: str
    rating: str = ""
    comment: str = ""
    created: str = ""
    id: int | None = None

    @classmethod
    def of(cls, answer: Answer, rating: str = "", comment: str = "") -> "Feedback":
        """Feedback on ``answer``, stamped now (UTC)."""
        cited = json.dumps(answer.to_json()["citations"], ensure_ascii=False)
        return cls(answer.question, answer.language, answer.answer, cited, rating, comment,
                   datetime.now(timezone.utc).isoformat(timespec="seconds"))


class FeedbackStore:
    """The feedback table; safe to share between the web server's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(SCHEMA)
        return connection

    def save(self, item: Feedback) -> int:
        """Insert ``item`` (or update its rating and comment when it has an ``id``); return its id."""
        if item.rating not in RATINGS:
            raise InputError(f"rating {item.rating!r} is not one of 'up', 'down' or ''")
        comment = item.comment.strip()[:MAX_COMMENT_CHARS]
        with self._lock, self._connect() as db:
            if item.id is not None:
                db.execute("UPDATE feedback SET rating = ?, comment = ? WHERE id = ?", (item.rating, comment, item.id))
                return item.id
            cursor = db.execute(
                "INSERT INTO feedback (created, language, question, answer, citations, rating, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (item.created, item.language, item.question, item.answer, item.citations, item.rating, comment))
            return int(cursor.lastrowid)

    def all(self) -> list[Feedback]:
        """Every row, oldest first."""
        if not self.path.exists():
            return []
        with self._lock, self._connect() as db:
            rows = db.execute("SELECT question, language, answer, citations, rating, comment, created, id "
                              "FROM feedback ORDER BY id").fetchall()
        return [Feedback(*row) for row in rows]

    def export_csv(self, out: TextIO) -> int:
        """Write every row as CSV with a header line; return the number of rows."""
        rows = self.all()
        columns = [f.name for f in fields(Feedback)]
        writer = csv_writer(out)  # comments and questions come from anyone: no cell may run as a formula
        writer.writerow(columns)
        writer.writerows([asdict(row)[name] for name in columns] for row in rows)
        return len(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m kb.feedback OUT.csv``: export the feedback under ``KYODO_HOME``."""
    from kb.settings import Settings

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kb.feedback OUT.csv", file=sys.stderr)
        return 2
    store = FeedbackStore(Settings.from_env().home / FILE_NAME)
    with open(args[0], "w", encoding="utf-8", newline="") as out:
        count = store.export_csv(out)
    print(f"exported {count} feedback rows to {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
