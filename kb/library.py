"""The served corpus apart from retrieval: passage texts, one typed record per case, and the IDF table.

Built once per index generation from the chunk table (``HybridRetriever`` reads it; ``KnowledgeBase.library``
is the current one). Answers take titles, sources and original texts from it (it is ``kb.answer``'s
``Catalog``); the page lists its cases; a session pack quotes its passages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.evidence import IdfTable
from kb.records import Chunk, Facts, Passage
from kb.settings import LANGUAGES


@dataclass(frozen=True)
class Case:
    """One case study (or document): its titles, tags, source and original language, and its passages in reading
    order, as keys (``doc#pA-B``) and as texts per language (ja, en, id, th first)."""

    doc_id: str
    titles: dict[str, str]
    facts: Facts
    source: str
    original: str
    keys: list[str] = field(default_factory=list)
    passages: dict[str, list[str]] = field(default_factory=dict)

    @property
    def cities(self) -> tuple[str, ...]:
        return self.facts.tags("cities")

    @property
    def countries(self) -> tuple[str, ...]:
        return self.facts.tags("countries")

    @property
    def topics(self) -> tuple[str, ...]:
        return self.facts.tags("topics")

    @property
    def years(self) -> tuple[str, ...]:
        return self.facts.tags("years")

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get(self.original) or self.doc_id

    def text(self, lang: str) -> tuple[str, list[str]]:
        """The language shown and its passages: ``lang`` when translated, else the original."""
        shown = lang if lang in self.passages else self.original
        return shown, self.passages.get(shown, [])


class Library:
    """Every indexed case with its passages; what answers, the page and the packs read about the corpus."""

    def __init__(self, chunks: Iterable[Chunk], generation: str = "") -> None:
        self.generation = generation
        self.passage_texts: dict[str, dict[str, str]] = {}
        by_doc: dict[str, list[Chunk]] = {}
        tokens: dict[str, list[list[str]]] = {}
        for chunk in chunks:
            self.passage_texts.setdefault(chunk.passage, {})[chunk.lang] = chunk.passage_text
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
            tokens.setdefault(chunk.lang, []).append(chunk.tokens.split())
        self.cases = {doc_id: _case(doc_id, parts) for doc_id, parts in by_doc.items()}
        self.idf = IdfTable(tokens)

    def title(self, doc_id: str, lang: str) -> str:
        """The document's title in ``lang``, else in its original language."""
        return self.cases[doc_id].title(lang)

    def original_language(self, doc_id: str) -> str:
        """The language the document was written in (translations name it in ``translated_from``)."""
        return self.cases[doc_id].original if doc_id in self.cases else "ja"

    def original_text(self, passage: Passage) -> str:
        """The passage in its original language (Japanese for the white-paper cases)."""
        case = self.cases.get(passage.best.chunk.doc_id)
        return passage.text_in(case.original if case else passage.best.chunk.lang)[1]

    def source(self, doc_id: str) -> str:
        """Where the document comes from: a case's source section, an uploaded file's name."""
        return self.cases[doc_id].source if doc_id in self.cases else ""


def _case(doc_id: str, chunks: list[Chunk]) -> Case:
    """The case from its chunks in every language: tags, source and original language from the original's."""
    original = next((c for c in chunks if c.facts.is_original), chunks[0])
    texts: dict[str, dict[int, str]] = {}
    titles: dict[str, str] = {}
    firsts: dict[str, int] = {}
    for chunk in chunks:
        texts.setdefault(chunk.lang, {})[chunk.first] = chunk.passage_text
        titles[chunk.lang] = chunk.title
        firsts[chunk.passage] = chunk.first
    passages = {lang: [by_first[k] for k in sorted(by_first)] for lang, by_first in texts.items()}
    ordered = {lang: passages[lang] for lang in LANGUAGES if lang in passages} | passages
    return Case(doc_id, titles, original.facts, original.facts.source or original.path, original.lang,
                sorted(firsts, key=firsts.get), ordered)
