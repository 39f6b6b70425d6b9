"""Metric functions on one case or a list of values; ``None`` means "does not apply", never zero.

Retrieval metrics are document-level: a ranking is a list of doc ids, best first, without repeats.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from kb.numbers import NUMBER, THAI_DIGITS, normalise
from kb.records import Answer, Citation

MARKER = re.compile(r"\s*\[\d+\]")
# A space next to a Japanese or Thai character carries no meaning: "2,000 個" and "2,000個" are one fact.
LOOSE_SPACE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
KANA = re.compile(r"[\u3040-\u30ff]")
SCRIPTS = {"ja": re.compile(r"[\u3040-\u30ff\u3400-\u9fff]"), "th": re.compile(r"[\u0e00-\u0e7f]"),
           "latin": re.compile(r"[a-zA-Z\u00c0-\u024f]")}
# langdetect calls much Indonesian text Malay: for grading en against id, Malay counts as Indonesian.
LATIN_LANGS = {"en": "en", "id": "id", "ms": "id"}


def dedupe(ids: Iterable[str]) -> list[str]:
    """Ids in first-seen order.

    >>> dedupe(["a", "b", "a", "c"])
    ['a', 'b', 'c']
    """
    return list(dict.fromkeys(ids))


def hit_at(ranking: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1 when a gold document is in the top ``k``.

    >>> hit_at(["x", "g"], {"g"}, 1), hit_at(["x", "g"], {"g"}, 2)
    (0.0, 1.0)
    """
    return float(bool(set(ranking[:k]) & set(gold)))


def reciprocal_rank(ranking: Sequence[str], gold: Iterable[str]) -> float:
    """1 / rank of the first gold document, 0 when none is retrieved.

    >>> reciprocal_rank(["x", "y", "g"], {"g"})
    0.3333333333333333
    """
    wanted = set(gold)
    return next((1 / rank for rank, doc in enumerate(ranking, 1) if doc in wanted), 0.0)


def ndcg_at(ranking: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Binary-relevance nDCG: gold documents ranked first score 1.

    >>> ndcg_at(["g", "h", "x"], {"g", "h"}, 10), round(ndcg_at(["x", "g"], {"g"}, 10), 4)
    (1.0, 0.6309)
    """
    wanted = set(gold)
    dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], 1) if doc in wanted)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal if ideal else 0.0


def strip_markers(text: str) -> str:
    """Answer text without its ``[n]`` citation markers."""
    return MARKER.sub("", text)


def canonical(text: str) -> str:
    """Text for fact matching: NFKC, case-folded, numbers normalised, meaningless spaces dropped.

    >>> canonical("2.000 Keranjang"), canonical("2,000 個"), canonical("๔๓๔ คน")
    ('2000 keranjang', '2000個', '434คน')
    """
    text = unicodedata.normalize("NFKC", text).translate(THAI_DIGITS).casefold()
    text = NUMBER.sub(lambda m: normalise(m.group()), text)
    return LOOSE_SPACE.sub("", re.sub(r"\s+", " ", text))


def contains(text: str, variant: str) -> bool:
    """Whether ``variant`` occurs in ``text`` (both canonical) without cutting a number in two.

    >>> contains(canonical("about 1434 trainees"), canonical("434 trainees"))
    False
    >>> contains(canonical("ศูนย์ทำปุ๋ยวันละ 1 ตัน"), canonical("1 ตัน"))
    True
    """
    if not variant:
        return False
    start = text.find(variant)
    while start >= 0:
        before = text[start - 1] if start else ""
        after = text[start + len(variant) : start + len(variant) + 1]
        if not (variant[0].isdigit() and before.isdigit()) and not (variant[-1].isdigit() and after.isdigit()):
            return True
        start = text.find(variant, start + 1)
    return False


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float | None:
    """Share of facts with any variant in the answer; ``None`` when the case lists no facts.

    >>> fact_recall("It composts 1 tonne a day [1]", [["1 tonne"], ["2,000"]])
    0.5
    """
    if not facts:
        return None
    text = canonical(strip_markers(answer))
    return sum(any(contains(text, canonical(v)) for v in variants) for variants in facts) / len(facts)


def missing_facts(answer: str, facts: Sequence[Sequence[str]]) -> list[str]:
    """The first variant of every fact that the answer lacks."""
    text = canonical(strip_markers(answer))
    return [variants[0] for variants in facts if not any(contains(text, canonical(v)) for v in variants)]


def citation_precision(cited: Sequence[str], gold: Iterable[str]) -> float | None:
    """Share of cited passages whose document is gold; ``None`` when nothing is cited.

    >>> citation_precision(["g", "x", "g", "g"], {"g"})
    0.75
    """
    if not cited:
        return None
    wanted = set(gold)
    return sum(doc in wanted for doc in cited) / len(cited)


def citation_validity(citations: Sequence[Citation]) -> float | None:
    """1 when every quoted sentence occurs in the passage it cites; ``None`` when nothing is cited."""
    if not citations:
        return None
    return float(all(sentence in c.text for c in citations for sentence in c.sentences))


def written_in(text: str) -> str:
    """The language a text is written in, judged without Kyodo's own detector (``kb.language``) so that the
    system is not graded by itself: the script most of its letters are in (Japanese needs kana, as Chinese
    would not have it), then, for Latin script, langdetect's most likely language, Malay read as Indonesian.

    >>> written_in("バゴ市は一日1トン [1]"), written_in("บาโกทำปุ๋ยหมักวันละ 1 ตัน"), written_in("北九州市")
    ('ja', 'th', 'zh')
    >>> written_in("Bago composts one tonne of market waste a day."), written_in("Kota Bago mengolah sampah pasar.")
    ('en', 'id')
    """
    counts = {script: len(pattern.findall(text)) for script, pattern in SCRIPTS.items()}
    script = max(counts, key=counts.get)
    if not counts[script]:
        return "unknown"
    if script != "latin":
        return "zh" if script == "ja" and not KANA.search(text) else script
    DetectorFactory.seed = 0  # langdetect is random unless seeded; set here, not relied on from elsewhere
    try:
        best = detect_langs(text)[0].lang
    except LangDetectException:
        return "unknown"
    return LATIN_LANGS.get(best, best)


def language_match(answer: Answer, lang: str) -> float:
    """1 when the answer claims ``lang`` (the gold case's language) and its text is written in it (``written_in``)."""
    return float(answer.language == lang and written_in(strip_markers(answer.answer)) == lang)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that apply.

    >>> mean([1.0, None, 0.0]), mean([None])
    (0.5, None)
    """
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (linear interpolation), ``None`` for no values."""
    return float(np.percentile(values, q)) if values else None


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float | None, float | None]:
    """Precision and recall of a yes/no prediction; ``None`` where the denominator is zero.

    >>> precision_recall([True, True, False, False], [True, False, True, False])
    (0.5, 0.5)
    """
    hits = sum(p and a for p, a in zip(predicted, actual))
    said, real = sum(predicted), sum(actual)
    return (hits / said if said else None), (hits / real if real else None)
