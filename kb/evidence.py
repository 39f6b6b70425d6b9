"""Answer evidence: every sentence of the top passages, scored as an answer to the question.

A sentence scores by its meaning (cosine of its stored embedding to the question's: works across
languages and paraphrase), by the question's keywords it contains (IDF-weighted share, when
question and sentence share a language), and, for a question that asks for a kind of fact (a
number, a cost, a year, an organisation ...), by whether it holds one. Headings, captions and list
labels (``kb.labels``) are never candidates. Passages come cut into sentences as the indexer stored
them (``kb.passage_splits``; Thai cut into whole sentences along the Japanese original).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from kb.answer_types import carries, states_plan
from kb.glossary import Term, mentions
from kb.mentions import Mentions
from kb.passage_splits import PassageSplits
from kb.places import Place, gazetteer
from kb.question import Question
from kb.records import Passage
from kb.sentence_vectors import SentenceVectors
from kb.tokens import tokenize

PASSAGES_CONSIDERED = 3
KEYWORD_WEIGHT = 0.25
TYPED_WEIGHT = 0.15
RANK_PENALTY = 0.02
# Kinds of fact that belong to a place: one stated for another place does not answer the question's.
ABOUT_THE_PLACE = ("count", "money", "percent", "duration", "year", "person", "organisation", "company")
NOVELTY_WEIGHT = 0.1


class Catalog(Protocol):
    """What evidence needs to know about documents beyond the passages themselves."""

    def title(self, doc_id: str, lang: str) -> str: ...

    def original_text(self, passage: Passage) -> str: ...

    def original_language(self, doc_id: str) -> str: ...


class IdfTable:
    """Inverse document frequency of tokens per language, from the indexed chunks."""

    def __init__(self, token_lists: dict[str, list[list[str]]]) -> None:
        self.idf: dict[str, dict[str, float]] = {}
        self._rarest: dict[str, float] = {}
        for lang, docs in token_lists.items():
            df = Counter(t for tokens in docs for t in set(tokens))
            self.idf[lang] = {t: math.log(1 + len(docs) / n) for t, n in df.items()}

    @classmethod
    def from_idf(cls, idf: dict[str, dict[str, float]]) -> IdfTable:
        """The table of frequencies counted elsewhere (the chunk table's, counted when it was written)."""
        table = cls({})
        table.idf = idf
        return table

    def weight(self, token: str, lang: str) -> float:
        """The token's IDF; a token the chunks never use weighs as the rarest one they do.

        >>> table = IdfTable({"en": [["bago", "compost"], ["compost"]]})
        >>> table.weight("compost", "en") < table.weight("bago", "en") == table.weight("kenya", "en")
        True
        """
        found = self.idf.get(lang, {}).get(token)
        if found is not None:
            return found
        if lang not in self._rarest:  # looked up once: the table's maximum was the costliest step of an answer
            self._rarest[lang] = max(self.idf.get(lang, {}).values(), default=1.0)
        return self._rarest[lang]


@dataclass(frozen=True)
class Candidate:
    """A sentence of a top passage and what speaks for it as an answer."""

    sentence: str
    passage: Passage
    lang: str
    rank: int
    position: int
    similarity: float
    keywords: float
    typed: bool
    novelty: float = 0.0
    # Its passage names what the question names (its specific places and rare glossary names; ``_about``).
    about: bool = True

    @property
    def score(self) -> float:
        return (self.similarity + KEYWORD_WEIGHT * self.keywords + TYPED_WEIGHT * self.typed
                + NOVELTY_WEIGHT * self.novelty - RANK_PENALTY * self.rank)


def passage_sentences(passage: Passage, lang: str, catalog: Catalog, splits: PassageSplits) -> tuple[str, list[str]]:
    """The passage's language for a reader of ``lang`` and its sentences there, labels left out (as the indexer
    cut and stored them, ``kb.passage_splits``)."""
    text_lang, text = passage.text_in(lang)
    doc_id = passage.best.chunk.doc_id
    original_lang = catalog.original_language(doc_id)
    original = catalog.original_text(passage)
    return text_lang, list(splits.split(text, text_lang, original, original_lang))


def gather(question: Question, lang: str, passages: list[Passage], catalog: Catalog, idf: IdfTable,
           vectors: SentenceVectors, query: np.ndarray, names: tuple[str, ...], corpus: Mentions,
           terms: tuple[Term, ...] = ()) -> list[Candidate]:
    """Every candidate sentence of the top passages for a reader of ``lang``, in passage order.

    ``corpus`` tells a place every case is about (Kitakyushu): like the question's own places, it answers no "where".
    A figure, person or organisation counts as the asked kind only in a passage about what the question names
    (its places and glossary ``terms``; ``_about``): "144 people were dispatched" in KITA's case does not say how
    many staff Bago's centre has. A plan's or target's year ("aims to cut … by FY2050") does not say when something
    happened, unless the question asks about plans.

    Keywords count only where a sentence is in the language the question was asked in (``question.lang``).
    """
    rows: list[tuple[str, Passage, str, int, int]] = []
    for rank, passage in enumerate(passages[:PASSAGES_CONSIDERED]):
        text_lang, found = passage_sentences(passage, lang, catalog, vectors.splits)
        rows.extend((sentence, passage, text_lang, rank, position) for position, sentence in enumerate(found))
    if not rows:
        return []
    titles = [catalog.title(p.best.chunk.doc_id, text_lang) for _, p, text_lang, _, _ in rows]
    similarity = vectors.vectors([(title, row[0]) for title, row in zip(titles, rows)]) @ query
    asked = _weights(tokenize(f"{question.text} {' '.join(names)}", question.lang), question.lang, idf)
    common = corpus.common
    asked_places = {place.key for place in question.places}
    specific = [place for place in question.places if not place.is_region and not common(place)]
    named = [place.forms for place in specific]
    named += [forms for forms in map(_forms, terms) if not corpus.frequent(forms)]
    about = {p.key: _about(p, catalog, named) for p in passages[:PASSAGES_CONSIDERED]}

    def known(place: Place) -> bool:
        return place.key in asked_places or common(place)

    def typed(sentence: str, text_lang: str, passage: Passage) -> bool:
        return carries(sentence, text_lang, question.asked, names, known) and not (
            question.asked in ABOUT_THE_PLACE and (not about[passage.key] or _elsewhere(sentence, specific, common))
        ) and not (question.asked == "year" and not question.plans and states_plan(sentence))

    # Keyword coverage and novelty compare a sentence's tokens with the question's: only in the question's language.
    tokens = [set(tokenize(row[0], row[2])) if row[2] == question.lang else set() for row in rows]
    return [Candidate(sentence, passage, text_lang, rank, position, float(sim), _coverage(words, asked),
                      typed(sentence, text_lang, passage), _novelty(words, text_lang, asked, idf), about[passage.key])
            for (sentence, passage, text_lang, rank, position), sim, words in zip(rows, similarity, tokens)]


def _forms(term: Term) -> tuple[str, ...]:
    return tuple(form for forms in term.forms.values() for form in forms)


def _about(passage: Passage, catalog: Catalog, named: list[tuple[str, ...]]) -> bool:
    """Whether the passage, in any language, or its case's title names each thing in ``named`` (one of its forms)."""
    doc_id = passage.best.chunk.doc_id
    text = "\n".join([*passage.texts.values(), *(catalog.title(doc_id, code) for code in passage.texts)])
    return all(any(mentions(text, form, whole_word=False) for form in forms) for forms in named)


def _elsewhere(sentence: str, asked: list[Place], common: Callable[[Place], bool]) -> bool:
    """True when ``sentence`` names places but none the question asks about ("In Bago, 1 tonne a day" does not
    answer "How much does Cebu compost?"). Places count at the asked level (a city question is not answered
    elsewhere by "cities from Indonesia") and by name, since one name may be several places (Bago in Myanmar and
    in the Philippines). A sentence naming no place may be about it ("the city"); regions and the places every
    case is about (``common``) say nothing either way.

    >>> cebu, bago = gazetteer().places_in("Cebu City"), gazetteer().places_in("Bago")
    >>> _elsewhere("In Cebu City, 2,000 baskets were given out.", bago, lambda place: False)
    True
    >>> _elsewhere("Bago City composts 1 tonne a day.", bago, lambda place: False)
    False
    >>> _elsewhere("The centre composts 1 tonne a day.", bago, lambda place: False)
    False
    """
    if not asked:
        return False
    levels = {place.key.split("-")[0] for place in asked}
    forms = {form for place in asked for form in place.forms}
    named = [place for place in _places_in(sentence)
             if place.key.split("-")[0] in levels and not place.is_region and not common(place)]
    return bool(named) and not any(forms & set(place.forms) for place in named)


@lru_cache(maxsize=8192)
def _places_in(sentence: str) -> tuple[Place, ...]:
    """The places a passage sentence names: the same top passages' sentences come back question after question."""
    return tuple(gazetteer().places_in(sentence))


def _weights(tokens: list[str], lang: str, idf: IdfTable) -> dict[str, float]:
    return {t: idf.weight(t, lang) for t in set(tokens)}


def _coverage(tokens: set[str], asked: dict[str, float]) -> float:
    """The IDF-weighted share of the question's tokens that a sentence's ``tokens`` contain (0 when it has none)."""
    if not tokens or not asked:
        return 0.0
    return sum(w for t, w in asked.items() if t in tokens) / sum(asked.values())


def _novelty(tokens: set[str], lang: str, asked: dict[str, float], idf: IdfTable) -> float:
    """The IDF-weighted share of a sentence's ``tokens`` that the question does not already say (0 when it has none).

    A sentence that restates the question ("support was provided for improving waste management in Semarang")
    tells the reader nothing new; the one after it, with the NGO, the composting and the collection points, does.
    """
    if not tokens or not asked:
        return 0.0
    weights = _weights(list(tokens), lang, idf)
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t not in asked) / total if total else 0.0
