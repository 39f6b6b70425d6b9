"""What a "how many" question counts, and whether a figure counts the same thing.

"How many staff work at Bago's compost centre?" asks for people; "1 tonne of market waste" is a
figure, but not of people, so it does not answer. Units and their classes across languages are
data (``kb/data/units.yaml``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml


UNITS = Path(__file__).with_name("data") / "units.yaml"
EN_VERB = (r"(?:did|does|do|were|was|are|is|have|has|had|will|would|can|could|came|come|went|took|take|"
           r"in|of|from|at|for|per|a|each|on|by|to|with)")
EN_UNIT = re.compile(rf"\bhow many ((?:[\w-]+\s+){{0,3}}?[\w-]+?)\s+{EN_VERB}\b|\bhow many ([\w-]+)", re.IGNORECASE)
ID_UNIT = re.compile(r"\b(?:berapa|brp)\s+(?:(?:banyak|jumlah|total)\s+)?([a-z]+(?: tangga)?)", re.IGNORECASE)
ID_NOT_UNIT = {"yang", "lama", "persen", "biaya", "kali", "besar", "hari", "tahun", "bulan", "minggu"}
JA_UNIT = re.compile(r"何(か国|カ国|ヶ国|トン|都市|世帯|団体|コース|[^\s、。？?ぁ-ん])|(人数|者数|件数|世帯数)")
# "浄化槽がいくつ", "いくつの都市": いくつ names no counter, the noun before or after it says what is counted.
JA_NOUN = re.compile(r"([一-龥ァ-ヶー・]+)(?:が|は|を|の数は?)\s*(?:全部で|合計)?いくつ|いくつの([一-龥ァ-ヶー・]+)")
FOLLOWING_CHARS = 16
FOLLOWING_WORDS = 4


@lru_cache(maxsize=1)
def _classes() -> list[frozenset[str]]:
    raw = yaml.safe_load(UNITS.read_text(encoding="utf-8"))
    return [frozenset(str(word).lower() for word in words) for words in raw.values()]


def asked_unit(text: str, lang: str) -> str | None:
    """The thing a "how many" question counts, as written in it; ``None`` when it names none.

    >>> asked_unit("How many staff work at Bago's compost centre?", "en"), asked_unit("KITAは何人の研修員を", "ja")
    ('staff', '人')
    >>> asked_unit("Berapa jumlah peserta pelatihan?", "id"), asked_unit("How much waste does Bago compost?", "en")
    ('peserta', None)
    >>> asked_unit("キャンディ市には浄化槽がいくつ設置されましたか", "ja"), asked_unit("いくつの都市が参加していますか", "ja")
    ('浄化槽', '都市')
    """
    if lang == "en":
        match = EN_UNIT.search(text)
        if not match:
            return None
        words = (match.group(1) or match.group(2)).lower().split()
        return next((w for w in reversed(words) if _class(w)), words[-1])
    if lang == "id":
        match = ID_UNIT.search(text)
        return match.group(1).lower() if match and match.group(1).lower() not in ID_NOT_UNIT else None
    if lang == "ja":
        if match := JA_UNIT.search(text):
            return match.group(1) or match.group(2)[:-1]
        match = JA_NOUN.search(text)
        return (match.group(1) or match.group(2)) if match else None
    if lang == "th" and (at := text.find("กี่")) >= 0:
        from pythainlp.tokenize import word_tokenize

        words = [w for w in word_tokenize(text[at + len("กี่"):], engine="newmm") if w.strip()]
        return words[0] if words else None
    return None


# Where a question starts to ask "how many" (each one, in a question that asks two).
COUNT_CUES = {"en": re.compile(r"\bhow many\b", re.IGNORECASE), "id": re.compile(r"\b(?:berapa|brp)\b", re.IGNORECASE),
              "ja": JA_UNIT, "th": re.compile("กี่")}


def asked_units(text: str, lang: str) -> list[str]:
    """Every thing a question counts, in order: "how many people, and to how many countries" asks two.

    >>> asked_units("How many staff were sent abroad, and to how many countries?", "en")
    ['staff', 'countries']
    >>> asked_units("ส่งเจ้าหน้าที่ไปกี่คน และไปกี่ประเทศ", "th"), asked_units("何人を何か国に派遣しましたか", "ja")
    (['คน', 'ประเทศ'], ['人', 'か国'])
    """
    cue = COUNT_CUES.get(lang)
    units = [asked_unit(text[match.start():], lang) for match in cue.finditer(text)] if cue else []
    return list(dict.fromkeys(unit for unit in units if unit))


def counts(sentence: str, end: int, lang: str, unit: str) -> bool:
    """True when the figure ending at ``end`` in ``sentence`` is followed by a word of ``unit``'s class.

    A unit in no class is not checked (the figure may count it): a wrong refusal costs as much as a wrong answer.

    >>> counts("Bago composts 1 tonne of market waste a day.", 15, "en", "staff")
    False
    >>> counts("KITA accepted 434 trainees in FY2008.", 17, "en", "people"), counts("研修員434名を受け入れた", 6, "ja", "人")
    (True, True)
    """
    words = _class(unit)
    if not words:
        return True
    following = sentence[end:end + FOLLOWING_CHARS * (1 if lang in ("ja", "th") else 3)].lower()
    if lang in ("ja", "th"):
        return any(word in following for word in words)
    return _head(following, lang) in words


def _head(following: str, lang: str) -> str | None:
    """The counted noun after a figure: of the unit words in the phrase that follows it (up to a preposition or
    verb), the last in English ("2,000 household compost baskets" counts baskets), the first in Indonesian
    ("2.000 keranjang kompos rumah tangga" counts keranjang); ``None`` when no unit word follows.

    >>> _head(" household compost baskets free of charge", "en"), _head(" keranjang kompos rumah tangga", "id")
    ('baskets', 'keranjang')
    """
    phrase = re.split(rf"[,.;:()]|\b{EN_VERB}\b|\b(?:yang|di|ke|dari|untuk|pada|dan)\b", following)[0]
    tokens = phrase.split()[:FOLLOWING_WORDS]
    known = _unit_words()
    pairs = [" ".join(tokens[i:i + 2]) for i in range(len(tokens))]  # two-word units: "rumah tangga"
    found = [pair if pair in known else token for token, pair in zip(tokens, pairs) if pair in known or token in known]
    if not found:
        return None
    return found[-1] if lang == "en" else found[0]


@lru_cache(maxsize=1)
def _unit_words() -> frozenset[str]:
    return frozenset().union(*_classes())


def _class(unit: str) -> frozenset[str]:
    """The class of ``unit``; a Japanese or Thai noun by the longest class word it ends with (会員都市: cities)."""
    unit = unit.lower()
    found = next((members for members in _classes() if unit in members), frozenset())
    if found or unit.isascii():
        return found
    endings = [(len(word), members) for members in _classes() for word in members
               if not word.isascii() and unit.endswith(word)]
    return max(endings, key=lambda ending: ending[0], default=(0, frozenset()))[1]
