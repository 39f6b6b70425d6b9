"""Generative (local model) vs extractive answers on gold questions, per language.

Run: ``KYODO_HOME=... python -m bench.generate [--items 10] [--out results.json]``; needs a built
index and ``make llm``. For each language it asks the same questions in both modes and reports
fact recall (of the answer shown), recall of the raw model text before verification, the share
of model answers that failed verification, language match, citation precision, latency
p50/p95 and generation speed. Timings share the CPU with whatever else runs: say so when quoting.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from llama_cpp import Llama

from evals.gold import Case, cases, load_gold
from evals.metrics import citation_precision, fact_recall, language_match, mean, percentile
from kb.generate import Generator, shared_generator
from kb.prompt import Prompt
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings

KINDS = ("fact", "who-where-when", "how", "comparison", "hard")


@dataclass
class Counting:
    """Wraps a generator to time it: prompt seconds (to the first piece), then generated tokens and their seconds."""

    inner: Generator
    tokens: Callable[[str], int]
    calls: list[dict] = field(default_factory=list)

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]:
        started, first, pieces, text = time.perf_counter(), None, 0, ""
        for piece in self.inner.generate(prompt, max_tokens):
            first = first or time.perf_counter()
            pieces += 1
            text += piece
            yield piece
        end = time.perf_counter()
        # The first token's time is prompt processing; the rest is generation (pieces can hold several tokens).
        self.calls.append({"prompt_s": (first or end) - started, "prompt_tokens": self.tokens(prompt.system + prompt.user),
                           "tokens": self.tokens(text), "pieces": pieces, "gen_s": end - (first or end), "text": text})


def pick(count: int) -> list[str]:
    """``count`` in-scope gold items, taken in turn from each kind, in file order."""
    by_kind = {kind: [i.item_id for i in load_gold() if i.kind == kind and not i.abstain] for kind in KINDS}
    chosen: list[str] = []
    while len(chosen) < count and any(by_kind.values()):
        for kind in KINDS:
            if by_kind[kind] and len(chosen) < count:
                chosen.append(by_kind[kind].pop(0))
    return chosen


def run_case(kb: KnowledgeBase, case: Case, counter: Counting | None) -> dict:
    before = len(counter.calls) if counter else 0
    answer = kb.ask(case.question)
    call = counter.calls[-1] if counter and len(counter.calls) > before else None
    return {"item": case.item_id, "lang": case.lang, "kind": case.kind, "mode": answer.mode, "note": answer.note,
            "answer": answer.answer, "abstained": answer.abstained, "latency_ms": answer.timings_ms["total"],
            "fact_recall": fact_recall(answer.answer, case.facts),
            "raw_recall": fact_recall(call["text"], case.facts) if call else None,
            "language_match": language_match(answer, case.lang),
            "citation_precision": citation_precision([c.doc_id for c in answer.citations], case.gold),
            "generation": call}


def summarise(rows: list[dict], system: str) -> dict:
    generated = [r for r in rows if r["generation"]]
    calls = [r["generation"] for r in generated]
    latencies = [r["latency_ms"] for r in rows]
    return {
        "system": system, "n": len(rows),
        "fact_recall": mean(r["fact_recall"] for r in rows),
        "raw_recall": mean(r["raw_recall"] for r in generated) if generated else None,
        "verify_fail": sum(r["mode"] == "fallback" for r in generated) / len(generated) if generated else None,
        "language_match": mean(r["language_match"] for r in rows),
        "citation_precision": mean(r["citation_precision"] for r in rows),
        "p50_s": percentile(latencies, 50) / 1000, "p95_s": percentile(latencies, 95) / 1000,
        "tok_s": sum(max(c["tokens"] - 1, 0) for c in calls) / sum(c["gen_s"] for c in calls) if calls else None,
        "prompt_s": mean(c["prompt_s"] for c in calls) if calls else None,
        "prompt_tok_s": sum(c["prompt_tokens"] for c in calls) / sum(c["prompt_s"] for c in calls) if calls else None,
    }


def table(summaries: list[dict]) -> str:
    columns = ["lang", "system", "n", "fact_recall", "raw_recall", "verify_fail", "language_match",
               "citation_precision", "p50_s", "p95_s", "tok_s", "prompt_s", "prompt_tok_s"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for s in summaries:
        cells = [s[c] if isinstance(s[c], (str, int)) or s[c] is None else f"{s[c]:.2f}" for c in columns]
        lines.append("| " + " | ".join("-" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10, help="gold items per language")
    parser.add_argument("--langs", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--out", type=Path, help="write every answer and the summary as JSON")
    args = parser.parse_args()
    settings = replace(Settings.from_env(), llm="off")
    extractive = KnowledgeBase(settings)
    # A vocabulary-only copy of the model counts tokens exactly, without a second set of weights.
    vocab = Llama(model_path=str(settings.llm_model_path), vocab_only=True, verbose=False)
    counter = Counting(shared_generator(replace(settings, llm="local")),
                       lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False)))
    local = KnowledgeBase(replace(settings, llm="local"), extractive.embedder, counter)
    wanted = set(pick(args.items))
    chosen = [c for c in cases(load_gold(), tuple(args.langs)) if c.item_id in wanted]
    # Warm-up on a question outside the set: loads the model and the index outside the timings without
    # leaving a benchmarked prompt in llama.cpp's prefix cache.
    warm_up = next(c.question for c in cases(load_gold(), ("en",)) if c.item_id not in wanted and not c.abstain)
    local.ask(warm_up)
    extractive.ask(warm_up)
    rows: dict[str, list[dict]] = {"extractive": [], "local": []}
    for case in chosen:
        rows["extractive"].append(run_case(extractive, case, None))
        rows["local"].append(run_case(local, case, counter))
        row = rows["local"][-1]
        print(f"{case.key}: {row['mode']} recall {row['fact_recall']} ({row['latency_ms'] / 1000:.1f} s) {row['note']}",
              flush=True)
    summaries = [summarise([r for r in rows[system] if r["lang"] == lang], system)
                 | {"lang": lang} for lang in args.langs for system in rows]
    summaries += [summarise(rows[system], system) | {"lang": "all"} for system in rows]
    print(table(summaries))
    if args.out:
        args.out.write_text(json.dumps({"summary": summaries, "rows": rows}, ensure_ascii=False, indent=1),
                            encoding="utf-8")


if __name__ == "__main__":
    main()
