"""The question log and the Gaps view through the real web page: questions asked on the page are logged with their
outcome and thumb, the log stays empty when switched off, and the Maintain tab's Gaps view needs a login."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from kb.question_log import FILE_NAME
from kb.settings import Settings
from tests.test_app import ask
from tests.test_gaps import ANSWERED, COST, DECLINED
from tests.test_maintain import corpus_settings  # noqa: F401  (a fixture: three cases, indexed at warm-up)
from tests.ui_server import PASSWORD, Served, logged_in, serving
from ui.backend import Backend


@pytest.fixture(scope="module")
def served(corpus_settings: Settings) -> Iterator[Served]:
    with serving(replace(corpus_settings, admin_password=PASSWORD)) as running:
        yield running


def test_questions_asked_on_the_page_are_logged_with_their_outcome_and_thumb(served: Served) -> None:
    client = Client(served.url, verbose=False)
    outcomes = {}
    for question in (ANSWERED, DECLINED, COST["en"]):
        _, answer = ask(served, question, client=client)
        outcomes[question] = "partial" if answer["partial"] else "declined" if answer["abstained"] else "answered"
    client.predict(api_name="/rate_down")  # on the last answer
    rows = {row.question: row for row in served.backend.questions.rows()}
    assert {q: rows[q].outcome for q in outcomes} == outcomes
    assert outcomes[ANSWERED] == "answered" and outcomes[DECLINED] == "declined"
    assert [rows[q].rating for q in outcomes] == ["", "", "down"]
    assert {rows[q].source for q in outcomes} == {"web"}
    assert rows[ANSWERED].top_case == "iges-bago-cebu-composting"


def test_batch_questions_uploaded_on_the_page_are_logged_too(served: Served, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{COST['th']}\n{DECLINED}\n", encoding="utf-8")
    before = len(served.backend.questions.rows())
    Client(served.url, verbose=False).predict(handle_file(str(questions)), "auto", "en", api_name="/batch_answers")
    added = served.backend.questions.rows()[before:]
    assert [(r.question, r.source) for r in added] == [(COST["th"], "web"), (DECLINED, "web")]
    assert added[1].outcome == "declined"


def test_the_gaps_view_is_refused_without_a_login(served: Served) -> None:
    client = Client(served.url, verbose=False)
    for endpoint in ("/gap_report", "/export_gaps"):
        with pytest.raises(AppError, match="log in as a maintainer first"):
            client.predict("", "all", "all", api_name=endpoint)


def test_the_gaps_view_shows_similar_questions_as_one_row_with_a_count(served: Served) -> None:
    client = Client(served.url, verbose=False)
    for question in COST.values():
        ask(served, question, client=client)
    maintainer = logged_in(served.url)
    summary, table, chart = maintainer.predict("", "all", "all", api_name="/gap_report")
    rows = {row[1]: row for row in table["data"]}
    assert table["headers"][:3] == ["Asked", "Question", "Languages"]
    cost = rows[COST["en"]]
    assert cost[0] >= 4 and cost[2].startswith("ja 1, en "), f"expected Bago's cost asked in 3 languages, got {cost}"
    assert "Bago" in cost[4] and "Bago" in cost[5]  # the nearest case's title, the places named
    assert rows[DECLINED][0] == sum(row.question == DECLINED for row in served.backend.questions.rows())
    assert summary.endswith(f"groups") and Path(chart).stat().st_size > 1000
    _, thai_table, _ = maintainer.predict("", "th", "all", api_name="/gap_report")
    assert thai_table["data"] and all(row[2].startswith("th ") and "," not in row[2] for row in thai_table["data"])
    exported = maintainer.predict("", "all", "all", api_name="/export_gaps")
    with open(exported, encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert lines[0]["question_th"] == COST["th"] and int(lines[0]["count"]) == cost[0]
    with pytest.raises(AppError, match="is not a date"):
        maintainer.predict("last week", "all", "all", api_name="/gap_report")
    # A trainer's view before a session on composting: only gaps whose nearest case is about it.
    _, composting, _ = maintainer.predict("", "all", "composting", api_name="/gap_report")
    assert COST["en"] in [row[1] for row in composting["data"]]
    assert {row[4] for row in composting["data"]} == {cost[4]}, "the small corpus has one composting case"
    _, air, _ = maintainer.predict("", "all", "air", api_name="/gap_report")
    assert COST["en"] not in [row[1] for row in air["data"]]


def test_the_page_logs_nothing_when_the_log_is_switched_off(served: Served, tmp_path: Path) -> None:
    for switch, logged in (("off", False), ("on", True)):
        settings = replace(served.backend.settings, home=tmp_path / switch, question_log=logged)
        backend = Backend(settings, served.backend.kb)  # the served index and model, a log of its own
        turn = backend.ask(1, DECLINED, "auto", "en")
        backend.rate(turn, "down")
        assert turn.answer is not None and turn.answer.abstained
        assert (turn.log_id is not None) == logged and (tmp_path / switch / FILE_NAME).exists() == logged
        assert [(r.question, r.outcome, r.rating) for r in backend.questions.rows()] == (
            [(DECLINED, "declined", "down")] if logged else [])
