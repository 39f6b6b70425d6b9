"""What the web page does, without the web: warm-up, asking, feedback. Knows no Gradio.

``Backend.ask`` never raises for a user's input: an empty question, a paste of 20,000
characters, emoji only, an unsupported language or a missing index all come back as a
``Turn`` with a message in the page's language, so the server keeps serving. ``ask_stream`` is
the same answer as it is written, for a generative answer (``KYODO_LLM``) to appear piece by piece.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from kb.errors import IndexMissingError, KyodoError
from kb.feedback import FILE_NAME, Feedback, FeedbackStore
from kb.language import detect_language
from kb.messages import message
from kb.question_log import QuestionLog
from kb.records import Answer, Note
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings
from kb.vocabulary import language_name
from ui.catalog import Catalog
from ui.texts import EXAMPLES, text

log = logging.getLogger("kyodo.ui")
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Status:
    """Start-up state: ``loading``, ``indexing``, ``ready`` or ``failed`` (with the reason)."""

    state: str
    detail: str = ""


@dataclass
class Turn:
    """One question and what the page shows for it, in the page language ``lang``."""

    n: int
    question: str
    lang: str
    answer: Answer | None = None
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    feedback_id: int | None = None
    log_id: int | None = None  # the question's row in the question log (None: not logged, or the log is off)
    rating: str = ""
    comment: str = ""
    draft: str = ""  # the verified text streamed so far, while a generative answer is being written
    stopped: bool = False  # the reader pressed Stop before the answer was finished


class Backend:
    """One per process: the knowledge base (model loaded once), the catalog and the feedback store."""

    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None,
                 build_index: Callable[[KnowledgeBase], object] | None = None) -> None:
        """``build_index(kb)``, when given, makes the index on a first start (``kyodo serve`` passes the indexer);
        without it a missing index fails warm-up with "run 'kyodo index' first"."""
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        self._build_index = build_index
        self.feedback = FeedbackStore(settings.home / FILE_NAME)
        self.questions = QuestionLog.of(settings)  # KYODO_QUESTION_LOG=off: records nothing
        self.status = Status("loading")
        self._ready = threading.Event()
        self._catalog: Catalog | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Warm up in the background (load the index and model; build the index on a first start)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.warm, name="kyodo-warmup", daemon=True)
            self._thread.start()

    def warm(self) -> Status:
        """Load everything the first question needs; idempotent."""
        started = time.perf_counter()
        try:
            try:
                self.kb.retriever
            except IndexMissingError:
                if self._build_index is None:
                    raise
                self.status = Status("indexing")
                log.info("no index yet: building it from %s", self.settings.corpus)
                self._build_index(self.kb)
                self.kb.retriever
            self.kb.embedder.embed_query("warm-up")
            for lang in LANGUAGES:  # each language's tokenizer loads on first use: 1-4 s that no reader should wait
                self.kb.search(EXAMPLES[lang][0], lang)
            detect_language(EXAMPLES["en"][0])  # lingua loads its models on first use too (~4 s of CPU)
            self.status = Status("ready")
            log.info("ready in %.1f s", time.perf_counter() - started)
        except KyodoError as exc:
            self.status = Status("failed", str(exc))
        finally:
            self._ready.set()
        return self.status

    def wait(self, timeout: float | None = None) -> Status:
        """The status once warm-up has finished (or after ``timeout`` seconds)."""
        self.start()
        self._ready.wait(timeout)
        return self.status

    @property
    def catalog(self) -> Catalog:
        """The case studies of the index being served, rebuilt after the indexer switches generations."""
        library = self.kb.library
        if self._catalog is None or self._catalog.cases is not library.cases:
            self._catalog = Catalog(library, self.kb.glossary)
        return self._catalog

    def catalog_or_none(self) -> Catalog | None:
        """``catalog``, or ``None`` while there is no index to list (the page shows empty choices meanwhile)."""
        try:
            return self.catalog
        except KyodoError:
            return None

    def ask(self, n: int, question: str, choice: str, page_lang: str,
            where: dict[str, list[str]] | None = None, history: list[str] | None = None) -> Turn:
        """Answer ``question``: ``choice`` is ``auto`` (follow the question) or a fixed page language; ``history``:
        the conversation's earlier questions, oldest first, for a follow-up ("And in Cebu?")."""
        *_, turn = self.ask_stream(n, question, choice, page_lang, where, history)
        assert isinstance(turn, Turn)
        return turn

    @property
    def streams(self) -> bool:
        """Whether answers are written by a language model, and so worth showing as they stream."""
        return self.kb.settings.llm != "off"

    def ask_stream(self, n: int, question: str, choice: str, page_lang: str,
                   where: dict[str, list[str]] | None = None, history: list[str] | None = None) -> Iterator[str | Turn]:
        """``ask`` as it is written: verified text pieces (``str``) of a generative answer, then the ``Turn``.

        The ``Turn`` is always last; its answer replaces the pieces (it is the extractive answer, with a
        note, when the model's text failed verification). Closing the iterator stops the model.
        """
        started = time.perf_counter()
        fixed = choice if choice in LANGUAGES else None
        lang = fixed or page_lang
        turn = Turn(n, question or "", lang)
        cleaned = (question or "").strip()
        if not cleaned:
            turn.error = text("empty", lang)
        elif not LETTER.search(cleaned):
            turn.error = text("no_words", lang)
        elif (status := self.wait()).state == "failed":
            turn.error = text("failed", lang, detail=status.detail)
        else:
            yield from self._answer(turn, cleaned, fixed, where, history)
        turn.seconds = time.perf_counter() - started
        yield turn

    def _answer(self, turn: Turn, question: str, fixed: str | None,
                where: dict[str, list[str]] | None, history: list[str] | None) -> Iterator[str]:
        # An ambiguous question ("And in Cebu?") is answered in the page language and never switches it.
        stream = self.kb.ask_stream(question, fixed, where=where or None, unsure_lang=turn.lang, history=history)
        answer: Answer | None = None
        try:
            for item in stream:
                if isinstance(item, Answer):
                    answer = item
                else:
                    turn.draft += item
                    yield item
        except IndexMissingError as exc:
            turn.error = text("no_index", turn.lang, detail=str(exc))
            return
        except KyodoError as exc:
            turn.error = text("error", turn.lang, detail=str(exc))
            return
        except Exception as exc:  # the page must keep serving whatever one question hits
            log.exception("answering %r failed", question[:200])
            turn.error = text("error", turn.lang, detail=type(exc).__name__)
            return
        finally:
            stream.close()  # a reader's Stop closes this generator; closing the stream stops the model
        assert answer is not None, "KnowledgeBase.ask_stream always ends with the Answer"
        if fixed is None and answer.detection and answer.detection.supported:
            turn.lang = answer.language
        turn.answer = answer
        turn.log_id = self.questions.record(answer, "web")
        turn.notes.extend(note_text(note, turn.lang) for note in answer.notes)
        if where and any(where.values()):
            catalog = self.catalog
            names = [catalog.name(name, value, turn.lang) for name, values in where.items() for value in values]
            turn.notes.append(text("filtered", turn.lang, filters=", ".join(names)))

    def rate(self, turn: Turn, rating: str | None = None, comment: str | None = None) -> int:
        """Store feedback on ``turn``'s answer; later calls update the same row. Returns the row id."""
        if turn.answer is None:
            raise KyodoError("there is no answer to rate: ask a question first")
        if rating is not None:
            turn.rating = rating
        if comment is not None:
            turn.comment = comment
        item = replace(Feedback.of(turn.answer, turn.rating, turn.comment), id=turn.feedback_id)
        turn.feedback_id = self.feedback.save(item)
        if rating is not None:
            self.questions.rate(turn.log_id, turn.rating)
        return turn.feedback_id


def note_text(note: Note, lang: str) -> str:
    """An answer's note in the page language; the page names the language it could not answer in, where kb's
    English note gives its code."""
    if note.key == "unsupported":
        return text("unsupported", lang, detected=language_name(note.values["detected"], lang))
    return message(note.key, lang, **note.values)
