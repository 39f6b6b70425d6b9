"""Thai sentences cut where the Japanese original's sentences end.

Thai marks neither sentence ends nor word breaks, so a statistical splitter cuts inside
sentences and joins others. Every Thai paragraph of the corpus translates a Japanese one line
for line, and the Japanese ends each sentence with 。; so a Thai line is cut, at its spaces, into
as many sentences as its Japanese line has, where the cuts best match the Japanese sentences'
relative lengths and the numbers each contains (digits are kept in translation). Text without an
aligned original (an uploaded Thai document) is left to ``kb.sentences``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kb.numbers import numbers
from kb.sentences import THAI_CONTINUATION, sentences

SPACE = re.compile(r" +")
YEAR = re.compile(r"^(19|20)\d\d$")
NUMBER_MISMATCH = 0.5  # cost of one number that lands in another sentence than in the original
CONTINUATION = 0.3  # cost of starting a sentence with a word that continues the one before
WINDOW = 0.3  # a cut is sought within this share of the line around where the original\'s sentence ends


def thai_sentences(text: str, original: str) -> list[str]:
    """``text`` (Thai) split into sentences that match ``original`` (Japanese) line by line.

    >>> thai_sentences("ศูนย์ตั้งขึ้นในปี 2008 ปัจจุบันทำปุ๋ยวันละ 1 ตัน", "2008年に設置された。現在は一日1トンを堆肥化している。")
    ['ศูนย์ตั้งขึ้นในปี 2008', 'ปัจจุบันทำปุ๋ยวันละ 1 ตัน']
    """
    lines, originals = text.split("\n"), original.split("\n")
    if len(lines) != len(originals):
        return sentences(text, "th")
    found: list[str] = []
    for line, source in zip(lines, originals):
        if line.strip():
            found.extend(_split_line(line.strip(), tuple(sentences(source, "ja"))))
    return found


def _split_line(line: str, source: tuple[str, ...]) -> list[str]:
    if len(source) <= 1:
        return [line]
    tokens = SPACE.split(line)
    cuts = _best_cuts(tokens, source)
    if cuts is None:
        return sentences(line, "th")
    bounds = [0, *cuts, len(tokens)]
    return [" ".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:])]


def _best_cuts(tokens: list[str], source: tuple[str, ...]) -> list[int] | None:
    """Dynamic programming over the spaces: the ``len(source) - 1`` token indexes to cut before, cheapest first."""
    parts = len(source)
    total = sum(len(s) for s in source)
    targets = [sum(len(s) for s in source[:i]) / total for i in range(1, parts)]
    wanted = [numbers(s) for s in source]
    found = [numbers(t) for t in tokens]
    ends = [0]
    for token in tokens:
        ends.append(ends[-1] + len(token) + 1)
    length = ends[-1]
    # Never cut between a number and its unit ("120 คน"; a year may end a sentence), after "ค.ศ.", or before ๆ,
    # which repeats the word before it ("ต่าง ๆ").
    allowed = [j for j in range(1, len(tokens))
               if all(YEAR.match(n) for n in found[j - 1]) and not tokens[j - 1].endswith(".")
               and not tokens[j][:1].isdigit() and not tokens[j].startswith("ๆ")]
    if len(allowed) < parts - 1:
        return None

    @lru_cache(maxsize=None)
    def best(part: int, first: int) -> tuple[float, tuple[int, ...]]:
        """Cheapest cuts for sentences ``part``.. when sentence ``part`` starts at token ``first``."""
        if part == parts - 1:
            return _cost(found[first:], wanted[part]), ()
        result: tuple[float, tuple[int, ...]] = (float("inf"), ())
        for cut in allowed:
            if cut <= first or abs(ends[cut] / length - targets[part]) > WINDOW:
                continue
            here = (abs(ends[cut] / length - targets[part]) + _cost(found[first:cut], wanted[part])
                    + CONTINUATION * bool(THAI_CONTINUATION.match(tokens[cut])))
            rest, cuts = best(part + 1, cut)
            if here + rest < result[0]:
                result = (here + rest, (cut, *cuts))
        return result

    cost, cuts = best(0, 0)
    return list(cuts) if cost < float("inf") else None


def _cost(found: list[set[str]], wanted: set[str]) -> float:
    return NUMBER_MISMATCH * len(set().union(*found) ^ wanted)
