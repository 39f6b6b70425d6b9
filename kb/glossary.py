"""The corpus glossary: proper names in ja/en/id/th, for validation and for matching names across scripts.

``mentions`` is the one name matcher (the validator's, retrieval's and the generated answers' check): a Latin or
katakana name counts only as a whole word, so タイ (Thailand) is not in タイプ nor Bago in Bagong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

KATAKANA = "ァ-ヺー"


@dataclass(frozen=True)
class Term:
    """A glossary entry: its surface forms per language (the first is the one to use), and the glossary's section
    heading above it ("Places", "People")."""

    forms: dict[str, list[str]]
    section: str = ""


def load_glossary(path: Path) -> list[Term]:
    """Read ``glossary.yaml``: a list of ``{ja: [forms], en: form, id: form, th: form}``; missing file → [].

    Each entry's section is the last ``# comment`` line above it (the file writes one entry per ``- `` line).
    """
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    entries = yaml.safe_load(text) or []
    sections, heading = [], ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("- "):
            sections.append(heading)
    if len(sections) != len(entries):  # entries written over several lines: sections unknown
        sections = [""] * len(entries)
    return [Term({lang: [v] if isinstance(v, str) else list(v) for lang, v in entry.items()}, section)
            for entry, section in zip(entries, sections)]


def terms_in(text: str, glossary: list[Term]) -> list[Term]:
    """Every glossary entry that ``text`` names, in any language's form.

    >>> [t.forms["en"][0] for t in terms_in("バゴ市とKITA", [Term({"ja": ["バゴ"], "en": ["Bago"]}), Term({"en": ["Cebu"]})])]
    ['Bago']
    """
    lowered = text.lower()  # a form the text does not hold as a substring needs no pattern
    return [term for term in glossary
            if any(form.lower() in lowered and mentions(text, form) for forms in term.forms.values() for form in forms)]


def names_in(text: str, lang: str, glossary: list[Term]) -> list[str]:
    """The ``lang`` forms of every glossary name that ``text`` mentions in any language.

    A Thai question that writes "Bago" in Latin letters gets "บาโก" for Thai keyword matching.
    """
    return forms_in(terms_in(text, glossary), lang)


def forms_in(terms: list[Term], lang: str) -> list[str]:
    """The form each of ``terms`` takes in ``lang`` (terms without one left out)."""
    return [term.forms[lang][0] for term in terms if lang in term.forms]


def name_spans(text: str, glossary: list[Term]) -> list[tuple[int, int, Term]]:
    """Where ``text`` names a glossary entry, in any language's form: (start, end, term), overlaps included.

    >>> [(s, e) for s, e, _ in name_spans("バゴ市とKITA", [Term({"ja": ["バゴ"], "en": ["Bago"]}), Term({"en": ["KITA"]})])]
    [(0, 2), (4, 8)]
    """
    lowered = text.lower()
    return [(match.start(), match.end(), term) for term in glossary for forms in term.forms.values()
            for form in forms if form.lower() in lowered for match in _pattern(form, True).finditer(text)]


def mentions(text: str, form: str, whole_word: bool = True) -> bool:
    """Whether ``text`` names ``form``, ignoring case; ``whole_word=False`` lets a Latin name run on into a suffix
    (a translation may write "Bago's" or "Cebuano" where the original names the city).

    >>> mentions("タイのバンコク", "タイ"), mentions("タイプ別", "タイ"), mentions("in BAGO.", "Bago")
    (True, False, True)
    """
    return _pattern(form, whole_word).search(text) is not None


@lru_cache(maxsize=4096)
def _pattern(form: str, whole_word: bool) -> re.Pattern[str]:
    left = right = ""
    if re.match(f"[{KATAKANA}]", form):
        left = f"(?<![{KATAKANA}])"
    if re.search(f"[{KATAKANA}]$", form):
        right = f"(?![{KATAKANA}])"
    if re.match("[A-Za-z]", form):
        left = "(?<![A-Za-z])"
    if whole_word and re.search("[A-Za-z0-9]$", form):
        right = "(?![A-Za-z])"
    return re.compile(left + re.escape(form) + right, re.IGNORECASE)
