"""Kyodo's domain vocabulary in ja/en/id/th: topic tags and their names, country, language and city names.

``TOPICS`` is the one topic list: the tags the corpus validator accepts, the pack's ``--topic`` choices and
the names the page and the packs show. Country and language names come from pycountry's translations,
city names from the corpus glossary. ``translate`` is the one lookup of every table of texts (the page's,
the packs', the read path's messages): English when a language has no entry, placeholders filled strictly.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from kb.glossary import Term

TOPICS: dict[str, dict[str, str]] = {
    "waste": {"ja": "廃棄物", "en": "Waste", "id": "Sampah", "th": "ขยะ"},
    "composting": {"ja": "コンポスト", "en": "Composting", "id": "Pengomposan", "th": "การทำปุ๋ยหมัก"},
    "recycling": {"ja": "リサイクル", "en": "Recycling", "id": "Daur ulang", "th": "การรีไซเคิล"},
    "water": {"ja": "水環境", "en": "Water", "id": "Air", "th": "น้ำ"},
    "sewerage": {"ja": "下水道", "en": "Sewerage", "id": "Saluran pembuangan", "th": "ระบบบำบัดน้ำเสีย"},
    "air": {"ja": "大気", "en": "Air quality", "id": "Kualitas udara", "th": "คุณภาพอากาศ"},
    "energy/low-carbon": {"ja": "エネルギー・低炭素", "en": "Energy and low carbon", "id": "Energi dan rendah karbon",
                          "th": "พลังงานและคาร์บอนต่ำ"},
    "training": {"ja": "研修", "en": "Training", "id": "Pelatihan", "th": "การฝึกอบรม"},
    "business": {"ja": "環境ビジネス", "en": "Environmental business", "id": "Bisnis lingkungan",
                 "th": "ธุรกิจสิ่งแวดล้อม"},
    "network": {"ja": "都市間ネットワーク", "en": "City networks", "id": "Jaringan kota", "th": "เครือข่ายเมือง"},
    "policy": {"ja": "政策・計画", "en": "Policy and planning", "id": "Kebijakan dan perencanaan",
               "th": "นโยบายและการวางแผน"},
}


def translate(table: dict[str, dict[str, str]], key: str, lang: str, **values: object) -> str:
    """``table[key]`` in ``lang`` (English when it has none), placeholders filled strictly: a missing value is an
    error, not a blank.

    >>> translate({"hello": {"en": "Hello {name}", "th": "สวัสดี {name}"}}, "hello", "id", name="Bago")
    'Hello Bago'
    """
    texts = table[key]
    return texts.get(lang, texts["en"]).format(**values)


def topic_name(topic: str, lang: str) -> str:
    """A topic tag's name in ``lang``; an unknown tag is shown as written."""
    return TOPICS.get(topic, {}).get(lang, topic)


def topic_tag(name: str) -> str | None:
    """The topic tag that ``name`` means: the tag itself or its name in any of the four languages.

    >>> topic_tag("composting"), topic_tag(" การทำปุ๋ยหมัก "), topic_tag("Air Quality"), topic_tag("market waste")
    ('composting', 'composting', 'air', None)
    """
    wanted = name.strip().casefold()
    return next((tag for tag, names in TOPICS.items()
                 if wanted == tag or wanted in (n.casefold() for n in names.values())), None)


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


class PlaceNames:
    """Cities (by their English name, as the corpus tags them) and countries named in each language."""

    def __init__(self, glossary: list[Term]) -> None:
        self._cities = {forms["en"][0]: forms for forms in (t.forms for t in glossary) if "en" in forms}

    def city(self, city: str, lang: str) -> str:
        """A city as the glossary writes it in ``lang``; a city the glossary lacks, as written.

        >>> PlaceNames([Term({"en": ["Bago"], "th": ["บาโก"]})]).city("Bago", "th")
        'บาโก'
        """
        forms = self._cities.get(city, {})
        return forms[lang][0] if lang in forms else city

    def place(self, cities: list[str], countries: list[str], lang: str) -> str:
        """``"Bago, Cebu (Philippines)"`` in ``lang``."""
        city_names = ", ".join(self.city(c, lang) for c in cities)
        country_names = ", ".join(country_name(c, lang) for c in countries)
        return f"{city_names} ({country_names})" if city_names and country_names else city_names or country_names
