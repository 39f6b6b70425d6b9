"""The grounded extractive answer: sentences from the top passages, each followed by its citation.

Sentences are scored by the question's keywords (IDF-weighted, in the answer's language, with
glossary names mapped across scripts); the passage is taken in the reader's language when a
translation exists. Every sentence is checked to occur in the passage it cites.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kb.glossary import Term, names_in
from kb.records import Citation
from kb.records import Passage
from kb.sentences import sentences
from kb.tokens import tokenize

MAX_SENTENCES = 3
PER_PASSAGE = 2
PASSAGES_CONSIDERED = 3
KEEP_RATIO = 0.5
# Headings and photo captions are passage lines too; they rarely answer anything.
MIN_CHARS = {"ja": 20}
MIN_CHARS_DEFAULT = 40


@dataclass(frozen=True)
class Draft:
    """The answer text and the citations it uses, numbered in order of first use."""

    text: str
    citations: list[Citation]


class Catalog(Protocol):
    """What the answer needs to know about documents beyond the passages themselves."""

    def title(self, doc_id: str, lang: str) -> str: ...

    def original_text(self, passage: Passage) -> str: ...

    def source(self, doc_id: str) -> str: ...


class IdfTable:
    """Inverse document frequency of tokens per language, from the indexed chunks."""

    def __init__(self, token_lists: dict[str, list[list[str]]]) -> None:
        self.idf: dict[str, dict[str, float]] = {}
        for lang, docs in token_lists.items():
            df = Counter(t for tokens in docs for t in set(tokens))
            self.idf[lang] = {t: math.log(1 + len(docs) / n) for t, n in df.items()}

    def weight(self, token: str, lang: str) -> float:
        table = self.idf.get(lang, {})
        return table.get(token, max(table.values(), default=1.0))


def _score(sentence: set[str], question: set[str], lang: str, idf: IdfTable) -> float:
    overlap = sentence & question
    return sum(idf.weight(t, lang) for t in overlap) / math.sqrt(len(sentence) + 1)


def compose(question: str, lang: str, passages: list[Passage], catalog: Catalog, idf: IdfTable,
            glossary: list[Term], relevance: Callable[[list[str]], Sequence[float]] | None = None) -> Draft:
    """Pick the answering sentences from the top passages and cite them as [1], [2]…

    Sentences are scored by keyword overlap with the question; ``relevance`` (sentences → scores)
    replaces that when the question is in another language than the answer, where words cannot overlap.
    """
    query = set(tokenize(f"{question} {' '.join(names_in(question, lang, glossary))}", lang))
    candidates = [(rank, position, sentence, passage, text_lang)
                  for rank, passage in enumerate(passages[:PASSAGES_CONSIDERED])
                  for text_lang, text in [passage.text_in(lang)]
                  for position, sentence in enumerate(sentences(text, text_lang))]
    raw = (relevance([c[2] for c in candidates]) if relevance and candidates else
           [_score(set(tokenize(sentence, text_lang)), query, text_lang, idf) for _, _, sentence, _, text_lang in candidates])
    scored: list[tuple[float, int, int, str, Passage, str]] = []
    for value, (rank, position, sentence, passage, text_lang) in zip(raw, candidates):
        score = float(value) / (1 + 0.5 * rank)
        if len(sentence) < MIN_CHARS.get(text_lang, MIN_CHARS_DEFAULT):
            score *= 0.2
        scored.append((score, rank, position, sentence, passage, text_lang))
    if not scored:
        return Draft("", [])
    best = max(s[0] for s in scored)
    chosen, per_passage = [], Counter()
    for item in sorted(scored, key=lambda s: -s[0]):
        score, rank = item[0], item[1]
        if len(chosen) == MAX_SENTENCES or (chosen and score < KEEP_RATIO * best) or per_passage[rank] == PER_PASSAGE:
            continue
        chosen.append(item)
        per_passage[rank] += 1
    chosen.sort(key=lambda s: (s[1], s[2]))
    citations: dict[str, Citation] = {}
    parts = []
    for _, _, _, sentence, passage, text_lang in chosen:
        text = passage.texts[text_lang]
        if sentence not in text:  # a citation must quote its passage; never show what we cannot point to
            continue
        if passage.key not in citations:
            doc_id = passage.best.chunk.doc_id
            citations[passage.key] = Citation(len(citations) + 1, doc_id, catalog.title(doc_id, text_lang), text_lang,
                                              text, catalog.original_text(passage), catalog.source(doc_id), [])
        citation = citations[passage.key]
        citation.sentences.append(sentence)
        parts.append(f"{sentence} [{citation.n}]")
    return Draft(("" if lang == "ja" else " ").join(parts), list(citations.values()))
