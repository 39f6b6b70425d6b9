"""The load tool, briefly: two users for a few seconds against the real served page, and its loopback guard."""

from __future__ import annotations

import os

import pytest

from bench.load import check_loopback, gold_questions, run
from kb.errors import InputError
from kb.settings import LANGUAGES, Settings
from tests.ui_server import serving


def test_two_users_for_three_seconds_get_answers_and_no_errors(small_corpus: Settings) -> None:
    with serving(small_corpus) as served:
        table, [level] = run([2], 3, url=served.url, pid=os.getpid(), log=lambda line: None)
    assert level.errors == {}, f"expected no errors, got {dict(level.errors)}"
    assert level.answers >= 2 and level.throughput > 0
    assert level.rss_before and level.rss_after
    assert table.splitlines()[-1].startswith(f"| 2 | {level.answers} | ")


def test_questions_mix_all_four_languages() -> None:
    questions = gold_questions()
    assert len(questions) % len(LANGUAGES) == 0
    assert questions[0].startswith("KITA") and questions[3].startswith("ในปีงบประมาณ")  # ja … th of one item


@pytest.mark.parametrize("url", ["http://10.0.0.5:7860/", "https://example.org/", "http://0.0.0.0:7860/"])
def test_load_test_refuses_servers_off_this_machine(url: str) -> None:
    with pytest.raises(InputError, match="not a loopback address"):
        check_loopback(url)
