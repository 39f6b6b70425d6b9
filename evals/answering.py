"""Metrics of the answer a reader gets: the asked fact first, and honest refusals (issue 15).

``fact_first``: the share of an item's facts in the answer's first sentence (the text up to its first
citation marker). ``false_answer`` / ``false_refusal``: the two errors NoMIRACL reports, an answer to a
question the cases cannot answer and a refusal of one they can. ``partial_correct``: a near-topic
question (gold ``near``) is declined citing the case it names, or, for a place no case mentions,
declined citing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evals.metrics import fact_recall

FIRST_MARKER = re.compile(r"\[\d+(?:\s*[,，、]\s*\d+)*\]")


def first_sentence(answer: str) -> str:
    """The answer up to and including its first citation marker (all of it when it cites nothing).

    >>> first_sentence("434 trainees [1]. In FY2008 KITA accepted 434 trainees [1].")
    '434 trainees [1]'
    """
    match = FIRST_MARKER.search(answer)
    return answer[:match.end()] if match else answer


def fact_first(answer: str, facts: Sequence[Sequence[str]]) -> float | None:
    """Share of the facts stated in the first sentence; ``None`` when the case lists no facts."""
    return fact_recall(first_sentence(answer), facts)


def partial_correct(abstained: bool, cited: Sequence[str], near: Sequence[str] | None) -> float | None:
    """1.0 when a near-topic question is declined as it should be; ``None`` for other questions.

    >>> partial_correct(True, ["iges-bago-cebu-composting"], ["iges-bago-cebu-composting"]), partial_correct(True, [], [])
    (1.0, 1.0)
    >>> partial_correct(False, ["iges-bago-cebu-composting"], ["iges-bago-cebu-composting"])
    0.0
    """
    if near is None:
        return None
    if not near:
        return float(abstained and not cited)
    return float(abstained and bool(cited) and cited[0] in near)
