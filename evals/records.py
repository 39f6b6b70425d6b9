"""What the evaluation knows of a system: its name, one method ``run(question) -> Run``, and what a run records.

Shared by ``evals.systems`` (Kyodo, generative), ``evals.baseline`` (plain llama-index) and the scoring,
so that none of them imports another for its records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kb.records import Answer

# Passages retrieved for the ranking metrics; enough for ten distinct documents in most cases.
RANK_DEPTH = 30
KYODO_MODES = {"kyodo-hybrid": "hybrid", "dense-only": "dense", "keyword-only": "keyword"}
SYSTEMS = (*KYODO_MODES, "llamaindex-baseline")
GENERATIVE = "kyodo-generative"
CHOICES = (*SYSTEMS, GENERATIVE)


@dataclass(frozen=True)
class Generation:
    """One model call as timed: prompt processing up to the first piece, then the generated tokens."""

    text: str
    prompt_tokens: int
    prompt_s: float
    tokens: int
    gen_s: float


@dataclass(frozen=True)
class Run:
    """What a system did with one question: its answer, its document ranking and the evidence for abstaining."""

    answer: Answer
    ranking: list[str]
    top_similarity: float
    latency_ms: float
    generation: Generation | None = None


class System(Protocol):
    """A question-answering system as the evaluation sees it."""

    name: str

    def run(self, question: str) -> Run: ...
