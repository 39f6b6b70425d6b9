"""Split text into sentences by language: Japanese on 。！？, Thai with PyThaiNLP's CRF model,
English and Indonesian with llama-index's bundled Punkt splitter.

Thai writes no full stop, and the CRF model also cuts at clause breaks: a piece that starts with a
conjunction or relative word ("และ", "ซึ่ง", "โดย" ...) continues the sentence before it and is
joined back, so a quoted Thai sentence is a whole sentence, not its second half.
"""

from __future__ import annotations

import re
from functools import lru_cache

JA_SENTENCE = re.compile(r"(?<=[。！？!?])")
# Sentence splitters cut after these abbreviations; a cut there is undone.
ABBREVIATION = re.compile(r"(?:\b(?:Dr|Mr|Ms|Mrs|No|St|approx|etc)|ค\.ศ|พ\.ศ)\.$")
# Thai words that continue a sentence rather than start one (and, which, by, that, but, so that, both ...).
THAI_CONTINUATION = re.compile(r"^(?:และ|ซึ่ง|โดย|แต่|เพื่อ|ทั้ง|หรือ|รวมทั้ง|รวมถึง|ได้แก่|ตลอดจน|อีกทั้ง|จึง|จน|เช่น|"
                               r"ตั้งแต่|คือ|ก็|แก่|ประมาณ)")


def sentences(text: str, lang: str) -> list[str]:
    """Split text into sentences for the given language."""
    if lang == "ja":
        return [s for s in (part.strip() for line in text.split("\n") for part in JA_SENTENCE.split(line)) if s]
    if lang == "th":
        from pythainlp.tokenize import sent_tokenize

        return [sentence for line in text.split("\n")
                for sentence in _rejoin_thai(_rejoin([s.strip() for s in sent_tokenize(line, engine="crfcut") if s.strip()]))]
    split = _latin_splitter()
    return _rejoin([s.strip() for line in text.split("\n") for s in split(line) if s.strip()])


def _rejoin(parts: list[str]) -> list[str]:
    joined: list[str] = []
    for part in parts:
        if joined and ABBREVIATION.search(joined[-1]):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


def _rejoin_thai(parts: list[str]) -> list[str]:
    """Join a Thai piece that starts with a continuing word to the piece before it (within one line).

    >>> _rejoin_thai(["ศูนย์นี้เป็นที่รู้จัก", "และมีผู้แทนมาศึกษาดูงาน", "ผลสำเร็จเกิดจากการประชุม"])
    ['ศูนย์นี้เป็นที่รู้จัก และมีผู้แทนมาศึกษาดูงาน', 'ผลสำเร็จเกิดจากการประชุม']
    """
    joined: list[str] = []
    for part in parts:
        if joined and THAI_CONTINUATION.match(part):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


@lru_cache(maxsize=1)
def _latin_splitter():
    from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer

    return split_by_sentence_tokenizer()
