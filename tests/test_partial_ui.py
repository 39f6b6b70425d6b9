"""Partial abstentions in the served page: what is missing is said, and the closest case is the one card."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from gradio_client import Client

from kb.settings import Settings
from tests.ui_server import PASSWORD, Served, serving


@pytest.fixture(scope="module")
def served(full_index: Settings) -> Iterator[Served]:
    with serving(replace(full_index, admin_password=PASSWORD)) as running:
        yield running


@pytest.mark.parametrize(("question", "missing"), [
    ("How much did it cost to build Bago's compost centre?", "do not say what it cost"),
    ("バゴ市のコンポスト・センターの建設費はいくらでしたか？", "費用や金額は書かれていません"),
])
def test_a_partial_abstention_names_what_is_missing_and_shows_the_case_as_a_card(served: Served, question: str,
                                                                                  missing: str) -> None:
    thread, _question, answer, *_ = Client(served.url, verbose=False).predict(question, "auto", [], [], [],
                                                                              api_name="/ask")
    assert answer["abstained"] and answer["partial"] and answer["asked"] == "money"
    assert missing in answer["answer"]
    assert [c["doc_id"] for c in answer["citations"]] == ["iges-bago-cebu-composting"]
    assert 'class="k-a k-partial"' in thread and thread.count('class="k-card"') == 1
    assert 'href="#k1-c1"' in thread, "the [1] in the sentence links to the closest case's card"


def test_a_place_no_case_mentions_is_declined_by_name_without_a_card(served: Served) -> None:
    thread, _question, answer, *_ = Client(served.url, verbose=False).predict(
        "How much waste does Da Nang compost each day?", "auto", [], [], [], api_name="/ask")
    assert answer["abstained"] and not answer["partial"] and not answer["citations"]
    assert answer["answer"].startswith("The case studies do not mention Da Nang.")
    assert 'class="k-card"' not in thread
