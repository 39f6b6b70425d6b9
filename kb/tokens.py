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


def _japanese(text: str) -> list[str]:
    tokenizer = _sudachi()
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        morphemes = tokenizer.tokenize(text)
        return [m.normalized_form().lower() for m in morphemes if m.part_of_speech()[0] not in ("補助記号", "空白")]


def _thai(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return [w.lower() for w in word_tokenize(text, engine="newmm", keep_whitespace=False) if WORD.search(w)]


def tokenize(text: str, lang: str) -> list[str]:
    """Tokens of ``text`` for keyword search in language ``lang``.

    >>> tokenize("Bago composts 1 tonne of market waste", "en")[:4]
    ['bago', 'compost', '1', 'tonn']
    """
    if lang == "ja":
        words = _japanese(text)
    elif lang == "th":
        words = _thai(text)
    else:
        words = [w.lower() for w in WORD.findall(text)]
        if lang in STEMMERS:
            words = _stemmer(lang).stemWords(words)
    words = [w for w in words if WORD.search(w)]
    return words + sorted(numbers(text) - set(words))
