"""The extractive answer: the asked fact first, then at most two sentences that support it, each cited.

The question's type (``kb.question``) decides the lead: for a count, an amount, a rate, a
duration or a year, the lead is the best sentence that states the figure with the words that say
what it counts, checked against its passage and Japanese original ("In FY2008 KITA received 434
trainees [1]"); for how, why and what questions, the best evidence sentence (``kb.evidence``).
When the top passages hold the case but not the kind of fact asked for, the answer says so and cites the closest case (``partial``) instead of quoting something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kb import figures
from kb.answer_types import type_spans
from kb.evidence import Candidate
from kb.evidence import Catalog as EvidenceCatalog
from kb.messages import MISSING, message
from kb.question import YEAR, Question
from kb.records import Citation, Passage
from kb.tokens import tokenize
from kb.units import asked_unit, asked_units, counts

MAX_SUPPORT = 2
KEEP_RATIO = 0.75
OTHER_CASE_RATIO = 0.95
# Types whose answer must be in the sentence: without such a sentence the cases "do not say".
TYPED = ("count", "money", "percent", "duration", "year", "person", "organisation", "company", "place")


class Catalog(EvidenceCatalog, Protocol):
    """What the answer needs to know about documents: evidence's view, and each document's source."""

    def source(self, doc_id: str) -> str: ...


@dataclass(frozen=True)
class Draft:
    """The answer text, the citations it uses (numbered in order of first use), and whether it is partial."""

    text: str
    citations: list[Citation]
    partial: bool = False


def compose(question: Question, evidence: list[Candidate], catalog: Catalog, names: tuple[str, ...],
            min_similarity: float) -> Draft:
    """The answer from ``evidence`` (every candidate sentence of the top passages)."""
    if not evidence:
        return Draft("", [])
    ranked = sorted(evidence, key=lambda c: -c.score)
    if any(c.about for c in ranked):
        # "What did Kitakyushu recommend to Chelyabinsk?": a passage that names Chelyabinsk answers, not a closer one.
        ranked = [c for c in ranked if c.about]
    if question.years:
        # "How many trainees in FY2020?": only passages that name the year can answer it.
        ranked = [c for c in ranked if _mentions_years(c, question.years, catalog)]
        if not ranked:
            return _partial(question, evidence, catalog, names, "in_year")
    if question.after:
        # "What took over after it ended in 2010?": a passage that names no later year does not know.
        ranked = [c for c in ranked if max(_years(c, catalog), default=0) > int(question.after)]
        if not ranked:
            return _partial(question, evidence, catalog, names, "after_year")
    lead = ranked[0]
    if question.asked in TYPED:
        leads_with_figure = question.wants_figure and not question.compound
        typed = [c for c in ranked if c.typed and (not leads_with_figure or _states_figure(c, question, catalog, names))]
        if question.asked == "count" and len(units := asked_units(question.text, question.lang)) > 1:
            # "How many people, and to how many countries?": the sentence that counts both leads.
            typed.sort(key=lambda c: -_units_counted(c, units, question, names))
        if not typed or typed[0].similarity < min_similarity:
            return _partial(question, evidence, catalog, names)
        lead = typed[0]
    elif lead.similarity < min_similarity:
        return Draft("", [])
    support = [c for c in ranked if c is not lead and c.score >= _keep(c, lead, question) * lead.score][:MAX_SUPPORT]
    return _render(question.lang, lead, support, catalog)


def _keep(candidate: Candidate, lead: Candidate, question: Question) -> float:
    """How close to the lead's score a supporting sentence must come: closer from another case, unless many are asked."""
    same = candidate.passage.best.chunk.doc_id == lead.passage.best.chunk.doc_id
    return KEEP_RATIO if same or question.many else OTHER_CASE_RATIO


def _states_figure(candidate: Candidate, question: Question, catalog: Catalog, names: tuple[str, ...]) -> bool:
    """Whether ``candidate`` states the asked figure (with what it counts), checked against its passage and original.

    The whole sentence leads the answer, not the figure's clause: a clause cut from a long sentence read as a
    fragment ("in 2000 [1]") and dropped the other half of a two-part answer (measured on the gold dev half).
    """
    sentence, lang = candidate.sentence, candidate.lang
    if question.asked == "count":
        unit = asked_unit(question.text, question.lang) if lang == question.lang else None
        spans = [(s, e) for s, e, _, _ in figures.spans(sentence, names) if unit is None or counts(sentence, e, lang, unit)]
    elif question.wants_figure:
        spans = type_spans(sentence, question.asked)
    else:
        return False
    if not spans:
        return False
    asked = set(tokenize(question.text, lang)) if lang == question.lang else set()
    best = max(spans, key=lambda span: (len(asked & set(tokenize(_context(sentence, span, lang, names), lang))),
                                        -span[0]))
    context = _context(sentence, best, lang, names)
    original = catalog.original_text(candidate.passage)
    return context in candidate.passage.texts[lang] and bool(figures.numbers(context) & figures.numbers(original))


def _units_counted(candidate: Candidate, units: list[str], question: Question, names: tuple[str, ...]) -> int:
    """How many of the asked ``units`` a figure of the candidate counts (only in the question's language)."""
    if candidate.lang != question.lang:
        return 0
    ends = [end for _, end, _, _ in figures.spans(candidate.sentence, names)]
    return sum(any(counts(candidate.sentence, end, candidate.lang, unit) for end in ends) for unit in units)


def _context(sentence: str, span: tuple[int, int], lang: str, names: tuple[str, ...]) -> str:
    return figures.context(sentence, span[0], span[1], lang, names)


def _mentions_years(candidate: Candidate, years: tuple[str, ...], catalog: Catalog) -> bool:
    """True when the candidate's passage or its case's title names every year (a title may carry "FY2008")."""
    found = {str(year) for year in _years(candidate, catalog)}
    return all(year in found for year in years)


def _years(candidate: Candidate, catalog: Catalog) -> set[int]:
    """The years the candidate's passage, in any language, or its case's title names."""
    title = catalog.title(candidate.passage.best.chunk.doc_id, candidate.lang)
    found = set().union(*(figures.numbers(text) for text in [*candidate.passage.texts.values(), title]))
    return {int(n) for n in found if YEAR.match(n)}


def _partial(question: Question, evidence: list[Candidate], catalog: Catalog, names: tuple[str, ...],
             missing: str = "") -> Draft:
    """"The case studies describe <case> [1] but do not say <what was asked>", citing the case the question names."""
    passages: dict[str, tuple[int, Passage, str]] = {}
    for c in evidence:
        passages.setdefault(c.passage.key, (c.rank, c.passage, c.lang))
    def named(item: tuple[int, Passage, str]) -> tuple[int, int]:
        text = " ".join(item[1].texts.values())
        return -sum(name in text for name in names), item[0]
    _, passage, lang = min(passages.values(), key=named)
    doc_id = passage.best.chunk.doc_id
    title = catalog.title(doc_id, lang)
    year = question.after if missing == "after_year" else (question.years[0] if question.years else "")
    what = MISSING[missing or question.asked][question.lang].format(year=year or "")
    text = message("partial", question.lang, case=title, missing=what)
    citation = Citation(1, doc_id, title, lang, passage.texts[lang], catalog.original_text(passage),
                        catalog.source(doc_id), [])
    return Draft(text, [citation], partial=True)


def _render(lang: str, lead: Candidate, support: list[Candidate], catalog: Catalog) -> Draft:
    citations: dict[str, Citation] = {}

    def cite(candidate: Candidate) -> int:
        passage = candidate.passage
        if passage.key not in citations:
            doc_id = passage.best.chunk.doc_id
            citations[passage.key] = Citation(len(citations) + 1, doc_id, catalog.title(doc_id, candidate.lang),
                                              candidate.lang, passage.texts[candidate.lang],
                                              catalog.original_text(passage), catalog.source(doc_id), [])
        citation = citations[passage.key]
        if candidate.sentence not in citation.sentences:
            citation.sentences.append(candidate.sentence)
        return citation.n

    parts = []
    for candidate in [lead, *sorted(support, key=lambda c: (c.rank, c.position))]:
        parts.append(f"{candidate.sentence} [{cite(candidate)}]")
    return Draft(("" if lang == "ja" else " ").join(parts), list(citations.values()))
