"""Score one system's run on one case (``CaseScore``), and sum scores up per system and language.

Out-of-scope cases count only for abstention and latency; every other metric is over in-scope cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.answering import fact_first, partial_correct
from evals.gold import Case
from evals.metrics import (citation_precision, citation_validity, fact_recall, hit_at, language_match, mean,
                           missing_facts, ndcg_at, percentile, precision_recall, reciprocal_rank)
from evals.records import Generation, Run

IN_SCOPE = ("hit@1", "hit@5", "mrr", "ndcg@10", "fact_recall", "fact_first", "citation_precision",
            "citation_validity", "language_match", "answer_rate", "false_refusal", "verification_failed")
# Over out-of-scope cases: an answer given anyway, and whether a near-topic one was declined citing its case.
OUT_OF_SCOPE = ("false_answer", "partial_correct")
METRICS = (*IN_SCOPE, *OUT_OF_SCOPE, "abstention_precision", "abstention_recall", "latency_p50_ms",
           "latency_p95_ms", "answer_chars_p50")
ALL = "all"
Figures = dict[str, float | None]


@dataclass(frozen=True)
class CaseScore:
    """One system on one case: the per-case metrics (``None`` where they do not apply) and what it returned."""

    system: str
    item_id: str
    kind: str
    lang: str
    question: str
    gold: list[str]
    out_of_scope: bool
    abstained: bool
    answer: str
    answer_language: str
    ranking: list[str]
    cited: list[str]
    top_similarity: float
    latency_ms: float
    metrics: Figures = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    mode: str = "extractive"
    generation: Generation | None = None
    # Fact recall of the model's own text, before verification chose between it and the extractive answer.
    model_fact_recall: float | None = None


def score_case(system: str, case: Case, run: Run) -> CaseScore:
    """Apply every per-case metric to one run."""
    answer, gold = run.answer, set(case.gold)
    cited = [c.doc_id for c in answer.citations]
    metrics: Figures = {}
    if not case.abstain:
        metrics = {"hit@1": hit_at(run.ranking, gold, 1), "hit@5": hit_at(run.ranking, gold, 5),
                   "mrr": reciprocal_rank(run.ranking, gold), "ndcg@10": ndcg_at(run.ranking, gold, 10),
                   "fact_recall": fact_recall(answer.answer, case.facts),
                   "citation_precision": citation_precision(cited, gold),
                   "citation_validity": citation_validity(answer.citations),
                   "language_match": language_match(answer, case.lang),
                   "fact_first": fact_first(answer.answer, case.facts),
                   "answer_rate": float(not answer.abstained),
                   "false_refusal": float(answer.abstained),
                   # Only answers a model wrote count: "extractive" means no model ran (abstained, or no model).
                   "verification_failed": None if answer.mode == "extractive" else float(answer.mode == "fallback")}
    else:
        metrics = {"false_answer": float(not answer.abstained),
                   "partial_correct": partial_correct(answer.abstained, cited, case.near)}
    return CaseScore(system, case.item_id, case.kind, case.lang, case.question, list(case.gold), case.abstain,
                     answer.abstained, answer.answer, answer.language, run.ranking[:10], cited, run.top_similarity,
                     run.latency_ms, metrics, missing_facts(answer.answer, case.facts) if not case.abstain else [],
                     answer.mode, run.generation,
                     fact_recall(run.generation.text, case.facts) if run.generation and not case.abstain else None)


def summarise(scores: list[CaseScore]) -> Figures:
    """Every metric over a group of case scores (one system, one language or all)."""
    figures: Figures = {name: mean(s.metrics.get(name) for s in scores if not s.out_of_scope) for name in IN_SCOPE}
    figures.update({name: mean(s.metrics.get(name) for s in scores if s.out_of_scope) for name in OUT_OF_SCOPE})
    precision, recall = precision_recall([s.abstained for s in scores], [s.out_of_scope for s in scores])
    latencies = [s.latency_ms for s in scores]
    figures.update({"abstention_precision": precision, "abstention_recall": recall,
                    "latency_p50_ms": percentile(latencies, 50), "latency_p95_ms": percentile(latencies, 95),
                    # Fact recall rewards long answers: the answer's length says what a reader had to wade through.
                    "answer_chars_p50": percentile([len(s.answer) for s in scores if not s.out_of_scope], 50)})
    return figures


def summarise_all(scores: list[CaseScore]) -> dict[str, dict[str, Figures]]:
    """Figures per system, then per language and ``all``, in the order systems and languages first appear."""
    table: dict[str, dict[str, Figures]] = {}
    for system in dict.fromkeys(s.system for s in scores):
        mine = [s for s in scores if s.system == system]
        table[system] = {lang: summarise([s for s in mine if s.lang == lang])
                         for lang in dict.fromkeys(s.lang for s in mine)}
        table[system][ALL] = summarise(mine)
    return table
