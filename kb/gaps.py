"""What the cases do not answer: the question log's declined, partly answered and 👎 questions, clustered into gaps.

Similar questions become one ``Gap`` with a count, whatever language they were asked in: each question as searched (a
follow-up made standalone) is embedded by the served model with its sentence-similarity prompt, and average-linkage
clustering joins questions while their mean cosine distance stays under ``THRESHOLD``. A gap names its nearest case
(the one most of its questions ranked first), that case's topics, and the places its questions name. Deliberately
no labels written by a model: a gap is shown by its own questions. ``kb.gap_report`` writes gaps as CSV, Markdown and
gold-set candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from kb.question import analyse
from kb.question_log import Logged
from kb.settings import LANGUAGES

# Cosine distance at which average linkage stops merging. Measured on the gold set's 37 out-of-scope items asked in
# ja/en/id/th (`python -m evals.gap_clusters --sweep`): 0.35 is the smallest that keeps every item's four languages
# in one cluster (0.30-0.325: 0.946), with 0.994 of item pairs apart (dev half 1.000/0.987, test half 1.000/0.994)
# and 0.977-0.991 when one language is clustered alone; from 0.45 unrelated items merge faster (0.974, 0.475: 0.961).
# The pairs it merges are near twins: Bago centre's cost and its staff; trainees from Ulaanbaatar and in FY2020.
THRESHOLD = 0.35
# Clustering costs memory by the square of the questions: the most recent ones are kept beyond this.
MAX_QUESTIONS = 5000
# A place named by this share of the questions says nothing about which question is which (Kitakyushu).
COMMON_SHARE = 0.3

Embed = Callable[[list[str]], np.ndarray]  # texts -> one unit vector per text (``embed_similar``)


@dataclass(frozen=True)
class CaseLabel:
    """How a report names a case: its title and its topics in the reader's language, and its topic tags."""

    title: str
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """Similar questions the cases failed: a row of the report, most asked first."""

    questions: tuple[Logged, ...]
    case: str  # the nearest case's id ("" when nothing was retrieved)
    label: CaseLabel
    places: tuple[str, ...]  # places the questions name, in English, most named first

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def languages(self) -> dict[str, int]:
        """How often it was asked in each language, ja/en/id/th first."""
        counts = Counter(q.language for q in self.questions)
        return {lang: counts[lang] for lang in (*LANGUAGES, *sorted(counts)) if counts[lang]}

    @property
    def declined(self) -> int:
        return sum(q.outcome == "declined" for q in self.questions)

    @property
    def partial(self) -> int:
        return sum(q.outcome == "partial" for q in self.questions)

    @property
    def down(self) -> int:
        """Answered, but rated 👎 (a declined or partial answer rated 👎 counts as declined or partial)."""
        return sum(q.outcome == "answered" and q.rating == "down" for q in self.questions)

    @property
    def first(self) -> str:
        return min(q.asked_at for q in self.questions)[:10]

    @property
    def last(self) -> str:
        return max(q.asked_at for q in self.questions)[:10]

    def examples(self) -> dict[str, str]:
        """One question per language it was asked in: the wording asked most (the earliest on a tie)."""
        by_lang: dict[str, Counter[str]] = {}
        for q in self.questions:
            by_lang.setdefault(q.language, Counter())[q.question] += 1
        return {lang: by_lang[lang].most_common(1)[0][0] for lang in self.languages}

    def wordings(self) -> list[str]:
        """Every distinct question in the gap, the most asked first: a merge of two different questions shows here."""
        return [text for text, _ in Counter(q.question for q in self.questions).most_common()]

    @property
    def example(self) -> str:
        """The question that stands for the gap: the English one when it was asked in English, else the first."""
        examples = self.examples()
        return examples.get("en") or next(iter(examples.values()))


Named = tuple[str, frozenset[str]]  # a question's language and the places it names (gazetteer keys)


def named(text: str, lang: str) -> Named:
    """``text``'s language and the places it names.

    >>> named("What did Kitakyushu do in Mongolia?", "en")[1] == {"city-1859307", "territory-MN"}
    True
    """
    return lang, frozenset(place.key for place in analyse(text, lang).places)


def clusters(vectors: np.ndarray, threshold: float = THRESHOLD, names: list[Named] | None = None) -> list[int]:
    """A cluster number per unit vector: average linkage on cosine distance, cut at ``threshold``.

    With ``names`` (one per vector), two questions in one language that name different places are taken to be as
    far apart as unrelated ones ("What did Kitakyushu do in Mongolia?" and "... in Kenya?" are close in wording);
    across languages the place names found differ too often to tell. A place that a good share of the questions
    name (Kitakyushu itself) is left out of that comparison.

    >>> clusters(np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0]]))
    [0, 0, 1]
    >>> clusters(np.array([[1.0, 0.0], [0.96, 0.28]]), names=[("en", frozenset({"MN"})), ("en", frozenset({"KE"}))])
    [0, 1]
    """
    n = len(vectors)
    if n < 2:
        return [0] * n
    from scipy.cluster.hierarchy import fcluster, linkage

    matrix = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    for a, b in _different_places(names or []):
        matrix[a, b] = matrix[b, a] = max(matrix[a, b], 1.0)
    distances = matrix[np.triu_indices(n, 1)]
    found = fcluster(linkage(distances, method="average"), threshold, criterion="distance")
    order = {label: i for i, label in enumerate(dict.fromkeys(found))}  # numbered in order of first appearance
    return [order[label] for label in found]


def _different_places(names: list[Named]) -> list[tuple[int, int]]:
    """Pairs of questions in one language naming places none of which the other names (common places left out)."""
    counts = Counter(place for _, places in names for place in places)
    common = {place for place, count in counts.items() if count >= max(3, COMMON_SHARE * len(names))}
    by_lang: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for n, (lang, places) in enumerate(names):
        if places - common:
            by_lang.setdefault(lang, []).append((n, places - common))
    return [(a, b) for group in by_lang.values() for (a, pa), (b, pb) in combinations(group, 2) if not pa & pb]


def find_gaps(rows: Iterable[Logged], embed: Embed, threshold: float = THRESHOLD,
              label: Callable[[str], CaseLabel] | None = None) -> list[Gap]:
    """The gaps among ``rows`` (only declined, partial and 👎 ones count), most asked first, then most recent.

    ``embed`` turns texts into unit vectors (``embed_similar``, or a cache of it); ``label`` names a case by its
    id (default: the id itself)."""
    failed = [row for row in rows if row.gap][-MAX_QUESTIONS:]
    if not failed:
        return []
    first: dict[str, Logged] = {}
    for row in failed:
        first.setdefault(row.searched, row)  # the same wording is embedded once
    texts = list(first)
    names = [named(text, first[text].language) for text in texts]
    numbers = clusters(np.asarray(embed(texts), dtype=np.float32), threshold, names)
    cluster_of = dict(zip(texts, numbers))
    members: dict[int, list[Logged]] = {}
    for row in failed:
        members.setdefault(cluster_of[row.searched], []).append(row)
    name = label or (lambda case: CaseLabel(case))
    gaps = []
    for questions in members.values():
        case = Counter(q.top_case for q in questions).most_common(1)[0][0]
        gaps.append(Gap(tuple(questions), case, name(case) if case else CaseLabel(""), _places(questions)))
    recent_first = sorted(gaps, key=lambda gap: gap.last, reverse=True)
    return sorted(recent_first, key=lambda gap: -gap.count)  # stable: the most recent first among equal counts


def about(gaps: list[Gap], topic: str) -> list[Gap]:
    """The gaps whose nearest case has the topic tag ``topic``: what participants asked about a topic that its cases
    do not answer (a trainer's view before a session on it)."""
    return [gap for gap in gaps if topic in gap.label.tags]


def _places(questions: list[Logged]) -> tuple[str, ...]:
    """The places the questions name (CLDR and GeoNames, in English), most named first."""
    named = Counter(place.name("en") for q in questions for place in set(analyse(q.searched, q.language).places))
    return tuple(name for name, _ in named.most_common())

