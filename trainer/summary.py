"""An extractive summary: the case's own sentences that best cover the case and the session's theme.

Classic centroid summarisation on the index's keyword tokens: each sentence is a TF-IDF vector
(``kb.tokens``, IDF over every indexed chunk in that language), scored by its cosine to the
case's centroid plus, with half the weight, to the theme query. The best ones are kept up to a
length budget and shown in reading order. Nothing is rewritten, so a summary sentence is always
a quote of the passage it cites. It deliberately uses no embedding model: a pack summarises
five cases in well under a second, where embedding every sentence took longer than the Q&A.
"""

from __future__ import annotations

import math
from collections import Counter

from kb.evidence import IdfTable
from kb.tokens import tokenize
from trainer.case import CaseText, Sentence

MAX_SENTENCES = 3
# Characters: Japanese says in 260 what Thai, English and Indonesian say in about 600.
BUDGET = {"ja": 260}
BUDGET_DEFAULT = 600
THEME_WEIGHT = 0.5

Vector = dict[str, float]


def _vector(text: str, lang: str, idf: IdfTable) -> Vector:
    counts = Counter(tokenize(text, lang))
    vector = {t: n * idf.weight(t, lang) for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def _cosine(a: Vector, b: Vector) -> float:
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def summarise(case: CaseText, query: str, idf: IdfTable) -> list[Sentence]:
    """Up to ``MAX_SENTENCES`` of the case's sentences, in reading order."""
    body = case.body()
    if not body:
        return case.sentences[:1]
    vectors = [_vector(s.text, case.lang, idf) for s in body]
    centre: Counter[str] = Counter()
    for vector in vectors:
        centre.update(vector)
    norm = math.sqrt(sum(v * v for v in centre.values())) or 1.0
    centroid = {t: v / norm for t, v in centre.items()}
    theme = _vector(query, case.lang, idf) if query else {}
    scores = [_cosine(v, centroid) + THEME_WEIGHT * _cosine(v, theme) for v in vectors]
    budget = BUDGET.get(case.lang, BUDGET_DEFAULT)
    chosen: list[Sentence] = []
    used = 0
    for index in sorted(range(len(body)), key=lambda i: -scores[i]):
        sentence = body[index]
        if chosen and used + len(sentence.text) > budget:
            continue
        chosen.append(sentence)
        used += len(sentence.text)
        if len(chosen) == MAX_SENTENCES:
            break
    return sorted(chosen, key=lambda s: s.position)
