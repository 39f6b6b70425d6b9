"""Key figures of a case: each number with the words around it that say what it counts, quoted, never rewritten.

A figure is a number as written in the sentence ("2,000", "1,170万"), its normalised value
(``kb.numbers``: "2000", "11700000") and ``context``, a span of the same sentence around it
(the clause, trimmed to a few words each side). Years, months and days, list markers and digits
inside names (MCED4, FY2008) are not figures. ``verify`` checks a figure against the passage it
cites and that passage's Japanese original; the pack keeps only figures that pass.

>>> [(f.value, f.context) for f in find("Bago composts 1 tonne of market waste a day, since 2008.", "en")]
[('1', 'Bago composts 1 tonne of market waste')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.numbers import ERA_YEAR, MONTH, numbers

NUMBER = re.compile(r"(?<![A-Za-z0-9.,\-/_'’])\d+(?:[,.]\d+)*(?:\s*万)?(?![A-Za-z0-9_]|[.,]\d)")
THAI = re.compile(r"[\u0e00-\u0e7f]")
LIST_MARKER = re.compile(r"^\s*(?:\(\d+\)|\d+[.)])")
DAY = re.compile(r"^\s*日(?!間)")
YEAR_WORDS = re.compile(r"(?:ค\.ศ\.|พ\.ศ\.|ปีงบประมาณ|FY|TA)\s*$")
# Ordinals and references, not quantities: 第4回, ครั้งที่ 4, Section 4, page 10, dekade Shōwa 50.
NOT_A_COUNT = re.compile(r"(?:第|ที่|หน้า|\b(?:[Pp]age|[Ss]ection|[Cc]hapter|[Hh]alaman|[Bb]agian|[Bb]ab|No\.|Sh[oō]wa))"
                         r"\s*$")
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Januari|Februari|Maret|Mei|Juni|Juli|Agustus|Oktober|Desember")
DAY_OF_MONTH = re.compile(rf"^\s*(?:{MONTHS})\b")
# Clause boundaries: a figure's context never crosses them.
CLAUSE = {"ja": re.compile(r"[、。；：（）「」『』()]"), "th": re.compile(r"[()“”\"]"),
          "latin": re.compile(r"[;:()“”\"]|,(?=\s)|\s[-–—]\s")}
WORDS_BEFORE, WORDS_AFTER = 4, 5
JA_BEFORE, JA_AFTER = 20, 20
# A Japanese context is not cut inside a run of katakana or kanji (コンポスト・バスケッ|ト).
JA_RUN = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fff]")
TH_BEFORE, TH_AFTER = 6, 1
# A context does not end on these (en/id): "2,000 baskets free of" reads as cut off.
DANGLING = {"of", "the", "a", "an", "and", "or", "to", "in", "for", "with", "by", "at", "on", "from", "as",
            "dan", "di", "ke", "dari", "yang", "untuk", "dengan", "pada", "oleh", "atau", "serta", "dalam"}


@dataclass(frozen=True)
class Figure:
    """A number in a case sentence, the span that says what it counts, and the source it cites."""

    value: str
    number: str
    context: str
    sentence: str
    citation: int = 0


def find(sentence: str, lang: str, citation: int = 0, names: tuple[str, ...] = ()) -> list[Figure]:
    """Every figure in ``sentence`` (a sentence of a case in ``lang``), in order.

    ``names`` are proper names (the glossary's forms): numbers inside them (Global 500, PCAPI-7) are
    skipped, and a Thai context never starts inside one.
    """
    return [Figure(raw.replace(" ", ""), value, context(sentence, start, end, lang, names), sentence, citation)
            for start, end, raw, value in spans(sentence, names)]


def spans(sentence: str, names: tuple[str, ...] = ()) -> list[tuple[int, int, str, str]]:
    """``(start, end, as written, normalised value)`` of every figure in ``sentence``, without contexts.

    >>> spans("In 2008 Bago composted 1 tonne a day (PCAPI-7).", ("PCAPI-7",))
    [(23, 24, '1', '1')]
    """
    if LIST_MARKER.match(sentence):
        sentence_body = LIST_MARKER.sub(lambda m: " " * len(m.group(0)), sentence, count=1)
    else:
        sentence_body = sentence
    skipped = [m.span() for pattern in (ERA_YEAR, MONTH) for m in pattern.finditer(sentence_body)]
    skipped += [m.span() for name in names if any(ch.isdigit() for ch in name)
                for m in re.finditer(re.escape(name), sentence_body)]
    found: list[tuple[int, int, str, str]] = []
    for match in NUMBER.finditer(sentence_body):
        start, end = match.span()
        raw = match.group(0)
        if (any(a <= start < b for a, b in skipped) or DAY.match(sentence_body[end:])
                or DAY_OF_MONTH.match(sentence_body[end:]) or NOT_A_COUNT.search(sentence_body[:start])
                or _is_year(raw, sentence, start)):
            continue
        values = numbers(raw)
        if len(values) == 1:
            found.append((start, end, raw, next(iter(values))))
    return found


def verify(figure: Figure, passage: str, original: str) -> bool:
    """True when the figure is quoted from ``passage`` and its number is in the passage and its original.

    >>> f = find("Cebu gave out more than 2,000 compost baskets.", "en")[0]
    >>> verify(f, "At Cebu. Cebu gave out more than 2,000 compost baskets.", "2,000 個以上")
    True
    >>> verify(f, "Cebu gave out more than 2,000 compost baskets.", "200 個")
    False
    """
    return (figure.context in figure.sentence and figure.sentence in passage
            and figure.number in numbers(figure.context) and figure.number in numbers(original))


def cloze(figure: Figure, blank: str) -> str:
    """The figure's context with its number replaced by ``blank``: a fill-in question.

    >>> cloze(find("Bago composts 1 tonne of market waste a day.", "en")[0], "__")
    'Bago composts __ tonne of market waste'
    """
    at = figure.context.find(figure.value) if figure.value in figure.context else -1
    if at < 0:  # "1,170 万": the value lost its inner space
        return figure.context
    return figure.context[:at] + blank + figure.context[at + len(figure.value):]


def _is_year(raw: str, sentence: str, start: int) -> bool:
    bare = raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100
    return bare or bool(YEAR_WORDS.search(sentence[:start]))


def context(sentence: str, start: int, end: int, lang: str, names: tuple[str, ...] = ()) -> str:
    """The span of ``sentence`` around ``start:end``: its clause, then a few words each side."""
    boundary = CLAUSE.get(lang, CLAUSE["latin"])
    left = max((m.end() for m in boundary.finditer(sentence, 0, start)), default=0)
    right = next((m.start() for m in boundary.finditer(sentence, end)), len(sentence))
    if lang == "ja":
        new_left, new_right = max(left, start - JA_BEFORE), min(right, end + JA_AFTER)
        while new_left > left and JA_RUN.match(sentence[new_left - 1]) and JA_RUN.match(sentence[new_left]):
            new_left -= 1
        while new_right < right and JA_RUN.match(sentence[new_right - 1]) and JA_RUN.match(sentence[new_right]):
            new_right += 1
        left, right = new_left, new_right
    elif lang == "th":
        left, right = _thai_window(sentence, left, right, start, end,
                                   tuple(n for n in names if THAI.search(n)))
    else:
        words = [m.span() for m in re.finditer(r"\S+", sentence[left:right])]
        before = [s for s in words if left + s[1] <= start][-WORDS_BEFORE:]
        after = [s for s in words if left + s[0] >= end]
        after = after[:WORDS_AFTER]
        while after and sentence[left + after[-1][0]:left + after[-1][1]].lower().strip(".,") in DANGLING:
            after.pop()
        right = left + after[-1][1] if after else end
        left = left + before[0][0] if before else start
    return sentence[left:right].strip(" ,.;:、。")


def _thai_window(sentence: str, left: int, right: int, start: int, end: int,
                 names: tuple[str, ...]) -> tuple[int, int]:
    """Thai has no spaces between words: count PyThaiNLP words instead, stopping at a space (a clause break).

    PyThaiNLP splits names it does not know (คิตะกีว + ชู); a window edge inside a glossary name moves to its start.
    """
    from pythainlp.tokenize import word_tokenize

    head = sentence[left:start].rstrip()
    head_words = word_tokenize(head, engine="newmm", keep_whitespace=True)
    taken, width = 0, 0
    for word in reversed(head_words):
        if word.isspace() or taken == TH_BEFORE:
            break
        width += len(word)
        taken += 1
    new_left = left + len(head) - width
    for name in names:
        for match in re.finditer(re.escape(name), sentence[left:start]):
            if left + match.start() < new_left < left + match.end():
                new_left = left + match.start()
    tail_start = end + (len(sentence[end:right]) - len(sentence[end:right].lstrip()))
    tail_words = word_tokenize(sentence[tail_start:right], engine="newmm", keep_whitespace=True)
    taken, width = 0, 0
    for word in tail_words:
        if word.isspace() or taken == TH_AFTER:
            break
        width += len(word)
        taken += 1
    return new_left, tail_start + width
