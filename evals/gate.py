"""The CI gate: per-language minimums for one system, read from ``evals/thresholds.yaml``, checked against figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from evals.gold import EvalDataError
from evals.score import METRICS, Figures
from kb.settings import LANGUAGES

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")


@dataclass(frozen=True)
class Thresholds:
    """Minimum value of each metric, per language, for ``system``."""

    system: str
    minimums: dict[str, dict[str, float]]


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    """Read and check the thresholds file; unknown languages or metrics are errors, not silently skipped."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise EvalDataError(f"cannot read thresholds file {path}: {exc.strerror}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("system"), str) or not isinstance(raw.get("minimums"), dict):
        raise EvalDataError(f"{path}: needs 'system: <name>' and 'minimums: {{<lang>: {{<metric>: <number>}}}}'")
    minimums: dict[str, dict[str, float]] = {}
    for lang, table in raw["minimums"].items():
        if lang not in (*LANGUAGES, "all"):
            raise EvalDataError(f"{path}: language {lang!r} is not one of {', '.join(LANGUAGES)}, all")
        for metric, value in (table or {}).items():
            if metric not in METRICS:
                raise EvalDataError(f"{path}: [{lang}] metric {metric!r} is unknown (use one of {', '.join(METRICS)})")
            if not isinstance(value, (int, float)):
                raise EvalDataError(f"{path}: [{lang}] {metric} minimum {value!r} is not a number")
        minimums[lang] = {metric: float(value) for metric, value in (table or {}).items()}
    return Thresholds(raw["system"], minimums)


def check(figures: dict[str, dict[str, Figures]], thresholds: Thresholds) -> list[str]:
    """One 'expected ≥ X, got Y' line per metric below its minimum; a metric that was not measured fails too."""
    mine = figures.get(thresholds.system)
    if mine is None:
        return [f"{thresholds.system}: not evaluated (include it in --systems to run the gate)"]
    failures = []
    for lang, table in thresholds.minimums.items():
        for metric, minimum in table.items():
            got = mine.get(lang, {}).get(metric)
            if got is None or got < minimum:
                shown = "n/a" if got is None else f"{got:.3f}"
                failures.append(f"{thresholds.system} [{lang}] {metric}: expected ≥ {minimum:.2f}, got {shown}")
    return failures
