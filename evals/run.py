"""``kyodo eval``: every gold case through every system, scored, calibrated, and written out.

Output goes to ``<out>/<UTC timestamp>-<commit>/``: ``report.md``, ``results.json`` and ``chart.png``;
the baseline's index is cached in ``<out>/.cache`` so that only the first run embeds the corpus.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from evals.baseline import LlamaIndexBaseline
from evals.calibrate import Calibration, calibrate
from evals.chart import draw
from evals.gold import GOLD, Case, cases, load_gold, split, spread
from evals.report import render
from evals.score import CaseScore, Figures, score_case, summarise_all
from evals.records import GENERATIVE, SYSTEMS, System
from evals.systems import make_systems
from kb.service import KnowledgeBase
from kb.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = "kyodo-hybrid"
PROGRESS = 20  # cases between progress lines: a generative run takes ~30 s a case


@dataclass(frozen=True)
class EvalResult:
    """One evaluation run: where it was written and what it measured."""

    folder: Path
    figures: dict[str, dict[str, Figures]]
    calibration: Calibration | None
    scores: list[CaseScore]
    seconds: float


def commit_id(root: Path = ROOT) -> str:
    """The checked-out commit's short id, read from ``.git`` (no git binary needed), or 'nocommit'."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head.removeprefix("ref: ")
        if (git / ref).exists():
            return (git / ref).read_text(encoding="utf-8").strip()[:7]
        packed = (git / "packed-refs").read_text(encoding="utf-8").splitlines()
        return next(line.split()[0][:7] for line in packed if line.endswith(f" {ref}"))
    except (OSError, StopIteration):
        return "nocommit"


def evaluate(gold: list[Case], systems: list[System], log: Callable[[str], None] = lambda _: None) -> list[CaseScore]:
    """Run and score every case on every system, one system at a time."""
    scores = []
    for system in systems:
        started = time.perf_counter()
        for n, case in enumerate(gold, 1):
            scores.append(score_case(system.name, case, system.run(case.question)))
            if n % PROGRESS == 0 and n < len(gold):
                log(f"{system.name}: {n}/{len(gold)} cases, {time.perf_counter() - started:.0f} s")
        log(f"{system.name}: {len(gold)} cases in {time.perf_counter() - started:.1f} s")
    return scores


def _calibration(scores: list[CaseScore], current: float) -> Calibration | None:
    points = [(s.top_similarity, s.out_of_scope) for s in scores if s.system == HEADLINE]
    if not points or all(out for _, out in points) or not any(out for _, out in points):
        return None
    return calibrate(points, current)


def run_eval(settings: Settings, out: Path, system_names: list[str] | None = None, limit: int | None = None,
             gold_path: Path = GOLD, log: Callable[[str], None] = lambda _: None,
             sample: int | None = None, half: str = "all") -> EvalResult:
    """The whole run: ``half`` (dev, test or all) picks the gold items (``evals.gold.split``), ``limit`` keeps
    the first N of them, ``sample`` N spread over the kinds (``evals.gold.spread``); each is asked in every language."""
    started = time.perf_counter()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    items = load_gold(gold_path)
    items = (items if half == "all" else split(items, half))[:limit]
    items = spread(items, sample) if sample is not None else items
    gold = cases(items)
    kb = KnowledgeBase(settings)
    # Load the model and the chunk table before the clock starts on the first system's latency.
    kb.ask("Kitakyushu")
    systems = make_systems(list(system_names or SYSTEMS), kb, out / ".cache")
    for system in systems:
        if isinstance(system, LlamaIndexBaseline):
            log(f"{system.name}: index {'loaded from' if system.cached else 'built in'} {system.folder} "
                f"({system.seconds:.1f} s)")
    scores = evaluate(gold, systems, log)
    figures = summarise_all(scores)
    calibration = _calibration(scores, settings.abstain_below)
    commit = commit_id()
    folder = out / f"{stamp}-{commit}"
    folder.mkdir(parents=True, exist_ok=True)
    seconds = time.perf_counter() - started
    kinds = Counter(item.kind for item in items)
    picked = f" ({', '.join(f'{kind} {n}' for kind, n in kinds.items())})"
    facts = [f"commit {commit}, run {stamp}, {seconds:.0f} s wall time",
             f"{len(items)} gold items{picked} × 4 languages = {len(gold)} cases "
             f"({sum(c.abstain for c in gold)} out of scope), systems: {', '.join(s.name for s in systems)}",
             f"top_k {settings.top_k}, abstain_below {settings.abstain_below}, model {settings.embed_model}"
             + (f", language model {settings.llm_model_path.name}" if GENERATIVE in figures else ""),
             # Latency is wall time on a shared machine: the load says how much else was running.
             f"load average {os.getloadavg()[0]:.1f} (1 min) at the end, on {os.cpu_count()} cores"]
    headline = HEADLINE if HEADLINE in figures else systems[0].name
    (folder / "report.md").write_text(render(f"Kyodo evaluation {stamp}", facts, figures, calibration, scores, headline),
                                      encoding="utf-8")
    results = {"run": stamp, "commit": commit, "seconds": round(seconds, 1), "gold": str(gold_path),
               "settings": {"top_k": settings.top_k, "abstain_below": settings.abstain_below,
                            "embed_model": settings.embed_model, "corpus": str(settings.corpus)},
               "systems": [s.name for s in systems], "figures": figures,
               "calibration": asdict(calibration) if calibration else None,
               "cases": [asdict(score) for score in scores]}
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    draw(figures, folder / "chart.png", f"Kyodo evaluation {stamp} ({commit}): {len(gold)} cases")
    return EvalResult(folder, figures, calibration, scores, seconds)
