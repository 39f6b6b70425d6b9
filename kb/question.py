"""What a question asks (its answer type) and what it names (places, years), in ja/en/id/th.

The answer types and their patterns are data (``kb/data/questions.yaml``); places come from
``kb.places``. Nothing here looks at the case studies: whether they contain the answer is
``kb.evidence``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.numbers import numbers
from kb.places import Place, gazetteer
from kb.thai_names import thai_names

RULES = Path(__file__).with_name("data") / "questions.yaml"
# Types whose answer is a figure: the answer leads with it, and without one the cases "do not say".
FIGURES = ("count", "money", "percent", "duration", "year")
YEAR = re.compile(r"^(19|20)\d\d$")
# A code with digits (MCED6, COVID-19, COP21; not FY2008, a year, nor a formula such as CO2 or SO2, which a
# reader may ask about where the cases only say "reductions"). Plain acronyms (MOU, OEAED) are left out:
# a reader may abbreviate what the cases spell out.
CODE = re.compile(r"(?<![\w-])(?!FY\d)(?:[A-Z]{3,}-?\d+|[A-Z]{2}-?\d{2,})(?![\w-])")
SPECIFIC = ("count", "money", "percent", "duration", "year", "person", "organisation", "company", "place")


@dataclass(frozen=True)
class Question:
    """A question, the type of answer it asks for, and the places and years it names."""

    text: str
    lang: str
    asked: str
    places: tuple[Place, ...] = ()
    years: tuple[str, ...] = ()
    # Codes (MCED6, COVID-19, โควิด-19) and Thai names after a place title (เมืองดานัง) it names: like places, the
    # cases either mention them or not.
    codes: tuple[str, ...] = ()
    # It asks two things at once ("when and where"): no single figure answers it.
    compound: bool = False
    # It asks for several things (a list, a comparison, "each"): the answer may quote several cases.
    many: bool = False
    # It asks about a plan or target ("When is the centre to open?"): a planned year answers it.
    plans: bool = False
    # It asks what happened after this year ("after it ended in 2010"): only a later year answers it.
    after: str | None = None

    @property
    def wants_figure(self) -> bool:
        return self.asked in FIGURES


@lru_cache(maxsize=1)
def _raw() -> dict:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


def _compiled(by_lang: dict[str, list[str]]) -> dict[str, list[re.Pattern[str]]]:
    return {lang: [re.compile(p, re.IGNORECASE) for p in patterns] for lang, patterns in by_lang.items()}


@lru_cache(maxsize=1)
def _rules() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    return {kind: _compiled(by_lang) for kind, by_lang in _raw()["types"].items()}


@lru_cache(maxsize=4)
def _patterns(section: str) -> dict[str, list[re.Pattern[str]]]:
    """One per-language section of the rules that is not a type ("many", "plans", "after"), compiled once."""
    return _compiled(_raw()[section])


def _says(text: str, lang: str, section: str) -> bool:
    return any(p.search(text) for p in _patterns(section).get(lang, []))


def after_year(text: str, lang: str) -> str | None:
    """The year a question asks what happened after, if it does.

    >>> after_year("What took over from the Kitakyushu Initiative after it ended in 2010?", "en")
    '2010'
    >>> after_year("北九州イニシアティブが2010年に終わったあと、何が引き継ぎましたか？", "ja"), after_year("When did it end?", "en")
    ('2010', None)
    """
    for pattern in _patterns("after").get(lang, []):
        if match := pattern.search(text):
            found = [n for n in numbers(match.group(0)) if YEAR.match(n)]
            if found:
                return found[-1]
    return None


def asks_for_many(text: str, lang: str) -> bool:
    """Whether ``text`` asks for a list, a comparison or one answer per thing.

    >>> asks_for_many("Which Chinese cities have Eco-Town cooperation with Kitakyushu?", "en")
    True
    >>> asks_for_many("Which city hosted MCED5?", "en"), asks_for_many("เมืองใดบ้างในจีน", "th")
    (False, True)
    """
    return _says(text, lang, "many")


def matched(text: str, lang: str) -> list[str]:
    """Every answer type whose pattern matches ``text``, in rule order.

    >>> matched("Where and when was MCED5 held?", "en")
    ['year', 'place']
    """
    return [kind for kind, by_lang in _rules().items() if any(p.search(text) for p in by_lang.get(lang, []))]


def asking(text: str, lang: str) -> list[tuple[int, int]]:
    """Where ``text`` says what it asks: the spans its type patterns match.

    >>> text = "How many trainees did KITA accept?"
    >>> [text[start:end] for start, end in asking(text, "en")]
    ['How many']
    """
    return [m.span() for by_lang in _rules().values() for p in by_lang.get(lang, []) for m in p.finditer(text)]


def asked(text: str, lang: str) -> str:
    """The answer type ``text`` asks for: the first type in the rules whose pattern matches, else ``fact``.

    >>> asked("How much did it cost to build Bago's compost centre?", "en"), asked("KITAは何人の研修員を受け入れましたか", "ja")
    ('money', 'count')
    >>> asked("Kapan pusat kompos Bago didirikan?", "id"), asked("Bago ทำปุ๋ยหมักอย่างไร", "th")
    ('year', 'method')
    """
    for kind, by_lang in _rules().items():
        if any(pattern.search(text) for pattern in by_lang.get(lang, [])):
            return kind
    return "fact"


def analyse(text: str, lang: str) -> Question:
    """The question's answer type, the places it names and the years it mentions.

    >>> q = analyse("How much waste did Da Nang compost in 2024?", "en")
    >>> q.asked, [p.name("en") for p in q.places], q.years
    ('count', ['Da Nang'], ('2024',))
    >>> analyse("Where was MCED6 held, and when?", "en").codes, analyse("Where was MCED6 held, and when?", "en").compound
    (('MCED6',), True)
    >>> analyse("How much CO2 will be cut in Asia by 2050?", "en").codes
    ()
    """
    years = tuple(sorted(n for n in numbers(text) if YEAR.match(n)))
    kinds = matched(text, lang)
    specific = [kind for kind in kinds if kind in SPECIFIC and kind != "count"]
    return Question(text, lang, kinds[0] if kinds else "fact", tuple(gazetteer().places_in(text)), years,
                    tuple(dict.fromkeys([*CODE.findall(text), *thai_names(text, lang)])), len(specific) > 1,
                    asks_for_many(text, lang), _says(text, lang, "plans"),
                    after_year(text, lang))
