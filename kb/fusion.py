"""How the dense and keyword rankings become one: weighted reciprocal rank, with weights per question language.

Plain reciprocal-rank fusion (both sides weighted alike, k = 60) lost to dense retrieval alone on the gold questions
in three languages of four. Each language therefore has its own keyword weight and k in ``data/fusion.yaml``,
fitted on the gold dev half only (``python -m evals.fusion``); a weight of 0 is dense retrieval with keyword hits
only appended after it, a small one makes keywords a tie-breaker among dense neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

WEIGHTS = Path(__file__).with_name("data") / "fusion.yaml"


@dataclass(frozen=True)
class Fusion:
    """Weighted reciprocal rank: a chunk scores ``dense / (k + rank) + keyword / (k + rank)`` (ranks from 0)."""

    keyword: float = 1.0
    k: float = 60.0
    dense: float = 1.0

    def fuse(self, dense: list[str], keyword: list[str], top: int) -> list[tuple[str, float]]:
        """The ``top`` chunk ids of two rankings (best first), with their fused scores.

        >>> Fusion().fuse(["a", "b"], ["b", "c"], 3)
        [('b', 0.03306010928961749), ('a', 0.016666666666666666), ('c', 0.01639344262295082)]
        >>> Fusion(keyword=0.0).fuse(["a", "b"], ["b", "c"], 3)
        [('a', 0.016666666666666666), ('b', 0.01639344262295082), ('c', 0.0)]
        """
        scores: dict[str, float] = {}
        for weight, ranking in ((self.dense, dense), (self.keyword, keyword)):
            for rank, chunk_id in enumerate(ranking):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (self.k + rank)
        return sorted(scores.items(), key=lambda item: -item[1])[:top]


@cache
def fusion_for(lang: str, path: Path = WEIGHTS) -> Fusion:
    """The fitted fusion for questions in ``lang``; plain reciprocal rank for a language not fitted."""
    table = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return Fusion(**table[lang]) if lang in table else Fusion()
