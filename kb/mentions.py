"""Whether the case studies mention a place at all, in any of their languages.

A question about Da Nang or Kenya is declined by name when no passage, in any language, writes any
of the place's names; a place the cases do mention goes on to retrieval as usual.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator

from kb.places import Place

# Share of passages above which a place is what the case studies are about rather than what one of them says.
COMMON = 0.5


class Mentions:
    """All passage texts of one index generation, searched for a place's names (answers cached)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self._text = "\n".join(self._texts)
        # Where each text starts in ``_text``: a match found in the joined text is assigned to its passage by bisect.
        self._starts = [0]
        for text in self._texts[:-1]:
            self._starts.append(self._starts[-1] + len(text) + 1)
        self._known: dict[str, bool] = {}
        self._common: dict[tuple[str, ...], bool] = {}
        self._naming: dict[str, frozenset[int]] = {}
        self._lock = threading.Lock()

    def mentions(self, place: Place) -> bool:
        """True when some passage writes one of the place's names (Latin names as whole words, case kept).

        >>> from kb.places import _place
        >>> corpus = Mentions(["Bago City composts market waste.", "ケニア"])
        >>> corpus.mentions(_place("bago", {"en": "Bago"}, ["Bago"])), corpus.mentions(_place("lima", {"en": "Lima"}, ["Lima"]))
        (True, False)
        """
        with self._lock:
            if place.key not in self._known:
                self._known[place.key] = any(self._has(form) for form in place.forms)
            return self._known[place.key]

    def writes(self, name: str) -> bool:
        """True when some passage writes ``name`` (a code such as MCED5; Latin names as whole words)."""
        with self._lock:
            if name not in self._known:
                self._known[name] = self._has(name)
            return self._known[name]

    def common(self, place: Place) -> bool:
        """True when over half of the passages name the place: what the cases are about (Kitakyushu), not an answer.

        >>> from kb.places import _place
        >>> corpus = Mentions(["Kitakyushu helped Bago.", "Kitakyushu trained staff.", "Cebu composts."])
        >>> corpus.common(_place("k", {"en": "Kitakyushu"}, ["Kitakyushu"])), corpus.common(_place("b", {"en": "Bago"}, ["Bago"]))
        (True, False)
        """
        return self.frequent(place.forms)

    def frequent(self, forms: tuple[str, ...]) -> bool:
        """``common`` for anything written in one of ``forms`` (a place's or a glossary name's)."""
        with self._lock:
            if forms not in self._common:
                named = frozenset().union(*(self._naming_texts(form) for form in forms))
                self._common[forms] = len(named) > COMMON * len(self._texts)
            return self._common[forms]

    def _naming_texts(self, form: str) -> frozenset[int]:
        """The texts that write ``form``, by index: one scan of the joined text, not one search per passage.

        >>> corpus = Mentions(["Bago and Bago.", "バゴ市", "Bagoes", "Cebu"])
        >>> sorted(corpus._naming_texts("Bago")), sorted(corpus._naming_texts("バゴ")), sorted(corpus._naming_texts("Cebu"))
        ([0], [1], [3])
        """
        if form not in self._naming:
            if "\n" in form or not form:  # could match across two joined texts (or anywhere): ask each text
                found = frozenset(i for i, text in enumerate(self._texts) if _has(text, form))
            else:
                found = frozenset(bisect.bisect_right(self._starts, start) - 1 for start in _starts(self._text, form))
            self._naming[form] = found
        return self._naming[form]

    def _has(self, form: str) -> bool:
        return _has(self._text, form)


def _starts(text: str, form: str) -> Iterator[int]:
    """Where ``text`` writes ``form``: a Latin name as a whole word (no ASCII letter either side), others anywhere.
    ``str.find`` rather than a regular expression: a pattern that starts with a look-behind is tried at every
    position of the text.

    >>> list(_starts("Bago, Bagoes and xBago Bago", "Bago")), list(_starts("バゴ市とバゴ", "バゴ"))
    ([0, 23], [0, 4])
    """
    latin = form.isascii()
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        if not latin or not (_letter(text[start - 1:start]) or _letter(text[end:end + 1])):
            yield start
        start = text.find(form, start + 1)


def _letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _has(text: str, form: str) -> bool:
    """Whether ``text`` writes ``form`` (``_starts``: Latin names as whole words)."""
    return next(_starts(text, form), None) is not None
