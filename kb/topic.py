"""What a question is about, in a few of its own words: its rarest words in the corpus, less its names, the words
that say what it asks (kb.question) and stop words. ``kb.followup`` adds them to a follow-up that names nothing
("To how many countries?" after a question about staff sent abroad). Deliberately no synonyms or lemmas beyond the
keyword tokens' own (``kb.tokens``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from kb.question import asking
from kb.tokens import words

TOPIC_WORDS = 3


def topic(text: str, names: Sequence[tuple[int, int]], lang: str, idf: Mapping[str, float]) -> list[str]:
    """Up to ``TOPIC_WORDS`` words that say what ``text`` is about, in their order: its rarest words in the corpus,
    less its named things (``names``: their spans), what it asks ("How many", "何人") and stop words.

    >>> topic("How many city staff were sent abroad?", [], "en", {"citi": 0.8, "staff": 2.9, "sent": 1.9, "abroad": 3.2})
    ['staff', 'sent', 'abroad']
    """
    found = [(surface, token) for surface, token in words(blank(text, [*names, *asking(text, lang)]), lang)
             if token in idf and _content(surface, lang)]
    rarest = sorted(dict.fromkeys(found), key=lambda pair: -idf[pair[1]])[:TOPIC_WORDS]  # ties: the first written
    return list(dict.fromkeys(surface for surface, token in found if (surface, token) in rarest))


def _content(word: str, lang: str) -> bool:
    """Not a stop word: Japanese content words hold kanji, katakana or Latin letters (particles are hiragana), and more
    than one character (the tokenizer cuts compounds into parts such as 用 in 家庭用)."""
    if lang == "ja":
        return len(word) > 1 and re.search(r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]", word) is not None
    return not word.isdigit() and word.lower() not in stopwords(lang)


@lru_cache(maxsize=4)
def stopwords(lang: str) -> frozenset[str]:
    """Maintained stop word lists: PyThaiNLP's for Thai, NLTK's (shipped with llama-index) for English and Indonesian."""
    if lang == "th":
        from pythainlp.corpus import thai_stopwords

        return frozenset(thai_stopwords())
    from llama_index.core.utils import globals_helper  # puts llama-index's NLTK data on NLTK's path
    from nltk.corpus import stopwords as nltk_stopwords

    names = {"en": "english", "id": "indonesian"}
    return frozenset(globals_helper.stopwords) | frozenset(nltk_stopwords.words(names[lang]) if lang in names else ())


def blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the spans (overlapping or not) blanked out, one space keeping the words around them apart.

    >>> blank("How many trainees did KITA accept?", [(0, 8), (4, 17), (22, 26)])
    '  did   accept?'
    """
    cut = [False] * len(text)
    for start, end in spans:
        cut[start:end] = [True] * (end - start)
    return "".join(" " if cut[i] else c for i, c in enumerate(text) if not (cut[i] and i and cut[i - 1]))
