"""Whether the case studies mention a place at all, in any of their languages.

A question about Da Nang or Kenya is declined by name when no passage, in any language, writes any
of the place's names; a place the cases do mention goes on to retrieval as usual.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from kb.places import Place

# Share of passages above which a place is what the case studies are about rather than what one of them says.
COMMON = 0.5


class Mentions:
    """All passage texts of one index generation, searched for a place's names (answers cached)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self._text = "\n".join(self._texts)
        self._known: dict[str, bool] = {}
        self._common: dict[tuple[str, ...], bool] = {}
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
                named = sum(any(_has(text, form) for form in forms) for text in self._texts)
                self._common[forms] = named > COMMON * len(self._texts)
            return self._common[forms]

    def _has(self, form: str) -> bool:
        return _has(self._text, form)


def _has(text: str, form: str) -> bool:
    if form.isascii():
        return re.search(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", text) is not None
    return form in text
