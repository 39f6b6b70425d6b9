"""Split text into sentences by language: Japanese on 。！？, Thai with PyThaiNLP's CRF model,
English and Indonesian with llama-index's bundled Punkt splitter."""

from __future__ import annotations

import re
from functools import lru_cache

JA_SENTENCE = re.compile(r"(?<=[。！？!?])")
# Sentence splitters cut after these abbreviations; a cut there is undone.
ABBREVIATION = re.compile(r"(?:\b(?:Dr|Mr|Ms|Mrs|No|St|approx|etc)|ค\.ศ|พ\.ศ)\.$")


def sentences(text: str, lang: str) -> list[str]:
    """Split text into sentences for the given language."""
    if lang == "ja":
        return [s for s in (part.strip() for line in text.split("\n") for part in JA_SENTENCE.split(line)) if s]
    if lang == "th":
        from pythainlp.tokenize import sent_tokenize

        return _rejoin([s.strip() for line in text.split("\n") for s in sent_tokenize(line, engine="crfcut") if s.strip()])
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


@lru_cache(maxsize=1)
def _latin_splitter():
    from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer

    return split_by_sentence_tokenizer()
