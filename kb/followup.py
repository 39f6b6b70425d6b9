"""Follow-up questions made standalone from the conversation, by rules (no model), in ja/en/id/th.

A question is read as its named things (places, glossary names, codes, years: spans in the text, so Thai and
Japanese need no spaces) and what is left around them. Rules and word lists are ``kb/data/followups.yaml``:

- it names nothing, or points back ("there", "その", "ที่นั่น"): the previous question's named things are added
  ("Who funded it?" → "Who funded it? (Bago)"), and, when it names nothing and an IDF table is given, a few words
  that say what the previous question was about (``kb.topic``: "To how many countries? (Kitakyushu, staff, abroad,
  experts)");
- it names something and asks nothing else ("And in Cebu?", "แล้วเซบูล่ะ"): the previous question is asked again with
  its thing of the same kind replaced ("How much market waste does Cebu compost a day?");
- otherwise it is complete and left alone.

Each previous turn is made standalone first (the last ``TURNS`` of them), so "Who runs it?" after "And in Cebu?"
keeps Cebu. Deliberately left out: what the previous answers cited, and rewriting by a language model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.glossary import Term, name_spans
from kb.language import Detection, detect_language
from kb.numbers import numbers
from kb.places import gazetteer
from kb.topic import blank, topic

RULES = Path(__file__).with_name("data") / "followups.yaml"
TURNS = 3
# A year as written, with what marks it (FY2008, 平成20年度, 2008年): a new one replaces the whole of an old one.
YEAR = re.compile(r"(?:平成|昭和|令和)\s*(?:元|\d+)\s*年度?|(?:FY\s?)?(?<!\d)(?:19|20|25)\d\d(?!\d)(?:\s*年度?)?")
LETTER = r"[^\W\d_]"
# kb.question's codes (MCED6, PCAPI-7), also when Japanese or Thai follows with no space (MCED5は).
CODE = re.compile(r"(?<![A-Za-z0-9-])(?!FY\d)[A-Z]{2,}-?\d+(?![A-Za-z0-9-])")


@dataclass(frozen=True)
class Named:
    """A named thing as written in a question: where, what kind (place, name, code, year) and who it is.

    ``keys`` identify it across languages and lists (a GeoNames city, a glossary entry); ``level`` is ``city`` or
    ``country`` for places.
    """

    start: int
    end: int
    kind: str
    keys: frozenset[str]
    level: str = ""
    anchor: bool = False

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def same(self, others: Sequence[Named]) -> bool:
        return any(self.keys & other.keys for other in others)


@dataclass(frozen=True)
class Rules:
    """``kb/data/followups.yaml``, compiled."""

    fillers: re.Pattern[str]
    refers: re.Pattern[str]
    carry: dict[str, str]
    joiner: dict[str, str]
    sections: dict[str, str]
    anchors: frozenset[str]
    before: re.Pattern[str]
    after: re.Pattern[str]
    affix: re.Pattern[str]


def _phrases(by_lang: dict[str, list[str]]) -> re.Pattern[str]:
    """One pattern for every language's phrases, longest first; Latin-script ones only as whole words."""
    phrases = sorted({str(p) for phrases in by_lang.values() for p in phrases}, key=len, reverse=True)
    parts = [f"(?<!{LETTER}){re.escape(p)}(?!{LETTER})" if p.isascii() else re.escape(p) for p in phrases]
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=1)
def rules() -> Rules:
    raw = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    before, after = (sorted(raw["affixes"][side], key=len, reverse=True) for side in ("before", "after"))
    words = "|".join(re.escape(a) for a in before + after)
    return Rules(_phrases(raw["fillers"]), _phrases(raw["refers"]), raw["carry"], raw["joiner"], raw["sections"],
                 frozenset(raw["anchors"]),
                 re.compile("(?:" + "|".join(re.escape(a) + (r"\s" if a.isascii() else "") for a in before) + ")$",
                            re.IGNORECASE),
                 re.compile("^(?:" + "|".join(rf"\s{re.escape(a)}(?!{LETTER})" if a.isascii() else re.escape(a)
                                              for a in after) + ")", re.IGNORECASE),
                 re.compile(f"(?:{words})", re.IGNORECASE))


def named(text: str, glossary: Sequence[Term] = ()) -> list[Named]:
    """The named things in ``text`` in reading order; of overlapping names the longest is kept.

    >>> [(n.kind, n.level) for n in named("How did KITA train Surabaya's staff in 2008?")]
    [('place', 'city'), ('year', '')]
    >>> text = "セブ市は？ MCED6"
    >>> [text[n.start:n.end] for n in named(text)]
    ['セブ市', 'MCED6']
    """
    spans: list[Named] = []
    sections, anchors = rules().sections, rules().anchors
    for start, end, term in name_spans(text, list(glossary)):
        english = term.forms.get("en", [next(iter(term.forms.values()))[0]])[0]
        level = sections.get(term.section, "")
        spans.append(Named(start, end, "place" if level else "name", frozenset({f"name:{english}"}), level,
                           english in anchors))
    for start, end, place in gazetteer().spans(text):
        level = "country" if place.key.startswith("territory-") else "city"
        spans.append(Named(start, end, "place", frozenset({place.key}), level, place.name("en") in anchors))
    for match in CODE.finditer(text):
        spans.append(Named(match.start(), match.end(), "code", frozenset({f"code:{match.group()}"})))
    for match in YEAR.finditer(text):
        spans.append(Named(match.start(), match.end(), "year", frozenset(f"year:{n}" for n in numbers(match.group()))))
    spans = [_with_affixes(text, span) for span in spans if not _only_affix(text, span)]
    kept: list[Named] = []
    # Glossary spans come first, so of two equal spans the one whose section gives its kind is kept.
    for span in sorted(spans, key=lambda s: (s.start, s.start - s.end)):
        last = kept[-1] if kept else None
        if last is None or span.start >= last.end:
            kept.append(span)
        elif span.kind == last.kind and span.end <= last.end:  # セブ inside セブ市: one place, both its keys
            kept[-1] = Named(last.start, last.end, last.kind, last.keys | span.keys, last.level or span.level,
                             last.anchor or span.anchor)
    return kept


def _only_affix(text: str, span: Named) -> bool:
    return span.kind == "place" and rules().affix.fullmatch(text[span.start:span.end]) is not None


def _with_affixes(text: str, span: Named) -> Named:
    """A place's span with the words that belong to it: バゴ市, Kota Cebu, Cebu City, เมืองบาโก."""
    if span.kind != "place":
        return span
    start, end = span.start, span.end
    if (match := rules().before.search(text[:start])) is not None:
        start = match.start()
    if (match := rules().after.match(text[end:])) is not None:
        end += match.end()
    return Named(start, end, span.kind, span.keys, span.level, span.anchor)


def asks_nothing(text: str, things: Sequence[Named]) -> bool:
    """Whether ``text`` is only its named things and filler words ("And in Cebu?", "セブ市は？").

    >>> asks_nothing("Bagaimana dengan Cebu?", named("Bagaimana dengan Cebu?"))
    True
    >>> asks_nothing("Who runs it in Cebu?", named("Who runs it in Cebu?"))
    False
    """
    return not any(c.isalnum() for c in rules().fillers.sub(" ", blank(text, [t.span for t in things])))


# Inverse document frequency per language and keyword token (kb.evidence.IdfTable.idf): the corpus's vocabulary.
Idf = Mapping[str, Mapping[str, float]]


def standalone(question: str, history: Sequence[str], lang: str, glossary: Sequence[Term] = (),
               idf: Idf | None = None) -> str:
    """The question to search: ``question`` made standalone with the last ``TURNS`` of ``history`` (oldest first);
    with ``idf``, a question that names nothing also keeps what the previous one was about.

    >>> standalone("And in Cebu?", ["How much market waste does Bago compost a day?"], "en")
    'How much market waste does Cebu compost a day?'
    >>> standalone("Who runs it?", ["How much market waste does Bago compost a day?", "And in Cebu?"], "en")
    'Who runs it? (Cebu)'
    >>> standalone("How did Surabaya cut its waste?", ["How much market waste does Bago compost a day?"], "en")
    'How did Surabaya cut its waste?'
    """
    previous = ""
    for turn in history[-TURNS:]:
        previous = _resolve(turn, previous, lang, glossary, idf)
    return _resolve(question, previous, lang, glossary, idf)


def searched_question(question: str, history: Sequence[str], detection: Detection,
                      glossary: Sequence[Term] = (), idf: Idf | None = None) -> tuple[str, Detection]:
    """``standalone`` for the knowledge base: the question to search and the language to answer in. A guessed
    language ("MCED5?" says nothing about it) gives way to that of the question it stands for.

    >>> guess = detect_language("MCED5?")
    >>> searched, detection = searched_question("MCED5?", ["Kapan MCED4 diselenggarakan?"], guess)
    >>> guess.lang, searched, detection.lang
    ('en', 'Kapan MCED5 diselenggarakan?', 'id')
    """
    history = [turn for turn in history if turn.strip()]
    searched = standalone(question, history, detection.lang, glossary, idf)
    if searched == question or detection.confident:
        return searched, detection
    better = detect_language(searched)
    if better.confidence <= detection.confidence:
        return searched, detection
    return standalone(question, history, better.lang, glossary, idf), better


def _resolve(text: str, previous: str, lang: str, glossary: Sequence[Term], idf: Idf | None) -> str:
    if not previous:
        return text
    before = named(previous, glossary)
    if not before:
        return text
    things = named(text, glossary)
    if things and asks_nothing(text, things):
        return _substitute(previous, before, text, things, lang)
    # The city every case is about names no case: "How many trainees did Kitakyushu receive from there?"
    if not [t for t in things if t.kind != "year" and not t.anchor]:
        has_year = any(t.kind == "year" for t in things)
        keep = [t for t in before if not (t.kind == "year" and has_year) and not t.same(things)]
        about = topic(previous, [t.span for t in before], lang, idf[lang]) if idf and lang in idf else []
    elif rules().refers.search(blank(text, [t.span for t in things])):
        keep = [t for t in before if t.kind != "year" and not t.same(things)]
        about = []
    else:
        return text
    return _carry(text, [previous[t.start:t.end] for t in keep] + about, lang)


def _substitute(previous: str, before: list[Named], text: str, things: list[Named], lang: str) -> str:
    """``previous`` with each of its things replaced by the new thing of the same kind; new things without one are
    added."""
    slots: dict[int, Named] = {}
    extra: list[str] = []
    for new in things:
        if new.same(before):
            continue
        free = [i for i, old in enumerate(before) if i not in slots and old.kind == new.kind and not old.anchor]
        free.sort(key=lambda i: before[i].level != new.level)
        if free:
            slots[free[0]] = new
        else:
            extra.append(text[new.start:new.end])
    out = previous
    for i in sorted(slots, key=lambda i: before[i].start, reverse=True):
        old, new = before[i], slots[i]
        out = _splice(out, old.start, old.end, text[new.start:new.end])
    return _carry(out, extra, lang) if extra else out


def _splice(text: str, start: int, end: int, name: str) -> str:
    """``text`` with ``text[start:end]`` replaced by ``name``, without doubling a suffix or prefix the name brings
    along (セブ市 into バゴ市の → セブ市の, not セブ市市の; Cebu City into "Bago City's" → "Cebu City's")."""
    after, before = text[end:], text[:start]
    for k in range(min(len(name), len(after)), 0, -1):
        piece = after[:k]
        whole = not piece.isascii() or (piece[0] == " " and not re.match(LETTER, after[k:k + 1]))
        if name.endswith(piece) and whole and piece.strip():
            after = after[k:]
            break
    for k in range(min(len(name), len(before)), 1, -1):
        piece = before[-k:]
        whole = not piece.isascii() or (piece[-1] == " " and not re.match(LETTER, before[-k - 1:-k] or " "))
        if name.startswith(piece) and whole and piece.strip():
            before = before[:-k]
            break
    return before + name + after


def _carry(text: str, things: list[str], lang: str) -> str:
    things = list(dict.fromkeys(t for t in things if t not in text))
    if not things:
        return text
    template = rules().carry.get(lang, rules().carry["en"])
    return template.format(question=text, things=rules().joiner.get(lang, ", ").join(things))
