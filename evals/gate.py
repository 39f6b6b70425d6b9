"""The CI gate, read from ``evals/thresholds.yaml``: per-language minimums for one system, and relative rules
that it beats another system by a margin, checked against figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from evals.gold import EvalDataError
from evals.records import CHOICES
from evals.score import ALL, METRICS, Figures
from kb.settings import LANGUAGES

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
# For these a smaller value is better: "beats by 300" means at least 300 below.
LOWER_IS_BETTER = frozenset({"answer_chars_p50", "latency_p50_ms", "latency_p95_ms", "verification_failed"})
RULE_KEYS = {"metric", "over", "by", "lang"}


@dataclass(frozen=True)
class Relative:
    """The gated system's ``metric`` in ``lang`` is better than system ``over``'s by at least ``by``
    (a negative ``by`` is a tolerance: at most that much worse)."""

    metric: str
    over: str
    by: float
    lang: str = ALL


@dataclass(frozen=True)
class Thresholds:
    """Minimum value of each metric, per language, for ``system``, and its ``relative`` rules."""

    system: str
    minimums: dict[str, dict[str, float]]
    relative: tuple[Relative, ...] = ()


def _lang(path: Path, lang: object) -> str:
    if lang not in (*LANGUAGES, ALL):
        raise EvalDataError(f"{path}: language {lang!r} is not one of {', '.join(LANGUAGES)}, {ALL}")
    return str(lang)


def _metric(path: Path, where: str, metric: object, value: object) -> float:
    if metric not in METRICS:
        raise EvalDataError(f"{path}: {where} metric {metric!r} is unknown (use one of {', '.join(METRICS)})")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EvalDataError(f"{path}: {where} {metric} value {value!r} is not a number")
    return float(value)


def _minimums(path: Path, raw: object) -> dict[str, dict[str, float]]:
    if not isinstance(raw, dict) or not raw:
        raise EvalDataError(f"{path}: 'minimums' is empty (give at least one '<lang>: {{<metric>: <number>}}')")
    minimums = {}
    for lang, table in raw.items():
        where = f"[{_lang(path, lang)}]"
        if not isinstance(table, dict) or not table:
            raise EvalDataError(f"{path}: {where} has no metrics (give '<metric>: <number>' lines or remove {lang})")
        minimums[lang] = {metric: _metric(path, where, metric, value) for metric, value in table.items()}
    return minimums


def _relative(path: Path, raw: object, system: str) -> tuple[Relative, ...]:
    if not isinstance(raw, list):
        raise EvalDataError(f"{path}: 'relative' must be a list of {{metric: ..., over: <system>, by: <number>}}")
    rules = []
    for number, rule in enumerate(raw, 1):
        where = f"relative rule {number}"
        if not isinstance(rule, dict) or not {"metric", "over", "by"} <= set(rule) or set(rule) - RULE_KEYS:
            raise EvalDataError(f"{path}: {where} needs exactly metric, over, by and optionally lang, got {rule!r}")
        if rule["over"] not in CHOICES or rule["over"] == system:
            others = ", ".join(name for name in CHOICES if name != system)
            raise EvalDataError(f"{path}: {where} compares with {rule['over']!r} (use one of {others})")
        by = _metric(path, where, rule["metric"], rule["by"])
        rules.append(Relative(rule["metric"], rule["over"], by, _lang(path, rule.get("lang", ALL))))
    return tuple(rules)


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    """Read and check the thresholds file; an empty table, unknown languages or metrics are errors, not skipped."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise EvalDataError(f"cannot read thresholds file {path}: {exc.strerror}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("system"), str) or "minimums" not in raw:
        raise EvalDataError(f"{path}: needs 'system: <name>' and 'minimums: {{<lang>: {{<metric>: <number>}}}}'")
    if unknown := set(raw) - {"system", "minimums", "relative"}:
        raise EvalDataError(f"{path}: unknown section {sorted(unknown)[0]!r} (use system, minimums, relative)")
    return Thresholds(raw["system"], _minimums(path, raw["minimums"]), _relative(path, raw.get("relative", []), raw["system"]))


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _check_relative(system: str, mine: dict[str, Figures], theirs: dict[str, Figures], rule: Relative) -> str | None:
    """The failure line of one relative rule, or ``None`` when it holds."""
    got, other = mine.get(rule.lang, {}).get(rule.metric), theirs.get(rule.lang, {}).get(rule.metric)
    lower = rule.metric in LOWER_IS_BETTER
    if got is not None and other is not None and (other - got if lower else got - other) >= rule.by:
        return None
    bound = "n/a" if other is None else f"{other - rule.by if lower else other + rule.by:.3f}"
    sign = "≤" if lower else "≥"
    return (f"{system} [{rule.lang}] {rule.metric}: expected {sign} {rule.over} {'−' if lower else '+'} {rule.by:g} "
            f"= {bound}, got {_shown(got)} ({rule.over}: {_shown(other)})")


def check(figures: dict[str, dict[str, Figures]], thresholds: Thresholds) -> list[str]:
    """One 'expected ≥ X, got Y' line per metric below its minimum or relative rule that fails; a metric or
    system that was not measured fails too."""
    mine = figures.get(thresholds.system)
    if mine is None:
        return [f"{thresholds.system}: not evaluated (include it in --systems to run the gate)"]
    failures = []
    for lang, table in thresholds.minimums.items():
        for metric, minimum in table.items():
            got = mine.get(lang, {}).get(metric)
            if got is None or got < minimum:
                failures.append(f"{thresholds.system} [{lang}] {metric}: expected ≥ {minimum:.2f}, got {_shown(got)}")
    for rule in thresholds.relative:
        if rule.over not in figures:
            failures.append(f"{thresholds.system} [{rule.lang}] {rule.metric}: compared with {rule.over}, which was "
                            "not evaluated (include it in --systems to run the gate)")
        elif line := _check_relative(thresholds.system, mine, figures[rule.over], rule):
            failures.append(line)
    return failures
