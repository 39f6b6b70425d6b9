"""Every question the README tells a reader to ask is answered in its first sentence, by the real system."""

from __future__ import annotations

import re

import pytest

from kb.labels import label_lines
from kb.service import KnowledgeBase
from kb.settings import Settings
from tests.conftest import ROOT

# question → (the cases that answer it, what the first sentence must say)
EXAMPLES = {
    "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร": ({"iges-bago-cebu-composting"}, "1 ตัน"),
    # Surabaya cut its waste by composting organic waste with residents taking part.
    "How did Surabaya cut its waste?": ({"iges-kitakyushu-office", "iges-indonesia-waste"}, "compost"),
    "How did Bago start its compost centre?": ({"iges-bago-cebu-composting"}, "compost centre"),
    "How many trainees did KITA accept in FY2008?": ({"kita-international-training"}, "434"),
    # A follow-up, asked --after the README's earlier question.
    "Who distributed them?": ({"iges-bago-cebu-composting"}, "Pagtambayayong Foundation"),
}
FIRST = re.compile(r"^(.*?)\s*\[(\d+)\]")
ASKED = re.compile(r'kyodo ask "([^"]+)"((?: --after "[^"]+")*)')


def asked_in_readme() -> dict[str, list[str]]:
    """Each question the README asks, with the questions it is asked ``--after``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return {question: re.findall(r'--after "([^"]+)"', after) for question, after in ASKED.findall(readme)}


def test_the_table_lists_every_question_the_readme_asks() -> None:
    assert set(asked_in_readme()) == set(EXAMPLES)


@pytest.mark.parametrize("question", list(EXAMPLES))
def test_a_readme_example_is_answered_in_its_first_sentence(full_index: Settings, question: str) -> None:
    cases, fact = EXAMPLES[question]
    answer = KnowledgeBase(full_index).ask(question, history=asked_in_readme()[question])
    match = FIRST.match(answer.answer)
    assert not answer.abstained and match, answer.answer
    first, n = match.group(1), int(match.group(2))
    cited = next(c for c in answer.citations if c.n == n)
    assert cited.doc_id in cases, (question, cited.doc_id)
    assert first in cited.text
    line = next(i for i, text in enumerate(cited.text.split("\n")) if first in text)
    # Headings are told on the Japanese original (a Thai line has no full stop to tell it by); lines align.
    assert line not in label_lines(cited.original_text, "ja"), f"a heading was quoted as the answer: {first!r}"
    assert fact in first, (question, first)
