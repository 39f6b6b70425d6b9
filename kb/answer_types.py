"""Whether a sentence can answer a type of question: a count needs a figure, a cost an amount of money.

Types come from ``kb.question``; the patterns per type are data (``kb/data/answers.yaml``).
How, why and open "what" questions have no type to check: any sentence may answer them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from kb import figures
from kb.places import Place, gazetteer

PATTERNS = Path(__file__).with_name("data") / "answers.yaml"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    raw = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))
    return {kind: [re.compile(p, re.IGNORECASE if kind != "person" else 0) for p in by_lang["all"]]
            for kind, by_lang in raw.items()}


def carries(sentence: str, lang: str, asked: str, names: Sequence[str] = (),
            known: Callable[[Place], bool] = lambda place: False) -> bool:
    """True when ``sentence`` holds the kind of thing ``asked`` asks for (``names``: the question's glossary names,
    whose digits are no figure, MCED5; ``known``: places
    that do not answer "where", such as those the question names: "Where did Bago ...?" needs another place; a
    region such as "East Asia" does not answer it either).

    >>> carries("Bago composts 1 tonne of market waste a day.", "en", "count")
    True
    >>> carries("Bago composts 1 tonne of market waste a day.", "en", "money")
    False
    >>> carries("The centre was set up in April 2008.", "en", "year"), carries("ศูนย์ใช้งบ 5 ล้านบาท", "th", "money")
    (True, True)
    >>> carries("KITA trained them.", "en", "organisation"), carries("Sebuah pabrik bir dipilih.", "id", "organisation")
    (True, False)
    >>> carries("Bago composts in Cebu.", "en", "place"), carries("Cebu composts.", "en", "place", known=lambda p: True)
    (True, False)
    """
    if asked == "count":
        return bool(figures.spans(sentence, tuple(names)))
    if asked == "agent":
        return carries(sentence, lang, "person") or carries(sentence, lang, "organisation")
    if asked == "place":
        return not all(known(place) or place.is_region for place in gazetteer().places_in(sentence))
    patterns = _patterns().get(asked)
    if patterns is None:
        return True
    return any(p.search(sentence) for p in patterns)


def states_plan(sentence: str) -> bool:
    """True when ``sentence`` states a plan or target rather than something that happened.

    >>> states_plan("Kitakyushu aims to establish the Asian Low Carbon Center."), states_plan("The centre opened in 2008.")
    (True, False)
    >>> states_plan("環境改善を目指す「北九州イニシアティブネットワーク」を創設しました。"), states_plan("2050 年度 2,340 万トンの削減を図ります。")
    (False, True)
    """
    return carries(sentence, "", "plan")


def type_spans(sentence: str, asked: str) -> list[tuple[int, int]]:
    """Where ``sentence`` states an amount, rate, duration or year (``asked``), for the answer to lead with.

    >>> type_spans("The centre opened in April 2008 and serves 20 cities.", "year")
    [(27, 31)]
    """
    return [m.span() for p in _patterns().get(asked, []) for m in p.finditer(sentence)]
