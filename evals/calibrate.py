"""Choose ``abstain_below`` from the gold set: the top passage similarity of in-scope vs out-of-scope questions.

Only the similarity rule is simulated; ``ask`` also abstains when no sentence can be cited, which this ignores.
"""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics import percentile, precision_recall

# Answering an in-scope question matters more than abstaining on a near-topic one: at 0.95 the choice (0.46)
# left the Thai "how did Surabaya cut its waste" unanswered (top similarity 0.45).
MIN_ANSWER_RATE = 0.975
CANDIDATES = [round(0.01 * n, 2) for n in range(100)]


@dataclass(frozen=True)
class Outcome:
    """What one threshold would do on the gold set."""

    threshold: float
    f1: float
    precision: float | None
    recall: float | None
    answer_rate: float


@dataclass(frozen=True)
class Calibration:
    """The chosen threshold, the one in use, and the similarity spread behind the choice."""

    chosen: Outcome
    current: Outcome
    tied: tuple[float, float]
    min_answer_rate: float
    in_scope: dict[str, float | None]
    out_of_scope: dict[str, float | None]


def outcome(points: list[tuple[float, bool]], threshold: float) -> Outcome:
    """Abstention F1 and in-scope answer rate if questions with top similarity below ``threshold`` abstained.

    >>> outcome([(0.6, False), (0.5, False), (0.2, True), (0.45, True)], 0.3)
    Outcome(threshold=0.3, f1=0.6666666666666666, precision=1.0, recall=0.5, answer_rate=1.0)
    """
    abstains = [similarity < threshold for similarity, _ in points]
    precision, recall = precision_recall(abstains, [out for _, out in points])
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    answered = [not a for a, (_, out) in zip(abstains, points) if not out]
    return Outcome(threshold, f1, precision, recall, sum(answered) / len(answered) if answered else 0.0)


def _spread(values: list[float]) -> dict[str, float | None]:
    return {"n": float(len(values)), "min": min(values, default=None), "p5": percentile(values, 5),
            "median": percentile(values, 50), "p95": percentile(values, 95), "max": max(values, default=None)}


def calibrate(points: list[tuple[float, bool]], current: float, min_answer_rate: float = MIN_ANSWER_RATE) -> Calibration:
    """The threshold with the best abstention F1 among those answering ≥ ``min_answer_rate`` of in-scope questions.

    Ties are common (no gold question falls between two candidates); the median tied value keeps the widest margin.

    >>> calibrate([(0.6, False), (0.5, False), (0.2, True), (0.25, True)], 0.3).chosen.threshold
    0.38
    """
    outcomes = [outcome(points, t) for t in CANDIDATES]
    eligible = [o for o in outcomes if o.answer_rate >= min_answer_rate] or outcomes
    best = max(o.f1 for o in eligible)
    tied = [o for o in eligible if abs(o.f1 - best) < 1e-9]
    return Calibration(tied[len(tied) // 2], outcome(points, current), (tied[0].threshold, tied[-1].threshold),
                       min_answer_rate, _spread([s for s, out in points if not out]),
                       _spread([s for s, out in points if out]))
