"""Detect a question's language: a script check first, then seeded langdetect for Latin script.

Kana means Japanese and Thai script means Thai, whatever the length; kanji-only text is taken
as Japanese (Chinese is not a supported language). Latin-script text goes to langdetect,
restricted to English and Indonesian unless another language is clearly more likely.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from kb.settings import LANGUAGES

DetectorFactory.seed = 0

KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
LETTER = re.compile(r"[^\W\d_]")
# Frequent Indonesian function words: langdetect often calls short Indonesian questions Malay or Tagalog.
INDONESIAN_HINTS = {"yang", "dan", "di", "ke", "dari", "apa", "bagaimana", "berapa", "siapa", "kapan", "mengapa",
                    "dengan", "untuk", "kota", "sampah", "apakah", "ini", "itu", "tahun", "dalam", "oleh"}
SUPPORTED_LATIN = {"en": "en", "id": "id", "ms": "id"}


@dataclass(frozen=True)
class Detection:
    """The language to answer in, and whether the question's own language is supported."""

    lang: str
    supported: bool
    detected: str


def detect_language(text: str) -> Detection:
    """Detect the question's language.

    >>> detect_language("バゴ市のコンポスト").lang, detect_language("北九州市").lang
    ('ja', 'ja')
    >>> detect_language("Bago ทำปุ๋ยหมักอย่างไร").lang
    'th'
    """
    letters = LETTER.findall(text)
    if not letters:
        return Detection("en", True, "en")
    thai = sum(bool(THAI.match(c)) for c in letters)
    cjk = sum(bool(KANA.match(c) or HAN.match(c)) for c in letters)
    if KANA.search(text) or (cjk and cjk >= thai and not _mostly_latin(letters, cjk)):
        return Detection("ja", True, "ja")
    if thai:
        return Detection("th", True, "th")
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    if latin * 2 < len(letters):
        return Detection("en", False, _guess(text))
    return _latin(text, letters)


def _guess(text: str) -> str:
    try:
        return detect_langs(text)[0].lang
    except LangDetectException:
        return "unknown"


def _mostly_latin(letters: list[str], cjk: int) -> bool:
    return sum(c.isascii() for c in letters) > 4 * cjk


def _latin(text: str, letters: list[str]) -> Detection:
    words = set(re.findall(r"[a-z]+", text.lower()))
    try:
        guesses = detect_langs(text)
    except LangDetectException:
        guesses = []
    best = guesses[0] if guesses else None
    if best and best.lang not in SUPPORTED_LATIN and best.prob > 0.9 and len(letters) >= 15 and not words & INDONESIAN_HINTS:
        return Detection("en", False, best.lang)
    scores = {"en": 0.0, "id": 0.0}
    for guess in guesses:
        if guess.lang in SUPPORTED_LATIN:
            scores[SUPPORTED_LATIN[guess.lang]] += guess.prob
    scores["id"] += 0.5 * len(words & INDONESIAN_HINTS)
    lang = max(scores, key=scores.get) if any(scores.values()) else "en"
    return Detection(lang, True, lang)


def resolve_language(text: str, override: str | None = None) -> Detection:
    """An explicit language wins; otherwise detect."""
    if override:
        if override not in LANGUAGES:
            from kb.errors import InputError

            raise InputError(f"--lang {override!r} is not supported (use one of: {', '.join(LANGUAGES)})")
        return Detection(override, True, override)
    return detect_language(text)
