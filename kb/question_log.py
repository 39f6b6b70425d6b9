"""Every question asked in the web UI or the CLI, with its outcome: the raw material of the gap report (``kb.gaps``).

One SQLite file beside ``feedback.sqlite3`` (``$KYODO_HOME/questions.sqlite3``). A row holds the time (UTC), where it
was asked (``web`` or ``cli``), the answer's language, the question as typed and as searched, the outcome
(``answered``, ``partial`` or ``declined``), the question's type, the top case and its similarity, and the reader's
thumb when given. Deliberately nothing about who asked: no IP address, no user name, no session.
``KYODO_QUESTION_LOG=off`` (``Settings.question_log``) makes ``QuestionLog.record`` a no-op, while what was logged before can still be read and
deleted (``purge``, ``kyodo gaps --purge``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from kb.errors import InputError
from kb.records import Answer
from kb.settings import Settings

FILE_NAME = "questions.sqlite3"
OUTCOMES = ("answered", "partial", "declined")
SOURCES = ("web", "cli")
RATINGS = ("up", "down", "")

SCHEMA = """CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at TEXT NOT NULL, source TEXT NOT NULL, language TEXT NOT NULL,
    question TEXT NOT NULL, searched TEXT NOT NULL, outcome TEXT NOT NULL, asked TEXT NOT NULL,
    top_case TEXT NOT NULL, similarity REAL NOT NULL, rating TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, text))"""
COLUMNS = ("question", "language", "searched", "outcome", "asked", "top_case", "similarity", "rating", "asked_at",
           "source", "id")
log = logging.getLogger("kyodo.questions")


def outcome(answer: Answer) -> str:
    """``partial`` (the case is there, the asked fact is not), ``declined`` or ``answered``."""
    return "partial" if answer.partial else "declined" if answer.abstained else "answered"


@dataclass(frozen=True)
class Logged:
    """One logged question. ``asked_at`` is UTC ISO 8601 to the second; ``rating`` is ``up``, ``down`` or ``""``."""

    question: str
    language: str
    searched: str
    outcome: str
    asked: str
    top_case: str
    similarity: float
    rating: str = ""
    asked_at: str = ""
    source: str = "cli"
    id: int | None = None

    @classmethod
    def of(cls, answer: Answer, source: str) -> "Logged":
        """The row for ``answer``, stamped now."""
        return cls(answer.question, answer.language, answer.searched or answer.question, outcome(answer),
                   answer.asked, answer.top_case, round(answer.top_similarity, 4), "",
                   datetime.now(timezone.utc).isoformat(timespec="seconds"), source)

    @property
    def gap(self) -> bool:
        """Whether the cases failed this question: declined, partly answered, or rated 👎."""
        return self.outcome != "answered" or self.rating == "down"


def parse_day(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option value, or an error naming the option and the bad value."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD (e.g. 2026-12-01)") from None


class QuestionLog:
    """The questions table in ``path``; with ``recording`` off it records nothing new. Safe across threads."""

    def __init__(self, path: Path, recording: bool = True) -> None:
        self.path = path
        self.recording = recording
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> "QuestionLog":
        """The log under ``settings.home``, recording unless ``KYODO_QUESTION_LOG=off``."""
        return cls(settings.home / FILE_NAME, settings.question_log)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.executescript(SCHEMA)
        return connection

    def record(self, answer: Answer, source: str) -> int | None:
        """Log ``answer`` (asked from ``source``: ``web`` or ``cli``); its row id, or None when the log is off.

        A log that cannot be written costs the reader nothing: the answer is shown, the failure is one log line."""
        if source not in SOURCES:
            raise InputError(f"source {source!r} is not one of {', '.join(SOURCES)}")
        if not self.recording:
            return None
        row = Logged.of(answer, source)
        try:
            with self._lock, self._connect() as db:
                cursor = db.execute(
                    f"INSERT INTO questions ({', '.join(COLUMNS[:-1])}) VALUES ({', '.join('?' * (len(COLUMNS) - 1))})",
                    [getattr(row, name) for name in COLUMNS[:-1]])
                return int(cursor.lastrowid)
        except sqlite3.Error as exc:
            log.warning("question not logged in %s: %s", self.path, exc)
            return None

    def rate(self, row_id: int | None, rating: str) -> None:
        """Set the reader's thumb on a logged question (nothing when it was not logged)."""
        if rating not in RATINGS:
            raise InputError(f"rating {rating!r} is not one of 'up', 'down' or ''")
        if not self.recording or row_id is None or not self.path.exists():
            return
        try:
            with self._lock, self._connect() as db:
                db.execute("UPDATE questions SET rating = ? WHERE id = ?", (rating, row_id))
        except sqlite3.Error as exc:
            log.warning("rating not logged in %s: %s", self.path, exc)

    def rows(self, since: date | None = None, lang: str | None = None, before: date | None = None) -> list[Logged]:
        """Logged questions, oldest first: from ``since`` (inclusive), before ``before``, in ``lang`` when given."""
        if not self.path.exists():
            return []
        where, values = _where(since, lang, before)
        with self._lock, self._connect() as db:
            found = db.execute(f"SELECT {', '.join(COLUMNS)} FROM questions{where} ORDER BY id", values).fetchall()
        return [Logged(*row) for row in found]

    def vectors(self, texts: list[str], embed: Callable[[list[str]], np.ndarray], model: str) -> np.ndarray:
        """``embed(texts)``, each text's vector kept in this file by ``model`` so a report embeds a wording once
        (``purge`` deletes a question's vector with it)."""
        if not texts:
            return embed(texts)
        with self._lock, self._connect() as db:
            found = {text: np.frombuffer(blob, dtype=np.float32) for text, blob in db.execute(
                "SELECT text, vector FROM vectors WHERE model = ? AND text IN (SELECT value FROM json_each(?))",
                (model, json.dumps(texts)))}
        missing = [text for text in texts if text not in found]
        if missing:
            fresh = np.asarray(embed(missing), dtype=np.float32)
            found.update(zip(missing, fresh))
            with self._lock, self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vectors (model, text, vector) VALUES (?, ?, ?)",
                               [(model, text, vector.tobytes()) for text, vector in zip(missing, fresh)])
        return np.stack([found[text] for text in texts])

    def purge(self, before: date | None = None) -> int:
        """Delete every logged question asked before ``before`` (UTC day), or all of them; return how many."""
        if not self.path.exists():
            return 0
        where, values = _where(None, None, before)
        with self._lock, self._connect() as db:
            deleted = db.execute(f"DELETE FROM questions{where}", values).rowcount
            db.execute("DELETE FROM vectors WHERE text NOT IN (SELECT searched FROM questions)")
        with self._lock, sqlite3.connect(self.path, timeout=10) as db:
            db.execute("VACUUM")  # deleted text must not linger in free pages of the file
        return int(deleted)


def _where(since: date | None, lang: str | None, before: date | None) -> tuple[str, list[str]]:
    """The SQL condition for the filters; days compare as the ISO prefix of ``asked_at``."""
    parts, values = [], []
    if since is not None:
        parts.append("asked_at >= ?")
        values.append(since.isoformat())
    if before is not None:
        parts.append("asked_at < ?")
        values.append(before.isoformat())
    if lang:
        parts.append("language = ?")
        values.append(lang)
    return (" WHERE " + " AND ".join(parts) if parts else ""), values
