"""The served case studies as the page shows them: titles, places, years and full text per language.

Built from the loaded index (the chunk table), so the page lists exactly what Kyodo answers from.
Country and language names come from pycountry's translations; city names from the glossary.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from kb.glossary import Term
from kb.records import Chunk
from kb.settings import LANGUAGES
from ui.texts import topic_name

FIELDS = ("countries", "cities", "topics")


@dataclass(frozen=True)
class Case:
    """One case study: metadata and its passages, in order, in every language it has."""

    doc_id: str
    titles: dict[str, str]
    cities: list[str]
    countries: list[str]
    topics: list[str]
    years: list[str]
    source: str
    original: str
    passages: dict[str, list[str]] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get(self.original) or self.doc_id

    def text(self, lang: str) -> tuple[str, list[str]]:
        """The language shown and its passages: ``lang`` when translated, else the original."""
        shown = lang if lang in self.passages else self.original
        return shown, self.passages.get(shown, [])


def _split(value: object) -> list[str]:
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


@lru_cache(maxsize=16)
def _translator(domain: str, lang: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    """``"PH"`` → ``"フィリピン"`` / ``"Philippines"`` / ``"Filipina"`` / ``"ฟิลิปปินส์"``; unknown codes as written."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    if lang == "en":
        return getattr(country, "common_name", None) or country.name
    return _translator("iso3166-1", lang).gettext(country.name)


def language_name(code: str, lang: str) -> str:
    """A detected language code (``"fr"``) named in ``lang``; unknown codes as written."""
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    if language is None:
        return code
    return _translator("iso639-3", lang).gettext(language.name) if lang != "en" else language.name


class Catalog:
    """Every indexed case study, with names of places and topics in each page language."""

    def __init__(self, chunks: Iterable[Chunk], glossary: list[Term]) -> None:
        groups: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            groups.setdefault(chunk.doc_id, []).append(chunk)
        self.cases = {doc_id: _case(doc_id, parts) for doc_id, parts in groups.items()}
        self._names = {forms["en"][0]: forms for forms in (t.forms for t in glossary) if "en" in forms}

    def city_name(self, city: str, lang: str) -> str:
        forms = self._names.get(city, {})
        return forms[lang][0] if lang in forms else city

    def place(self, case: Case, lang: str) -> str:
        """``"Bago, Cebu (Philippines)"`` in ``lang``."""
        cities = ", ".join(self.city_name(c, lang) for c in case.cities)
        countries = ", ".join(country_name(c, lang) for c in case.countries)
        return f"{cities} ({countries})" if cities and countries else cities or countries

    def name(self, field_name: str, value: str, lang: str) -> str:
        """The display name of a filter value: a country, city or topic."""
        if field_name == "countries":
            return country_name(value, lang)
        if field_name == "cities":
            return self.city_name(value, lang)
        return topic_name(value, lang)

    def choices(self, field_name: str, lang: str) -> list[tuple[str, str]]:
        """(label, value) pairs for a filter, most frequent first."""
        counts: dict[str, int] = {}
        for case in self.cases.values():
            for value in getattr(case, field_name):
                counts[value] = counts.get(value, 0) + 1
        ranked = sorted(counts, key=lambda v: (-counts[v], self.name(field_name, v, lang)))
        return [(f"{self.name(field_name, v, lang)} ({counts[v]})", v) for v in ranked]

    def titles(self, lang: str) -> list[tuple[str, str]]:
        """(title in ``lang``, doc_id) for every case, sorted by title."""
        return sorted(((case.title(lang), case.doc_id) for case in self.cases.values()), key=lambda p: p[0])


def _case(doc_id: str, chunks: list[Chunk]) -> Case:
    meta = next((c.meta for c in chunks if "translated_from" not in c.meta), chunks[0].meta)
    texts: dict[str, dict[int, str]] = {}
    titles: dict[str, str] = {}
    for chunk in chunks:
        texts.setdefault(chunk.lang, {})[chunk.first] = chunk.meta.get("passage_text", chunk.text)
        titles[chunk.lang] = chunk.title
    passages = {lang: [by_first[k] for k in sorted(by_first)] for lang, by_first in texts.items()}
    original = meta.get("lang") or next(iter(passages))
    ordered = {lang: passages[lang] for lang in LANGUAGES if lang in passages} | passages
    return Case(doc_id, titles, _split(meta.get("cities")), _split(meta.get("countries")), _split(meta.get("topics")),
                _split(meta.get("years")), str(meta.get("source") or ""), original, ordered)
