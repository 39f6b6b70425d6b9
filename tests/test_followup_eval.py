"""The follow-up dialogues (evals/followups.yaml): enough of each kind in every language, gold cases that exist, and
facts copied from the gold cases' own files; and their loader's errors (no model, no index)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.dialogues import KINDS, load_dialogues
from evals.gold import EvalDataError
from evals.metrics import canonical
from kb.settings import LANGUAGES
from tests.conftest import CORPUS

DIALOGUES = load_dialogues()


def test_every_language_has_twenty_dialogues_of_every_kind_mixed() -> None:
    for lang in LANGUAGES:
        kinds = Counter(d.kind for d in DIALOGUES if d.lang == lang)
        assert sum(kinds.values()) >= 20 and all(kinds[kind] >= 5 for kind in KINDS), f"{lang}: {dict(kinds)}"


def test_every_fact_is_written_in_a_gold_case_of_its_language() -> None:
    missing = []
    for dialogue in DIALOGUES:
        texts = [canonical((CORPUS / "cases" / case / f"{dialogue.lang}.md").read_text(encoding="utf-8"))
                 for case in dialogue.gold]
        missing += [(dialogue.key, variants) for variants in dialogue.facts
                    if not any(canonical(v) in text for v in variants for text in texts)]
        assert dialogue.facts, f"{dialogue.key} has no fact in {dialogue.lang}"
    assert not missing, f"expected each fact in a gold case's own file, not found: {missing}"


def test_a_dialogue_without_two_questions_in_a_language_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "followups.yaml"
    bad.write_text("- id: d1\n  kind: switch\n  gold: [iclei]\n  facts: []\n"
                   "  turns: {ja: [a, b], en: [a, b], id: [a], th: [a, b]}\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"followups\.yaml: item 'd1' needs two questions in id"):
        load_dialogues(bad)
