"""Load ``evals/gold.yaml`` into typed records: one ``GoldItem`` per question, one ``Case`` per item and language;
split them into a dev half (tuning) and a test half (the gate) by a hash of the item id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from kb.errors import KyodoError
from kb.settings import LANGUAGES

GOLD = Path(__file__).with_name("gold.yaml")
FIELDS = ("id", "kind", "gold", "abstain", "facts", "questions")
HALVES = ("dev", "test")
# Chosen once, on the 121-item set: of the salts kyodo-0: … kyodo-999:, the one whose split put every kind (and
# near-topic / no-case / off-topic out-of-scope items) in both halves most evenly. Never change it: items would move
# between dev and test, and numbers tuned on dev would leak into the gate.
SALT = "kyodo-530:"


def half(item_id: str) -> str:
    """The half an item belongs to, fixed by its id: ``"dev"`` for tuning, ``"test"`` for the gate only.

    >>> [half(i) for i in ("bago-daily-compost", "oos-bago-centre-cost", "oos-da-nang-compost", "hard-bago-short")]
    ['test', 'dev', 'test', 'dev']
    """
    return HALVES[hashlib.sha256((SALT + item_id).encode("utf-8")).digest()[0] % 2]


class EvalDataError(KyodoError):
    """An evaluation data file (gold questions, thresholds) is missing or malformed."""


@dataclass(frozen=True)
class GoldItem:
    """One question asked in every language, with the cases that answer it and the facts an answer needs."""

    item_id: str
    kind: str
    gold: tuple[str, ...]
    abstain: bool
    facts: tuple[dict[str, tuple[str, ...]], ...]
    questions: dict[str, str]
    # None: off-topic; (): near-topic about something no case mentions; (case, ...): what a partial answer cites.
    near: tuple[str, ...] | None = None

    @property
    def half(self) -> str:
        return half(self.item_id)


@dataclass(frozen=True)
class Case:
    """One gold item asked in one language: what a system is run on."""

    item_id: str
    kind: str
    lang: str
    question: str
    gold: tuple[str, ...]
    abstain: bool
    facts: tuple[tuple[str, ...], ...]
    near: tuple[str, ...] | None = None

    @property
    def key(self) -> str:
        return f"{self.item_id}/{self.lang}"

    @property
    def half(self) -> str:
        return half(self.item_id)


Asked = TypeVar("Asked", GoldItem, Case)


def item_name(raw: object, path: Path, number: int, fields: tuple[str, ...]) -> str:
    """The id of item ``number`` of a data file, once it is a mapping with every one of ``fields``."""
    if not isinstance(raw, dict):
        raise EvalDataError(f"{path}: item {number} is not a mapping (write 'id:', 'kind:', ... fields)")
    name = str(raw.get("id", f"#{number}"))
    missing = [f for f in fields if f not in raw]
    if missing:
        raise EvalDataError(f"{path}: item {name!r} has no {', '.join(missing)} (every item needs {', '.join(fields)})")
    return name


def _item(raw: dict, path: Path, number: int) -> GoldItem:
    name = item_name(raw, path, number, FIELDS)
    questions = raw["questions"] or {}
    absent = [lang for lang in LANGUAGES if not isinstance(questions.get(lang), str) or not questions[lang].strip()]
    if absent:
        raise EvalDataError(f"{path}: item {name!r} has no question in {', '.join(absent)}")
    if not raw["abstain"] and not raw["gold"]:
        raise EvalDataError(f"{path}: item {name!r} is in scope but lists no gold case (add gold: [case-id] or abstain: true)")
    facts = tuple({lang: tuple(str(v) for v in variants) for lang, variants in (fact or {}).items()}
                  for fact in raw["facts"] or [])
    return GoldItem(str(raw["id"]), str(raw["kind"]), tuple(raw["gold"] or ()), bool(raw["abstain"]), facts,
                    {lang: questions[lang] for lang in LANGUAGES}, _near(raw, path, name))


def _near(raw: dict, path: Path, name: object) -> tuple[str, ...] | None:
    if "near" not in raw:
        return None
    near = raw["near"]
    if not isinstance(near, list) or not all(isinstance(case, str) for case in near):
        raise EvalDataError(f"{path}: item {name!r} has near: {near!r}, not a list of case ids "
                            "(write near: [case-id] or near: [] for a place no case mentions)")
    if not raw["abstain"]:
        raise EvalDataError(f"{path}: item {name!r} is in scope but has near: {near!r} "
                            "(near is for out-of-scope items; list the answering cases under gold)")
    return tuple(near)


def read_items(path: Path, what: str) -> list[object]:
    """The YAML list of items in ``path`` (``what`` names the file in errors: "gold", "dialogues")."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalDataError(f"cannot read {what} file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise EvalDataError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, list):
        raise EvalDataError(f"{path}: must be a list of items (start each with '- id: ...')")
    return raw


def load_gold(path: Path = GOLD) -> list[GoldItem]:
    """Every gold item in file order; raise ``EvalDataError`` naming the file and the item."""
    items = [_item(entry, path, n) for n, entry in enumerate(read_items(path, "gold"), 1)]
    seen: set[str] = set()
    for item in items:
        if item.item_id in seen:
            raise EvalDataError(f"{path}: item id {item.item_id!r} appears twice (ids must be unique)")
        seen.add(item.item_id)
    return items


def spread(items: list[GoldItem], count: int) -> list[GoldItem]:
    """``count`` items taken in turn from each kind (kinds in order of first appearance, items in file order).

    The gold file is grouped by kind, so its first N items are all facts; this picks a mix that is
    the same on every run. Returned in file order.

    >>> [i.item_id for i in spread([GoldItem(n, k, ("c",), False, (), {}) for n, k in
    ...     [("f1", "fact"), ("f2", "fact"), ("f3", "fact"), ("h1", "how"), ("o1", "oos")]], 4)]
    ['f1', 'f2', 'h1', 'o1']
    """
    by_kind: dict[str, list[GoldItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    queues = list(by_kind.values())
    chosen: set[str] = set()
    for rank in range(max(map(len, queues), default=0)):
        for queue in queues:
            if rank < len(queue) and len(chosen) < count:
                chosen.add(queue[rank].item_id)
    return [item for item in items if item.item_id in chosen]


def split(items: list[Asked], which: str) -> list[Asked]:
    """The items (or cases) of one half, ``"dev"`` or ``"test"``, in their order.

    >>> [i.item_id for i in split([GoldItem(n, "fact", ("c",), False, (), {}) for n in
    ...     ["bago-daily-compost", "oos-bago-centre-cost", "kita-trainees-fy2008"]], "dev")]
    ['oos-bago-centre-cost', 'kita-trainees-fy2008']
    """
    if which not in HALVES:
        raise EvalDataError(f"unknown gold half {which!r} (use one of {', '.join(HALVES)})")
    return [item for item in items if item.half == which]


def cases(items: list[GoldItem], languages: tuple[str, ...] = LANGUAGES) -> list[Case]:
    """Each item in each language; a fact counts in a language only when it has variants there."""
    return [Case(item.item_id, item.kind, lang, item.questions[lang], item.gold, item.abstain,
                 tuple(fact[lang] for fact in item.facts if fact.get(lang)), item.near)
            for lang in languages for item in items]
