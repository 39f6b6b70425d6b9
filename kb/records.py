"""The small typed records that pass between stages: Document → Chunk → Hit → Citation → Answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.messages import TRUNCATED, message

if TYPE_CHECKING:  # kb.language loads lingua; a record needs only the type
    from kb.language import Detection


@dataclass(frozen=True)
class Facts:
    """What a document's front matter says: its source, the language it was translated from (``None``: it is the
    original), and a case's tags. A tag field is ``None`` when the document has none (a plain PDF, text or HTML
    file), and empty when a case gives it empty (``years: []``)."""

    source: str | None = None
    translated_from: str | None = None
    cities: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    years: tuple[str, ...] | None = None

    @property
    def is_original(self) -> bool:
        """Whether the document is the case's original (a translation names its source language)."""
        return self.translated_from is None

    def tags(self, name: str) -> tuple[str, ...]:
        """The values of the tag field ``name`` (``cities``, ``countries``, ``topics``, ``years``), none when absent."""
        return getattr(self, name) or ()


@dataclass(frozen=True)
class Document:
    """One readable file in one language: a case study's ``<lang>.md``, or an uploaded PDF/DOCX/HTML/text."""

    doc_id: str
    lang: str
    title: str
    paragraphs: list[str]
    path: str
    facts: Facts = field(default_factory=Facts)

    @property
    def key(self) -> str:
        """Stable id of this language version: ``<doc_id>/<lang>``."""
        return f"{self.doc_id}/{self.lang}"


@dataclass(frozen=True)
class Chunk:
    """A passage to embed: paragraphs ``first..last`` of a document (or a sentence window of one).

    ``passage_text`` is the whole passage (``text`` may be a window of it); ``tokens`` are its keyword tokens
    (``kb.tokens``) joined by spaces, for BM25. ``kb.codec`` stores and reads these fields.
    """

    chunk_id: str
    doc_id: str
    lang: str
    title: str
    text: str
    first: int
    last: int
    facts: Facts = field(default_factory=Facts)
    path: str = ""
    passage_text: str = ""
    tokens: str = ""

    @property
    def passage(self) -> str:
        """Language-independent key of the aligned passage: the same in ja, en, id and th."""
        return f"{self.doc_id}#p{self.first}-{self.last}"


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the dense cosine similarity behind it."""

    chunk: Chunk
    score: float
    similarity: float


@dataclass(frozen=True)
class Passage:
    """An aligned passage (same paragraphs in every language) with its rank evidence."""

    key: str
    best: Hit
    texts: dict[str, str]

    def text_in(self, lang: str) -> tuple[str, str]:
        """The passage in ``lang`` when translated, else in the language that matched."""
        if lang in self.texts:
            return lang, self.texts[lang]
        return self.best.chunk.lang, self.texts[self.best.chunk.lang]


@dataclass(frozen=True)
class Citation:
    """A cited passage in the reader's language, with its Japanese original."""

    n: int
    doc_id: str
    title: str
    lang: str
    text: str
    original_text: str
    source: str
    sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Note:
    """What a reader should know about an answer, as a ``kb.messages`` key and the values it is filled with,
    so each reader renders it in its own language: ``Note("too_long", {"chars": "20,066", "limit": "2,000"})``."""

    key: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What ``kyodo ask`` returns, built once; ``to_json`` is the CLI's stable contract."""

    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    # "extractive" (quoted sentences), "generative" (a model's answer that passed kb.verify) or
    # "fallback" (the model's answer failed verification, so the extractive one is shown; note says why).
    mode: str = "extractive"
    # The cases hold what the question is about but not the fact it asks for: ``answer`` says so, citing the case.
    partial: bool = False
    # The type of fact asked for (kb.question): count, money, percent, duration, year, person, ... or fact.
    asked: str = "fact"
    # The question searched: a follow-up made standalone from the conversation (kb.followup); "": the question.
    searched: str = ""
    # The question's own language as detected (None for an answer made outside ``KnowledgeBase``, the baseline's).
    detection: Detection | None = None
    # Only the question's first ``MAX_QUESTION_CHARS`` characters were read (a ``too_long`` note says how many).
    truncated: bool = False
    notes: tuple[Note, ...] = ()
    # The first-ranked passage's case and its cosine to the question: what the gap report groups declined questions by.
    top_case: str = ""
    top_similarity: float = 0.0

    @property
    def note(self) -> str:
        """The ``--json`` note: the notes in the answer's language, less the truncation, which it has never held."""
        return " ".join(message(n.key, self.language, **n.values) for n in self.notes if n.key != TRUNCATED)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "lang": c.lang, "text": c.text,
                 "original_text": c.original_text, "source": c.source, "sentences": c.sentences}
                for c in self.citations
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "note": self.note,
            "mode": self.mode,
            "partial": self.partial,
            "asked": self.asked,
            "searched": self.searched or self.question,
        }
