"""The corpus glossary: proper names in ja/en/id/th, for validation and for matching names across scripts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Term:
    """A glossary entry: its surface forms per language (the first is the one to use)."""

    forms: dict[str, list[str]]


def load_glossary(path: Path) -> list[Term]:
    """Read ``glossary.yaml``: a list of ``{ja: [forms], en: form, id: form, th: form}``; missing file → []."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Term({lang: [v] if isinstance(v, str) else list(v) for lang, v in entry.items()}) for entry in entries]


def names_in(text: str, lang: str, glossary: list[Term]) -> list[str]:
    """The ``lang`` forms of every glossary name that ``text`` mentions in any language.

    A Thai question that writes "Bago" in Latin letters gets "บาโก" for Thai keyword matching.
    """
    lowered = text.lower()
    found = []
    for term in glossary:
        if lang not in term.forms:
            continue
        for forms in term.forms.values():
            if any(_mentions(lowered, form.lower()) for form in forms):
                found.append(term.forms[lang][0])
                break
    return found


def _mentions(text: str, form: str) -> bool:
    if form.isascii():
        return re.search(rf"(?<![a-z]){re.escape(form)}(?![a-z])", text) is not None
    return form in text
