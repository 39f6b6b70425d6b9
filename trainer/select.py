"""Which case studies a session pack covers: ranked by retrieval, with the chosen tags as one more vote.

The request (a free-text theme, topics, cities, countries) becomes one query in the participants'
language; Kyodo's hybrid search ranks passages, and each case scores the reciprocal rank of its
best passage (a tenth of that for each further one: a long case is not a more relevant one). A
case whose tags match the request gains as much as a top-ranked passage, so tags count, but a
case the search finds relevant can join without them and a tagged case that says little about
the theme ranks low.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.errors import InputError
from kb.retrieve import matches
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES
from kb.vocabulary import TOPICS, PlaceNames, country_name, topic_name

RANK_K = 10  # reciprocal-rank constant: 1/(RANK_K + rank), so the first few passages weigh most
PASSAGES = 40
MORE = 0.1
MAX_CASES = 12


@dataclass(frozen=True)
class PackRequest:
    """What a trainer asks for: a theme and/or tags, the participants' language and how many cases."""

    theme: str = ""
    topics: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    lang: str = "en"
    cases: int = 5

    def where(self) -> dict[str, list[str]]:
        return {"topics": list(self.topics), "cities": list(self.cities), "countries": list(self.countries)}

    def check(self) -> None:
        """Raise ``InputError`` naming the bad value and the fix."""
        if self.lang not in LANGUAGES:
            raise InputError(f"language {self.lang!r} is not one of {', '.join(LANGUAGES)}")
        if not 1 <= self.cases <= MAX_CASES:
            raise InputError(f"a pack has 1 to {MAX_CASES} case studies, not {self.cases}")
        if unknown := [t for t in self.topics if t not in TOPICS]:
            raise InputError(f"topic {unknown[0]!r} is not one of {', '.join(TOPICS)}")
        if not (self.theme.strip() or self.topics or self.cities or self.countries):
            raise InputError("a pack needs a theme, or at least one topic, city or country")


@dataclass(frozen=True)
class Selected:
    """A chosen case, its score and why: the tags it matched and its best passage's rank (0: not retrieved)."""

    doc_id: str
    score: float
    rank: int
    tagged: bool
    passages: list[str] = field(default_factory=list)


def query_text(request: PackRequest, places: PlaceNames) -> str:
    """The request as one query in the participants' language: theme, then topic, city and country names.

    >>> query_text(PackRequest("market waste", ("composting",), lang="th"), PlaceNames([]))
    'market waste การทำปุ๋ยหมัก'
    """
    lang = request.lang
    parts = [request.theme.strip()]
    parts += [topic_name(t, lang) for t in request.topics]
    parts += [places.city(c, lang) for c in request.cities]
    parts += [country_name(c, lang) for c in request.countries]
    return " ".join(p for p in parts if p)


def select_cases(kb: KnowledgeBase, request: PackRequest, places: PlaceNames) -> list[Selected]:
    """The ``request.cases`` best cases for the request, best first."""
    request.check()
    _, passages = kb.search(query_text(request, places), request.lang, PASSAGES)
    scores: dict[str, float] = {}
    ranks: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for rank, passage in enumerate(passages, 1):
        doc_id = passage.best.chunk.doc_id
        scores[doc_id] = scores.get(doc_id, 0.0) + (1 if doc_id not in ranks else MORE) / (RANK_K + rank)
        ranks.setdefault(doc_id, rank)
        found.setdefault(doc_id, []).append(passage.key)
    where = request.where()
    tagged = set()
    if any(where.values()):
        tagged = {doc_id for doc_id, case in kb.library.cases.items() if matches(doc_id, case.facts, where)}
    for doc_id in tagged:
        scores[doc_id] = scores.get(doc_id, 0.0) + 1 / (RANK_K + 1)
    ranked = sorted(scores, key=lambda d: (-scores[d], ranks.get(d, PASSAGES + 1), d))
    return [Selected(d, scores[d], ranks.get(d, 0), d in tagged, found.get(d, [])) for d in ranked[:request.cases]]
