"""The systems under evaluation behind one method, ``run(question) -> Run``: Kyodo in its three retrieval modes.

The llama-index baseline lives in ``evals.baseline``; ``make_systems`` builds any of them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from evals.metrics import dedupe
from kb.errors import InputError
from kb.records import Answer
from kb.service import KnowledgeBase

# Passages retrieved for the ranking metrics; enough for ten distinct documents in most cases.
RANK_DEPTH = 30
KYODO_MODES = {"kyodo-hybrid": "hybrid", "dense-only": "dense", "keyword-only": "keyword"}
SYSTEMS = (*KYODO_MODES, "llamaindex-baseline")


@dataclass(frozen=True)
class Run:
    """What a system did with one question: its answer, its document ranking and the evidence for abstaining."""

    answer: Answer
    ranking: list[str]
    top_similarity: float
    latency_ms: float


class System(Protocol):
    """A question-answering system as the evaluation sees it."""

    name: str

    def run(self, question: str) -> Run: ...


class KyodoSystem:
    """``KnowledgeBase.ask`` in one retrieval mode, with the language left to detection as for a real user."""

    def __init__(self, kb: KnowledgeBase, mode: str, name: str) -> None:
        self.kb = kb
        self.mode = mode
        self.name = name

    def run(self, question: str) -> Run:
        # ask() first: its latency then includes embedding the question, which search() gets from the cache.
        answer = self.kb.ask(question, None, None, self.mode)
        _, passages = self.kb.search(question, None, RANK_DEPTH, self.mode)
        # ask() retrieves the first top_k of the same ranking, so this is the similarity it abstained on.
        top = max((p.best.similarity for p in passages[: self.kb.settings.top_k]), default=0.0)
        return Run(answer, dedupe(p.best.chunk.doc_id for p in passages), top, answer.timings_ms["total"])


def make_systems(names: list[str], kb: KnowledgeBase, cache: Path) -> list[System]:
    """The named systems sharing one knowledge base (and so one embedding model)."""
    systems: list[System] = []
    for name in names:
        if name in KYODO_MODES:
            systems.append(KyodoSystem(kb, KYODO_MODES[name], name))
        elif name == "llamaindex-baseline":
            from evals.baseline import LlamaIndexBaseline

            systems.append(LlamaIndexBaseline(kb.settings, kb.embedder, cache))
        else:
            raise InputError(f"unknown system {name!r} (choose from {', '.join(SYSTEMS)})")
    return systems
