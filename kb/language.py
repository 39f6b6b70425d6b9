"""Detect a question's language: the script first, then lingua on Latin-script text.

Kana means Japanese, Thai script Thai and Hangul Korean, whatever the length. Han-only text is Japanese
unless it shows Chinese: a character outside Japanese's character set (simplified forms such as 们, 环) or
a word Japanese writes in kana (吗, 什么, 是, 多少), so kanji-only Japanese (北九州市研修員数) stays Japanese.
Latin-script text goes to lingua, restricted to the languages we serve and the common others, after taking
out names (capitalised words inside a sentence, acronyms, words with digits): "Cebu" or "KITA" say nothing
about the language and made "And in Cebu?" Indonesian. Malay is answered in Indonesian, its close sibling.
Chosen by `python -m evals.langid` on evals/langid.yaml; it leaves out guessing from a user's history.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from kb.settings import LANGUAGES

KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
LETTER = re.compile(r"[^\W\d_]")
# Full-width punctuation comes from a Japanese input method: "KITA？" was typed by a Japanese reader.
FULL_WIDTH = re.compile(r"[？！。、]")
# Chinese words that Japanese writes in kana or not at all; 的 and 了 are left out (具体的, 完了 are Japanese).
CHINESE_WORDS = re.compile(r"[吗嗎呢么麼们們这這哪什怎谁誰吧是请請]|多少|如何")
# Latin-script languages lingua chooses among: the served ones, Malay (answered as Indonesian) and the
# others officials in the partner cities are likely to write, so that those get a note instead of a guess.
LATIN = ("en", "id", "ms", "tl", "vi", "fr", "es", "de", "nl", "pt")
ANSWERED_AS = {"ms": "id"}
SERVED_LATIN = tuple(code for code in LANGUAGES if code in LATIN)
# Below this, a Latin-script detection is ambiguous (the UI keeps the page language). Confidence is
# 1 - second/best of lingua's values; on evals/langid.yaml every wrong detection scores under 0.6 and
# 190 of the 220 right en/id ones (86%) score above it ("And in Cebu?" scores 0.11: "and in" could be Dutch).
CONFIDENT = 0.6
# Kanji-only text with no sign of Chinese is answered in Japanese, but it could be Chinese (培訓時間多長):
# too unsure to switch the page language on.
KANJI_ONLY = 0.5


@dataclass(frozen=True)
class Detection:
    """The language to answer in, whether the question's own language is supported, and how sure we are.

    ``confidence`` is 1.0 when the script settles it (kana, Thai, Hangul, Chinese), ``KANJI_ONLY`` for
    kanji-only Japanese, else how far lingua's best Latin-script language is ahead of the next (1 - second/best).
    """

    lang: str
    supported: bool
    detected: str
    confidence: float = 1.0

    @property
    def confident(self) -> bool:
        """False for a guess the UI must not switch the page language on ("And in Cebu?")."""
        return self.confidence >= CONFIDENT


def detect_language(text: str) -> Detection:
    """Detect the question's language.

    >>> detect_language("バゴ市のコンポスト").lang, detect_language("北九州市研修員数").lang
    ('ja', 'ja')
    >>> detect_language("Bago ทำปุ๋ยหมักอย่างไร").lang, detect_language("KITA？").lang, detect_language("KITA?").lang
    ('th', 'ja', 'en')
    >>> detect_language("北九州市在宿务做了什么？")
    Detection(lang='en', supported=False, detected='zh', confidence=1.0)
    """
    letters = LETTER.findall(text)
    if not letters:
        return Detection("en", True, "en", 0.0)
    if KANA.search(text):
        return Detection("ja", True, "ja")
    if HANGUL.search(text):  # before Han: Korean may be written with some hanja (北九州市는)
        return Detection("en", False, "ko")
    thai = sum(bool(THAI.match(c)) for c in letters)
    han = sum(bool(HAN.match(c)) for c in letters)
    if han and han >= thai and not _mostly_latin(letters, han):
        return Detection("en", False, "zh") if _chinese(text) else Detection("ja", True, "ja", KANJI_ONLY)
    if thai:
        return Detection("th", True, "th")
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    if latin * 2 < len(letters):
        return Detection("en", False, _name_script(text))
    return _latin(text)


def _mostly_latin(letters: list[str], cjk: int) -> bool:
    return sum(c.isascii() for c in letters) > 4 * cjk


def _chinese(text: str) -> bool:
    """Han-only text that is Chinese: a character Japanese lacks (cp932 holds Japanese's), or a Chinese word."""
    return bool(CHINESE_WORDS.search(text)) or any(not _in_cp932(c) for c in HAN.findall(text))


def _in_cp932(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _latin(text: str) -> Detection:
    words = [word for word in without_names(text).split() if LETTER.search(word)]
    if not words:  # nothing but names ("KITA?"): only full-width punctuation ("KITA？") tells the language
        return Detection("ja", True, "ja", KANJI_ONLY) if FULL_WIDTH.search(text) else Detection("en", True, "en", 0.0)
    scores: dict[str, float] = {}
    for value in lingua_detector(LATIN).compute_language_confidence_values(" ".join(words)):
        code = value.language.iso_code_639_1.name.lower()
        code = ANSWERED_AS.get(code, code)
        scores[code] = scores.get(code, 0.0) + value.value
    if len(words) == 1 and words[0].isascii():
        # "And Dalian?", "Kota Bago?": one plain word is too little to be sure, or to name an unsupported
        # language by (a word with diacritics, "Còn Bangkok?", does tell: English and Indonesian have none).
        lang = max(SERVED_LATIN, key=lambda code: scores.get(code, 0.0))
        return Detection(lang, True, lang, 0.0)
    ranked = sorted(scores.values(), reverse=True) + [0.0, 0.0]
    lang = max(scores, key=scores.__getitem__) if scores else "en"
    confidence = 1 - ranked[1] / ranked[0] if ranked[0] else 0.0
    if lang in LANGUAGES:
        return Detection(lang, True, lang, confidence)
    return Detection("en", False, lang, confidence)


def without_names(text: str) -> str:
    """``text`` less the words that are names whatever the language: capitalised inside a sentence, acronyms, digits.

    Text in title case is kept whole: its capitals mark no names.

    >>> without_names("What did Kitakyushu do in Cebu? And KITA in 2008?")
    'What did do in And in'
    >>> without_names("Dalian Environmental Model Zone Improvement Plan")
    'Dalian Environmental Model Zone Improvement Plan'
    """
    tokens = text.split()
    if len(tokens) >= 3 and all(token[:1].isupper() for token in tokens):
        return text
    kept: list[str] = []
    starts_sentence = True
    for token in tokens:
        word = token.strip("¿¡\"'“”‘’()[]{}.,:;!?")
        name = bool(word) and (any(c.isdigit() for c in word) or (len(word) > 1 and word.isupper())
                               or (word[0].isupper() and not starts_sentence))
        if word and not name:
            kept.append(word)
        starts_sentence = token[-1] in ".?!"
    return " ".join(kept)


def _name_script(text: str) -> str:
    """The language of text in a script we do not serve (Arabic, Cyrillic, ...), for the note."""
    language = _any_detector().detect_language_of(text)
    return language.iso_code_639_1.name.lower() if language else "unknown"


@cache
def lingua_detector(codes: tuple[str, ...]) -> LanguageDetector:
    """Lingua restricted to ``codes`` (ISO 639-1), built once; it loads each language's models on first use."""
    # Full accuracy mode: the low-accuracy (trigram-only) mode gets en 0.91 / id 0.93 on the short questions.
    return LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(c) for c in codes)).build()


@cache
def _any_detector() -> LanguageDetector:
    # Lingua loads a language's model only when the text's script allows it, so this stays small.
    return LanguageDetectorBuilder.from_all_languages().build()


def resolve_language(text: str, override: str | None = None) -> Detection:
    """An explicit language wins; otherwise detect."""
    if override:
        if override not in LANGUAGES:
            from kb.errors import InputError

            raise InputError(f"--lang {override!r} is not supported (use one of: {', '.join(LANGUAGES)})")
        return Detection(override, True, override)
    return detect_language(text)
