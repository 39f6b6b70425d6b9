"""What making a follow-up standalone costs: ``python -m bench.followup [--rounds N]``.

Times ``kb.followup.searched_question`` (what ``KnowledgeBase.ask`` adds for a follow-up: the standalone question,
and the language of that question when the typed one's is a guess) on the second turns of ``evals/followups.yaml``
with their first turns as history, the glossary and the served index's IDF table, after one warm-up pass (the
gazetteer, tokenizers and stop word lists load once per process, like the knowledge base's other tables).
"""

from __future__ import annotations

import argparse
import time

from bench.measure import percentile
from evals.dialogues import load_dialogues
from kb.followup import searched_question
from kb.language import detect_language
from kb.service import KnowledgeBase
from kb.settings import Settings


def timings(rounds: int) -> dict[str, list[float]]:
    """Milliseconds per call, per language, over ``rounds`` passes through every dialogue."""
    kb = KnowledgeBase(Settings.from_env())
    idf = kb.library.idf.idf
    turns = [(d.lang, d.second, [d.first], detect_language(d.second)) for d in load_dialogues()]
    for _, question, history, detection in turns:
        searched_question(question, history, detection, kb.glossary, idf)
    spent: dict[str, list[float]] = {}
    for _ in range(rounds):
        for lang, question, history, detection in turns:
            started = time.perf_counter()
            searched_question(question, history, detection, kb.glossary, idf)
            spent.setdefault(lang, []).append(1000 * (time.perf_counter() - started))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    spent = timings(parser.parse_args().rounds)
    every = [ms for values in spent.values() for ms in values]
    for lang, values in [*spent.items(), ("all", every)]:
        print(f"{lang}: {len(values)} calls, p50 {percentile(values, 0.5):.2f} ms, p95 {percentile(values, 0.95):.2f} ms")


if __name__ == "__main__":
    main()
