"""Follow-up questions made standalone from the conversation, by rules (no model), in ja/en/id/th.

A question is read as its named things (places, glossary names, codes, years: spans in the text, so Thai and
Japanese need no spaces) and what is left around them. Rules and word lists are ``kb/data/followups.yaml``:

- it names nothing, or points back ("there", "その", "ที่นั่น"): the previous question's named things are added
  ("Who funded it?" → "Who funded it? (Bago)");
- it names something and asks nothing else ("And in Cebu?", "แล้วเซบูล่ะ"): the previous question is asked again with
  its thing of the same kind replaced ("How much market waste does Cebu compost a day?");
- otherwise it is complete and left alone.

Each previous turn is made standalone first (the last ``TURNS`` of them), so "Who runs it?" after "And in Cebu?"
keeps Cebu. Deliberately left out: what the previous answers cited, and rewriting by a language model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.glossary import Term, name_spans
from kb.numbers import numbers
from kb.places import gazetteer
from kb.question import CODE

RULES = Path(__file__).with_name("data") / "followups.yaml"
TURNS = 3
# A year as written, with what marks it (FY2008, 平成20年度, 2008年): a new one replaces the whole of an old one.
YEAR = re.compile(r"(?:平成|昭和|令和)\s*(?:元|\d+)\s*年度?|(?:FY\s?)?(?<!\d)(?:19|20|25)\d\d(?!\d)(?:\s*年度?)?")
LETTER = r"[^\W\d_]"


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


def _phrases(by_lang: dict[str, list[str]]) -> re.Pattern[str]:
    """One pattern for every language's phrases, longest first; Latin-script ones only as whole words."""
    phrases = sorted({str(p) for phrases in by_lang.values() for p in phrases}, key=len, reverse=True)
    parts = [f"(?<!{LETTER}){re.escape(p)}(?!{LETTER})" if p.isascii() else re.escape(p) for p in phrases]
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=1)
def rules() -> Rules:
    raw = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return Rules(_phrases(raw["fillers"]), _phrases(raw["refers"]), raw["carry"], raw["joiner"], raw["sections"],
                 frozenset(raw["anchors"]))


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


def asks_nothing(text: str, things: Sequence[Named]) -> bool:
    """Whether ``text`` is only its named things and filler words ("And in Cebu?", "セブ市は？").

    >>> asks_nothing("Bagaimana dengan Cebu?", named("Bagaimana dengan Cebu?"))
    True
    >>> asks_nothing("Who runs it in Cebu?", named("Who runs it in Cebu?"))
    False
    """
    return not any(c.isalnum() for c in rules().fillers.sub(" ", _blank(text, things)))


def standalone(question: str, history: Sequence[str], lang: str, glossary: Sequence[Term] = ()) -> str:
    """The question to search: ``question`` made standalone with the last ``TURNS`` of ``history`` (oldest first).

    >>> standalone("And in Cebu?", ["How much market waste does Bago compost a day?"], "en")
    'How much market waste does Cebu compost a day?'
    >>> standalone("Who runs it?", ["How much market waste does Bago compost a day?", "And in Cebu?"], "en")
    'Who runs it? (Cebu)'
    >>> standalone("How did Surabaya cut its waste?", ["How much market waste does Bago compost a day?"], "en")
    'How did Surabaya cut its waste?'
    """
    previous = ""
    for turn in history[-TURNS:]:
        previous = _resolve(turn, previous, lang, glossary)
    return _resolve(question, previous, lang, glossary)


def _resolve(text: str, previous: str, lang: str, glossary: Sequence[Term]) -> str:
    if not previous:
        return text
    before = named(previous, glossary)
    if not before:
        return text
    things = named(text, glossary)
    if things and asks_nothing(text, things):
        return _substitute(previous, before, text, things, lang)
    if not [t for t in things if t.kind != "year"]:
        has_year = any(t.kind == "year" for t in things)
        keep = [t for t in before if not (t.kind == "year" and has_year)]
    elif rules().refers.search(_blank(text, things)):
        keep = [t for t in before if t.kind != "year" and not t.same(things)]
    else:
        return text
    return _carry(text, [previous[t.start:t.end] for t in keep], lang)


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


def _blank(text: str, things: Sequence[Named]) -> str:
    """``text`` with its named things blanked out (spaces keep the words around them apart)."""
    for thing in sorted(things, key=lambda t: t.start, reverse=True):
        text = text[:thing.start] + " " + text[thing.end:]
    return text
