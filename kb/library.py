"""The served corpus apart from retrieval: passage texts, one typed record per case, and the IDF table.

Read from the generation's chunk table (``kb.chunk_table``; ``HybridRetriever`` opens it, ``KnowledgeBase.library``
is the current one): a case or a passage is looked up when asked for, and only the IDF table is held whole.
Answers take titles, sources and original texts from it (it is ``kb.answer``'s ``Catalog``); the page lists its
cases; a session pack quotes its passages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from kb.chunk_table import ChunkTable
from kb.evidence import IdfTable
from kb.records import Chunk, Facts, Passage
from kb.settings import LANGUAGES

V = TypeVar("V")
CACHED = 512


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


class Lookup(Mapping[str, V]):
    """A read-only mapping over the chunk table: ``get`` reads one value (``None``: no such key), ``has`` and ``keys``
    answer without reading values, so a reader holds only what it asked for."""

    def __init__(self, get: Callable[[str], V | None], has: Callable[[str], bool],
                 keys: Callable[[], list[str]]) -> None:
        self._get, self._has, self._keys = get, has, keys

    def __getitem__(self, key: str) -> V:
        value = self._get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._has(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


class Library:
    """Every indexed case with its passages; what answers, the page and the packs read about the corpus."""

    def __init__(self, table: ChunkTable, generation: str = "") -> None:
        self.generation = generation
        # Each aligned passage's texts per language by passage key (``doc#pA-B``), and each case by document id (the
        # last CACHED cases kept, as a page or a pack reads one case many times).
        self.passage_texts: Lookup[dict[str, str]] = Lookup(lambda key: table.passage(key) or None,
                                                            table.has_passage, table.passage_keys)
        self.cases: Lookup[Case] = Lookup(functools.lru_cache(maxsize=CACHED)(lambda doc_id: _case_of(table, doc_id)),
                                          table.has_doc, table.doc_ids)
        # The frequencies were counted when the table was written: the table is filled, not recounted.
        self.idf = IdfTable.from_idf(table.idf())
        self._table = table

    def texts(self) -> list[str]:
        """Every passage's text in every language, from one query (what ``kb.mentions`` searches)."""
        return [text for by_lang in self._table.passages().values() for text in by_lang.values()]

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


def _case_of(table: ChunkTable, doc_id: str) -> Case | None:
    chunks = table.doc_chunks(doc_id)
    return _case(doc_id, chunks) if chunks else None


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
