"""The systems under evaluation behind one method, ``run(question) -> Run``: Kyodo in its three retrieval modes,
and ``kyodo-generative`` (hybrid retrieval, the local model writing the answer, timed per call).

The llama-index baseline lives in ``evals.baseline``; ``make_systems`` builds any of them by name. Their
records (``Run``, ``System``) and names are ``evals.records``.
``kyodo-generative`` takes ~30 s a question on 2 cores, so it runs only when named.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from evals.metrics import dedupe
from evals.records import CHOICES, GENERATIVE, KYODO_MODES, RANK_DEPTH, Generation, Run, System
from kb.errors import InputError
from kb.generate import Generator, shared_generator
from kb.prompt import Prompt
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES


@dataclass
class Counting:
    """Wraps a generator and records a ``Generation`` per call; ``tokens`` counts a text's tokens."""

    inner: Generator
    tokens: Callable[[str], int]
    calls: list[Generation] = field(default_factory=list)

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]:
        started, first, text = time.perf_counter(), None, ""
        try:
            for piece in self.inner.generate(prompt, max_tokens):
                first = first or time.perf_counter()
                text += piece
                yield piece
        finally:
            end = time.perf_counter()
            self.calls.append(Generation(text, self.tokens(prompt.system + prompt.user), (first or end) - started,
                                         self.tokens(text), end - (first or end)))


class KyodoSystem:
    """``KnowledgeBase.ask`` in one retrieval mode, with the language left to detection as for a real user."""

    def __init__(self, kb: KnowledgeBase, mode: str, name: str, counter: Counting | None = None) -> None:
        self.kb = kb
        self.mode = mode
        self.name = name
        self.counter = counter

    def run(self, question: str) -> Run:
        before = len(self.counter.calls) if self.counter else 0
        # Each system's latency includes embedding the question, though another system asked it before:
        # ask() first, with no cached query vector, and search() then gets it from the cache.
        self.kb.retriever.query_vector.cache_clear()
        answer = self.kb.ask(question, None, None, self.mode)
        generation = self.counter.calls[-1] if self.counter and len(self.counter.calls) > before else None
        _, passages = self.kb.search(question, None, RANK_DEPTH, self.mode)
        # ask() retrieves the first top_k of the same ranking, so this is the similarity it abstained on.
        top = max((p.best.similarity for p in passages[: self.kb.settings.top_k]), default=0.0)
        return Run(answer, dedupe(p.best.chunk.doc_id for p in passages), top, answer.timings_ms["total"], generation)


def generative_system(kb: KnowledgeBase) -> KyodoSystem:
    """Hybrid retrieval with the local model answering in every language: what ``llm_languages`` is chosen from."""
    settings = replace(kb.settings, llm="local", llm_languages=LANGUAGES)
    generator = shared_generator(settings)
    # One token loads the model (or raises LLMUnavailableError with the fix) before any latency is timed.
    list(generator.generate(Prompt("Reply with one word.", "OK"), 1))
    from llama_cpp import Llama  # installed: the generator above just used it

    # A vocabulary-only copy of the model counts tokens exactly, without a second set of weights.
    vocab = Llama(model_path=str(settings.llm_model_path), vocab_only=True, verbose=False)
    counter = Counting(generator, lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False)))
    generative = KnowledgeBase(settings, kb.embedder, counter)
    generative.search("Kitakyushu")  # loads this knowledge base's index outside the timings too
    return KyodoSystem(generative, "hybrid", GENERATIVE, counter)


def make_systems(names: list[str], kb: KnowledgeBase, cache: Path) -> list[System]:
    """The named systems sharing one knowledge base (and so one embedding model)."""
    systems: list[System] = []
    for name in names:
        if name in KYODO_MODES:
            systems.append(KyodoSystem(kb, KYODO_MODES[name], name))
        elif name == GENERATIVE:
            systems.append(generative_system(kb))
        elif name == "llamaindex-baseline":
            from evals.baseline import LlamaIndexBaseline

            systems.append(LlamaIndexBaseline(kb.settings, kb.embedder, cache))
        else:
            raise InputError(f"unknown system {name!r} (choose from {', '.join(CHOICES)})")
    return systems
