"""The small typed records that pass between stages: Document → Chunk → Hit → Citation → Answer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One readable file in one language: a case study's ``<lang>.md``, or an uploaded PDF/DOCX/HTML/text."""

    doc_id: str
    lang: str
    title: str
    paragraphs: list[str]
    path: str
    meta: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable id of this language version: ``<doc_id>/<lang>``."""
        return f"{self.doc_id}/{self.lang}"


@dataclass(frozen=True)
class Chunk:
    """A passage to embed: paragraphs ``first..last`` of a document (or a sentence window of one)."""

    chunk_id: str
    doc_id: str
    lang: str
    title: str
    text: str
    first: int
    last: int
    meta: dict = field(default_factory=dict)

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


@dataclass
class Answer:
    """What ``kyodo ask`` returns; ``to_json`` is the CLI's stable contract."""

    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str = ""
    # "extractive" (quoted sentences), "generative" (a model's answer that passed kb.verify) or
    # "fallback" (the model's answer failed verification, so the extractive one is shown; note says why).
    mode: str = "extractive"
    # The cases hold what the question is about but not the fact it asks for: ``answer`` says so, citing the case.
    partial: bool = False
    # The type of fact asked for (kb.question): count, money, percent, duration, year, person, ... or fact.
    asked: str = "fact"

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
        }
