"""The served case studies as the page shows them: titles, places, filters and their names in each page language.

Built from the loaded index's library (``kb.library``), so the page lists exactly what Kyodo answers from.
Country, city and topic names come from ``kb.vocabulary``.
"""

from __future__ import annotations

from kb.glossary import Term
from kb.library import Case, Library
from kb.vocabulary import PlaceNames, country_name, topic_name

FIELDS = ("countries", "cities", "topics")


class Catalog:
    """Every indexed case study, with names of places and topics in each page language."""

    def __init__(self, library: Library, glossary: list[Term]) -> None:
        self.cases: dict[str, Case] = library.cases
        self.names = PlaceNames(glossary)

    def city_name(self, city: str, lang: str) -> str:
        return self.names.city(city, lang)

    def place(self, case: Case, lang: str) -> str:
        """``"Bago, Cebu (Philippines)"`` in ``lang``."""
        return self.names.place(case.cities, case.countries, lang)

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
