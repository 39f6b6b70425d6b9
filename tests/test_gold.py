"""The gold set's near-topic and loose items, its `near` field and its dev/test halves (no model, no index)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.gold import HALVES, EvalDataError, GoldItem, cases, load_gold, split

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "corpus" / "cases"
GOLD = load_gold()
QUESTIONS = "questions: {ja: 'バゴ?', en: 'Bago?', id: 'Bago?', th: 'บาโก?'}"


def group(item: GoldItem) -> str:
    """The kind, with out-of-scope items told apart: about a case, about nothing a case mentions, off-topic."""
    if not item.abstain:
        return item.kind
    return "off-topic" if item.near is None else "near-case" if item.near else "near-nothing"


def test_every_near_id_is_a_case_folder() -> None:
    unknown = [(item.item_id, case) for item in GOLD for case in item.near or () if not (CASES / case).is_dir()]
    assert not unknown, f"expected every near id to be a folder in corpus/cases, got unknown {unknown}"


def test_gold_has_near_topic_out_of_scope_and_loose_in_scope_items() -> None:
    counts = Counter(group(item) for item in GOLD)
    loose_cases = {case for item in GOLD if item.kind == "loose" for case in item.gold}
    assert counts["near-case"] >= 15, f"expected >= 15 items about a case lacking the fact, got {counts['near-case']}"
    assert counts["near-nothing"] >= 5, f"expected >= 5 items on places no case names, got {counts['near-nothing']}"
    assert counts["loose"] >= 12 and len(loose_cases) >= 12, \
        f"expected >= 12 loose items over >= 12 cases, got {counts['loose']} over {len(loose_cases)}"


def test_each_half_has_every_kind_and_every_kind_of_out_of_scope_item() -> None:
    wanted = {group(item) for item in GOLD}
    for half in HALVES:
        got = {group(item) for item in split(GOLD, half)}
        assert got == wanted, f"expected the {half} half to hold {sorted(wanted)}, it lacks {sorted(wanted - got)}"


def test_halves_partition_the_gold_set_by_id_whatever_the_order() -> None:
    dev, test = ({item.item_id for item in split(GOLD, half)} for half in HALVES)
    assert not dev & test and dev | test == {item.item_id for item in GOLD}
    assert {item.item_id for item in split(GOLD[1:] + GOLD[:1], "dev")} == dev, "expected the dev half not to depend on order"
    assert {case.key for case in split(cases(GOLD), "test")} == {case.key for case in cases(split(GOLD, "test"))}


def test_cases_carry_near_so_a_partial_answer_can_be_checked() -> None:
    by_key = {case.key: case for case in cases(GOLD)}
    assert by_key["oos-bago-centre-cost/th"].near == ("iges-bago-cebu-composting",)
    assert by_key["oos-da-nang-compost/id"].near == ()
    assert by_key["oos-tom-yum-recipe/ja"].near is None


def test_unknown_half_is_an_error_naming_the_halves() -> None:
    with pytest.raises(EvalDataError, match="unknown gold half 'train' \\(use one of dev, test\\)"):
        split(GOLD, "train")


@pytest.mark.parametrize(("item", "message"), [
    ("id: bago-x, kind: fact, gold: [iclei], abstain: false, near: [iclei]",
     "'bago-x' is in scope but has near: \\['iclei'\\] \\(near is for out-of-scope items"),
    ("id: oos-x, kind: out-of-scope, gold: [], abstain: true, near: iclei",
     "'oos-x' has near: 'iclei', not a list of case ids \\(write near: \\[case-id\\]"),
])
def test_misplaced_or_malformed_near_is_an_error_naming_the_item_and_the_fix(tmp_path: Path, item: str,
                                                                           message: str) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(f"- {{{item}, facts: [],\n   {QUESTIONS}}}\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=message):
        load_gold(path)
