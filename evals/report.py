"""The Markdown report: a table per language with the systems as columns, calibration, then every failure.

A failure line reads ``[lang] question — expected X, got Y`` so that a regression explains itself.
"""

from __future__ import annotations

from evals.calibrate import Calibration, Outcome
from evals.metrics import mean, percentile
from evals.score import ALL, METRICS, CaseScore, Figures

SNIPPET = 120


def _cell(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if metric.startswith(("latency", "answer_chars")) else f"{value:.2f}"


def table(figures: dict[str, dict[str, Figures]], lang: str) -> str:
    """One language's metrics as a Markdown table, one column per system."""
    systems = list(figures)
    lines = [f"| {lang} | " + " | ".join(systems) + " |", "|---" * (len(systems) + 1) + "|"]
    for metric in METRICS:
        lines.append(f"| {metric} | " + " | ".join(_cell(metric, figures[s][lang].get(metric)) for s in systems) + " |")
    return "\n".join(lines)


def tables(figures: dict[str, dict[str, Figures]]) -> str:
    """Every language's table, then the overall one."""
    langs = list(next(iter(figures.values())))
    return "\n\n".join(table(figures, lang) for lang in [*[x for x in langs if x != ALL], ALL])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def failures(score: CaseScore) -> list[str]:
    """What went wrong on one case, as 'expected X, got Y' lines."""
    head = f"[{score.lang}] {score.question} — "
    gold = ", ".join(score.gold)
    if score.out_of_scope:
        return [] if score.abstained else [f"{head}expected abstention, got an answer citing {', '.join(score.cited) or '-'}"]
    lines = []
    if score.abstained:
        lines.append(f"{head}expected an answer from {gold}, got abstention (top similarity {score.top_similarity:.3f})")
    if not score.metrics.get("hit@5"):
        lines.append(f"{head}expected {gold} in the top 5, got {', '.join(score.ranking[:5]) or 'nothing'}")
    if score.metrics.get("citation_precision") == 0:
        lines.append(f"{head}expected citations of {gold}, got {', '.join(score.cited)}")
    if score.metrics.get("citation_validity") == 0:
        lines.append(f"{head}expected every quoted sentence in its cited passage, got a quote that is not")
    if score.missing and not score.abstained:
        facts = ", ".join(f"“{fact}”" for fact in score.missing)
        lines.append(f"{head}expected {facts}, got “{_short(score.answer)}”")
    if not score.metrics.get("language_match"):
        lines.append(f"{head}expected an answer in {score.lang}, got {score.answer_language}: “{_short(score.answer)}”")
    return lines


def _outcome(o: Outcome) -> str:
    precision = "—" if o.precision is None else f"{o.precision:.2f}"
    recall = "—" if o.recall is None else f"{o.recall:.2f}"
    return (f"abstain_below = {o.threshold:.2f}: abstention F1 {o.f1:.2f} (precision {precision}, recall {recall}), "
            f"in-scope answer rate {o.answer_rate:.2f}")


def calibration_text(c: Calibration) -> str:
    """The calibration numbers as Markdown bullet points."""
    def spread(s: dict[str, float | None]) -> str:
        return ", ".join(f"{k} {v:.0f}" if k == "n" else f"{k} {v:.3f}" for k, v in s.items() if v is not None)

    return "\n".join([
        f"- top similarity, in scope: {spread(c.in_scope)}",
        f"- top similarity, out of scope: {spread(c.out_of_scope)}",
        f"- in use: {_outcome(c.current)}",
        f"- best (answer rate ≥ {c.min_answer_rate:.2f}): {_outcome(c.chosen)}; "
        f"thresholds {c.tied[0]:.2f}–{c.tied[1]:.2f} tie, the median is chosen",
    ])


def generation_table(scores: list[CaseScore]) -> str | None:
    """Per system and language with a model: its speed and the fact recall of its text before verification."""
    timed = [s for s in scores if s.generation]
    if not timed:
        return None
    lines = ["| system | lang | calls | model fact_recall | prompt tokens | prompt s p50 | prompt tok/s | tok/s |",
             "|---|---|---|---|---|---|---|---|"]
    for system in dict.fromkeys(s.system for s in timed):
        mine = [s for s in timed if s.system == system]
        for lang in [*dict.fromkeys(s.lang for s in mine), ALL]:
            group = [s.generation for s in mine if lang in (ALL, s.lang) and s.generation]
            recall = mean(s.model_fact_recall for s in mine if lang in (ALL, s.lang))
            # A call's first token is timed with the prompt, so generation speed counts the tokens after it.
            speed = sum(max(g.tokens - 1, 0) for g in group) / (sum(g.gen_s for g in group) or 1)
            prompt = sum(g.prompt_tokens for g in group) / (sum(g.prompt_s for g in group) or 1)
            lines.append(f"| {system} | {lang} | {len(group)} | {_cell('fact_recall', recall)} | "
                         f"{mean(g.prompt_tokens for g in group):.0f} | {percentile([g.prompt_s for g in group], 50):.1f} | "
                         f"{prompt:.0f} | {speed:.1f} |")
    return "\n".join(lines)


def render(title: str, facts: list[str], figures: dict[str, dict[str, Figures]], calibration: Calibration | None,
           scores: list[CaseScore], system: str) -> str:
    """The whole report."""
    failed = [line for s in scores if s.system == system for line in failures(s)]
    parts = [f"# {title}", "\n".join(f"- {fact}" for fact in facts), "## Metrics per language", tables(figures),
             "Retrieval and answer metrics are over in-scope questions; abstention and latency over all. "
             "The llama-index baseline's answer is its whole top chunk (see answer_chars_p50), which favours its fact "
             "recall; it quotes whole chunks, so its citation validity is 1 by construction (as is an extractive answer's: "
             "reported, not gated), and it never abstains, so its abstention precision is undefined (—). "
             "language_match is graded against the gold question's language by script and langdetect "
             "(evals.metrics.written_in), not by Kyodo's own detector. verification_failed is the share of answered in-scope questions "
             "whose generated text failed kb.verify, so the extractive answer was shown instead (— without a model)."]
    if generated := generation_table(scores):
        parts += ["## Generation (timings share the CPU with whatever else ran)", generated]
    if calibration:
        parts += ["## Abstention threshold (kyodo-hybrid top passage similarity)", calibration_text(calibration)]
    parts += [f"## Failures of {system} ({len(failed)})", "\n".join(f"- {line}" for line in failed) or "None."]
    return "\n\n".join(parts) + "\n"
