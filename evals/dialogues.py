"""Load ``evals/followups.yaml``: two-turn dialogues, one ``Dialogue`` per item and language, with the cases and facts
that answer the second question."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evals.gold import EvalDataError, item_name, read_items
from kb.settings import LANGUAGES

DIALOGUES = Path(__file__).with_name("followups.yaml")
FIELDS = ("id", "kind", "gold", "facts", "turns")
KINDS = ("switch", "subject", "detail")


@dataclass(frozen=True)
class Dialogue:
    """A first question, and a second that leans on it, in one language; ``gold`` and ``facts`` are the second's."""

    item_id: str
    kind: str
    lang: str
    first: str
    second: str
    gold: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]

    @property
    def key(self) -> str:
        return f"{self.item_id}/{self.lang}"


def _dialogues(raw: dict, path: Path, number: int) -> list[Dialogue]:
    name = item_name(raw, path, number, FIELDS)
    if raw["kind"] not in KINDS:
        raise EvalDataError(f"{path}: item {name!r} has kind {raw['kind']!r} (use one of {', '.join(KINDS)})")
    if not raw["gold"]:
        raise EvalDataError(f"{path}: item {name!r} lists no gold case (add gold: [case-id])")
    turns = raw["turns"] or {}
    bad = [lang for lang in LANGUAGES if not isinstance(turns.get(lang), list) or len(turns[lang]) != 2
           or not all(isinstance(t, str) and t.strip() for t in turns[lang])]
    if bad:
        raise EvalDataError(f"{path}: item {name!r} needs two questions in {', '.join(bad)} "
                            "(turns: {lang: [first, second]})")
    facts = [{lang: tuple(str(v) for v in variants) for lang, variants in (fact or {}).items()}
             for fact in raw["facts"] or []]
    return [Dialogue(name, raw["kind"], lang, turns[lang][0], turns[lang][1], tuple(raw["gold"]),
                     tuple(fact[lang] for fact in facts if fact.get(lang))) for lang in LANGUAGES]


def load_dialogues(path: Path = DIALOGUES) -> list[Dialogue]:
    """Every dialogue in every language, in file order; raise ``EvalDataError`` naming the file and the item."""
    dialogues = [d for n, entry in enumerate(read_items(path, "dialogues"), 1) for d in _dialogues(entry, path, n)]
    ids = [d.item_id for d in dialogues if d.lang == LANGUAGES[0]]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise EvalDataError(f"{path}: item id {twice[0]!r} appears twice (ids must be unique)")
    return dialogues
