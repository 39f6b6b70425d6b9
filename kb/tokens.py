"""Language-aware tokens for the keyword index: what llama-index's BM25 lacks for ja and th.

Japanese: SudachiPy (mode A, normalised forms); Thai: PyThaiNLP's newmm word segmenter;
English and Indonesian: lower-cased words with Snowball stems. Numbers are added in their
normalised form (平成20年 → 2008, 2,000 → 2000), so figures match across writing styles.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from kb.numbers import numbers

WORD = re.compile(r"[^\W_]+", re.UNICODE)
STEMMERS = {"en": "english", "id": "indonesian"}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


@lru_cache(maxsize=2)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS[lang])


def _japanese(text: str) -> list[tuple[str, str]]:
    tokenizer = _sudachi()
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        morphemes = tokenizer.tokenize(text)
        return [(m.surface(), m.normalized_form().lower()) for m in morphemes
                if m.part_of_speech()[0] not in ("補助記号", "空白")]


def _thai(text: str) -> list[tuple[str, str]]:
    from pythainlp.tokenize import word_tokenize

    return [(w, w.lower()) for w in word_tokenize(text, engine="newmm", keep_whitespace=False) if WORD.search(w)]


# Passage sentences are weighed for question after question: each short text is segmented once (ja/th), up to
# SEGMENTED of them (4,074 texts of 300 characters took 87 MB, so at most ~45 MB); the indexer's chunks are not kept.
SEGMENTED, SENTENCE_CHARS = 2048, 300


def _segment(text: str, lang: str) -> list[tuple[str, str]]:
    return _japanese(text) if lang == "ja" else _thai(text)


@lru_cache(maxsize=SEGMENTED)
def _segmented(text: str, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple(_segment(text, lang))


def words(text: str, lang: str) -> list[tuple[str, str]]:
    """Each word of ``text`` as written and as a keyword token (``tokenize`` less the extra numbers).

    >>> words("Bago composts waste", "en"), words("バゴ市の堆肥", "ja")[:2]
    ([('Bago', 'bago'), ('composts', 'compost'), ('waste', 'wast')], [('バゴ', 'バゴ'), ('市', '市')])
    """
    if lang in ("ja", "th"):
        pairs = _segmented(text, lang) if len(text) <= SENTENCE_CHARS else _segment(text, lang)
    else:
        written = WORD.findall(text)
        lowered = [w.lower() for w in written]
        pairs = list(zip(written, _stemmer(lang).stemWords(lowered) if lang in STEMMERS else lowered))
    return [(surface, token) for surface, token in pairs if WORD.search(token)]


def tokenize(text: str, lang: str) -> list[str]:
    """Tokens of ``text`` for keyword search in language ``lang``.

    >>> tokenize("Bago composts 1 tonne of market waste", "en")[:4]
    ['bago', 'compost', '1', 'tonn']
    """
    tokens = [token for _, token in words(text, lang)]
    return tokens + sorted(numbers(text) - set(tokens))
