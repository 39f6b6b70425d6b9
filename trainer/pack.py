"""A session pack: for each chosen case, a quoted summary, checked key figures and checked Q&A, with sources.

``build_pack(kb, request)`` selects the cases (``trainer.select``), then for each one builds the
summary (``trainer.summary``), the figures (``kb.figures``, each verified against its passage
and the Japanese original) and the discussion questions (``trainer.questions``, answered by
``KnowledgeBase.ask``). Everything a case's pack quotes cites a numbered passage of its ``sources``.
Rendering to Markdown, HTML and PDF is ``trainer.render`` and ``trainer.pdf``; this module knows neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kb.figures import Figure, find, verify
from kb.library import Library
from kb.records import Citation
from kb.service import KnowledgeBase
from kb.vocabulary import PlaceNames, topic_name
from trainer.case import CaseText, Sources
from trainer.questions import Discussion, discuss
from trainer.select import PackRequest, Selected, query_text, select_cases
from trainer.summary import summarise
from trainer.texts import text

MAX_FIGURES = 5
MAX_PLACES = 3
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Quote:
    """A summary sentence and the source it cites."""

    sentence: str
    citation: int


@dataclass
class CasePack:
    """One case of the pack, quoted in ``lang`` (the participants' language, or the original if untranslated)."""

    doc_id: str
    title: str
    lang: str
    place: str
    years: list[str]
    section: str
    summary: list[Quote]
    figures: list[Figure]
    questions: list[Discussion]
    sources: list[Citation]
    selected: Selected


@dataclass
class Pack:
    """The whole pack: what was asked for, its title in the participants' language, and its cases."""

    request: PackRequest
    title: str
    cases: list[CasePack]
    made: str = field(default_factory=lambda: date.today().isoformat())
    seconds: float = 0.0


def theme_name(request: PackRequest, topics: list[str]) -> str:
    """The session's theme in words: the request's topics this case has, else the free text, else the case's topic.

    >>> theme_name(PackRequest(topics=("composting", "water"), lang="en"), ["waste", "composting"])
    'composting'
    """
    lang = request.lang
    wanted = [t for t in request.topics if t in topics] or ([] if request.theme.strip() else topics[:1])
    names = [topic_name(t, lang) for t in wanted]
    if lang in ("en", "id"):
        names = [n[:1].lower() + n[1:] for n in names]
    return text("and", lang).join(names) if names else request.theme.strip() or text("general", lang)


def listed(names: list[str], lang: str) -> str:
    """Names as a list in running text.

    >>> listed(["Bangkok", "Lalitpur", "Sibu"], "en"), listed(["บาโก", "เซบู"], "th")
    ('Bangkok, Lalitpur and Sibu', 'บาโกและเซบู')
    """
    if lang == "ja":
        return "・".join(names)
    if len(names) < 2:
        return "".join(names)
    head = (" " if lang == "th" else ", ").join(names[:-1])
    return f"{head}{text('and', lang)}{names[-1]}"


def pack_title(request: PackRequest, places: PlaceNames) -> str:
    theme = request.theme.strip() or query_text(PackRequest(topics=request.topics, cities=request.cities,
                                                            countries=request.countries, lang=request.lang), places)
    return text("pack_title", request.lang, theme=theme)


def build_pack(kb: KnowledgeBase, request: PackRequest, progress: Progress | None = None) -> Pack:
    """Select the cases and build each one's part of the pack; ``progress(fraction, step)`` is told as it goes."""
    started = time.perf_counter()
    report = progress or (lambda fraction, step: None)
    library = kb.library
    places = PlaceNames(kb.glossary)
    report(0.0, "select")
    chosen = select_cases(kb, request, places)
    query = query_text(request, places)
    names = tuple(form for term in kb.glossary for forms in term.forms.values() for form in forms)
    cases = []
    for number, selected in enumerate(chosen):
        report(number / len(chosen), library.title(selected.doc_id, request.lang))
        cases.append(_case(kb, library, CaseText(library, selected.doc_id, request.lang), selected, request, places,
                           query, names))
    report(1.0, "done")
    return Pack(request, pack_title(request, places), cases, seconds=time.perf_counter() - started)


def key_figures(case: CaseText, sources: Sources, names: tuple[str, ...] = ()) -> list[Figure]:
    """Up to ``MAX_FIGURES`` verified figures in reading order, one per number, each citing its passage."""
    kept: list[Figure] = []
    for sentence in case.sentences:
        for figure in find(sentence.text, case.lang, names=names):
            if len(kept) == MAX_FIGURES or any(f.number == figure.number for f in kept):
                continue
            if not verify(figure, case.text(sentence.passage), case.original_text(sentence.passage)):
                continue
            kept.append(Figure(figure.value, figure.number, figure.context, figure.sentence,
                               sources.quote(case, sentence)))
    return kept


def _case(kb: KnowledgeBase, library: Library, case: CaseText, selected: Selected, request: PackRequest,
          places: PlaceNames, query: str, names: tuple[str, ...]) -> CasePack:
    sources = Sources()
    summary = [Quote(s.text, sources.quote(case, s)) for s in summarise(case, query, library.idf)]
    figures = key_figures(case, sources, names)
    cities = list(case.case.cities)
    # Many cities (Surabaya and the five it inspired): the first is the case's own.
    names = [places.city(c, request.lang) for c in (cities if len(cities) <= MAX_PLACES else cities[:1])]
    place = listed(names, request.lang) if names else case.title
    theme = theme_name(request, list(case.case.topics))
    questions = discuss(kb, case, request.lang, place, theme, figures, sources)
    where = places.place(case.case.cities, case.case.countries, request.lang)
    return CasePack(case.doc_id, case.title, case.lang, where, list(case.case.years), case.section, summary, figures,
                    questions, sources.items, selected)
