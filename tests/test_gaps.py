"""The question log and the gap report from the command line: what ``kyodo ask`` logs, ``kyodo gaps`` and its purge,
and the clustering measured on the gold set's out-of-scope questions with the real model."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import yaml

from cli.main import main
from evals.gap_clusters import apart_within, measure, out_of_scope, questions
from indexer.pipeline import build_index
from kb.gap_report import write
from kb.gaps import find_gaps
from kb.question_log import FILE_NAME, Logged, QuestionLog
from kb.records import Answer
from kb.settings import Settings

ANSWERED = "How many tonnes of market waste does Bago's compost centre compost per day?"
DECLINED = "北九州市長の好きな食べ物は何ですか"
COST = {"en": "How much did it cost to build Bago's compost centre?",
        "ja": "バゴ市のコンポストセンターの建設費はいくらでしたか？",
        "th": "การสร้างศูนย์ปุ๋ยหมักของเมืองบาโกใช้งบประมาณเท่าไร"}


def kyodo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``kyodo ARGV``: its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_home(small_corpus: Settings, embedder, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The small corpus indexed, and ``kyodo`` pointed at it."""
    build_index(small_corpus, embedder)
    monkeypatch.setenv("KYODO_HOME", str(small_corpus.home))
    monkeypatch.setenv("KYODO_CORPUS", str(small_corpus.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", small_corpus.embed_model)
    monkeypatch.delenv("KYODO_QUESTION_LOG", raising=False)
    return small_corpus


def logged(settings: Settings) -> list[Logged]:
    return QuestionLog(settings.home / FILE_NAME).rows()


def outcome_of(answer: dict) -> str:
    return "partial" if answer["partial"] else "declined" if answer["abstained"] else "answered"


def test_kyodo_ask_logs_each_question_with_its_outcome_and_nothing_about_who_asked(
        cli_home: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    answers = []
    for question in (ANSWERED, DECLINED, COST["en"]):
        code, out, _ = kyodo(capsys, "ask", question, "--json")
        assert code == 0
        answers.append(json.loads(out))
    rows = logged(cli_home)
    assert [(r.question, r.source) for r in rows] == [(ANSWERED, "cli"), (DECLINED, "cli"), (COST["en"], "cli")]
    assert [r.outcome for r in rows] == [outcome_of(a) for a in answers]
    assert [r.outcome for r in rows][:2] == ["answered", "declined"]
    assert rows[0].top_case == "iges-bago-cebu-composting" and 0 < rows[0].similarity <= 1
    assert rows[0].asked == answers[0]["asked"] and rows[1].language == "ja"
    with sqlite3.connect(cli_home.home / FILE_NAME) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(questions)")}
    assert not columns & {"ip", "address", "client", "user", "user_name", "session"}


def test_kyodo_ask_logs_nothing_when_the_log_is_switched_off(
        cli_home: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KYODO_QUESTION_LOG", "off")
    assert kyodo(capsys, "ask", DECLINED)[0] == 0
    assert not (cli_home.home / FILE_NAME).exists()
    monkeypatch.setenv("KYODO_QUESTION_LOG", "sometimes")
    assert kyodo(capsys, "ask", DECLINED)[1:] == ("", "kyodo: KYODO_QUESTION_LOG='sometimes' is not 'on' or 'off'\n")


def test_kyodo_gaps_groups_one_question_asked_in_three_languages_into_one_row(
        cli_home: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for question in (*COST.values(), ANSWERED, DECLINED):
        assert kyodo(capsys, "ask", question)[0] == 0
    gaps_csv = tmp_path / "gaps.csv"
    code, out, err = kyodo(capsys, "gaps", "--out", str(gaps_csv))
    assert code == 0 and out.startswith("2 gaps (4 questions) written to "), (out, err)
    assert gaps_csv.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read Japanese and Thai"
    with gaps_csv.open(encoding="utf-8-sig", newline="") as rows:
        found = list(csv.DictReader(rows))
    assert [(r["count"], r["languages"]) for r in found] == [("3", "ja 1, en 1, th 1"), ("1", "ja 1")]
    assert found[0]["nearest_case"] == "iges-bago-cebu-composting" and "Bago" in found[0]["places"]
    assert found[0]["question_th"] == COST["th"] and "Bago" in found[0]["case_title"]
    gaps_md = tmp_path / "gaps.md"
    assert kyodo(capsys, "gaps", "--out", str(gaps_md))[0] == 0
    report = gaps_md.read_text(encoding="utf-8")
    assert "## Promoting Waste Management in the Philippines" in report and "(`iges-bago-cebu-composting`)" in report
    assert "| 3 | ja 1, en 1, th 1 | " in report and f"th: {COST['th']}" in report
    code, out, _ = kyodo(capsys, "gaps", "--gold-candidates", "--lang", "en")
    [item] = yaml.safe_load(out)
    assert item["questions"] == {"en": COST["en"]} and item["abstain"] is True and item["gold"] == []
    assert kyodo(capsys, "gaps", "--since", "2099-01-01")[1].startswith("No declined, partly answered or 👎 questions")
    composting = kyodo(capsys, "gaps", "--topic", "การทำปุ๋ยหมัก")[1]  # the topic named in Thai
    assert COST["ja"] in composting and DECLINED not in composting
    assert kyodo(capsys, "gaps", "--topic", "weather")[2].startswith("kyodo: --topic 'weather' is not a topic: use one of")
    assert kyodo(capsys, "gaps", "--since", "yesterday")[2] == (
        "kyodo: --since 'yesterday' is not a date: write it as YYYY-MM-DD (e.g. 2026-12-01)\n")


def answer(question: str, lang: str = "en", abstained: bool = True, case: str = "c") -> Answer:
    return Answer(question, lang, "", abstained, [], top_case=case, top_similarity=0.3)


def test_purge_deletes_what_it_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    log = QuestionLog(tmp_path / FILE_NAME)
    for n, day in enumerate(("2026-10-30", "2026-11-02", "2026-11-15")):
        row = log.record(answer(f"Wie viel kostete Frage {n}?"), "web")
        with sqlite3.connect(log.path) as db:
            db.execute("UPDATE questions SET asked_at = ? WHERE id = ?", (f"{day}T09:00:00+00:00", row))
    log.vectors([r.searched for r in log.rows()], lambda texts: np.eye(len(texts), 4, dtype=np.float32), "m")
    monkeypatch.setenv("KYODO_HOME", str(tmp_path))
    assert kyodo(capsys, "gaps", "--before", "2026-11-01")[2].startswith("kyodo: --before is for --purge")
    code, out, _ = kyodo(capsys, "gaps", "--purge", "--before", "2026-11-02")
    assert (code, out) == (0, f"deleted 1 logged questions asked before 2026-11-02 from {log.path}\n")
    assert [r.asked_at[:10] for r in log.rows()] == ["2026-11-02", "2026-11-15"]
    with sqlite3.connect(log.path) as db:
        assert db.execute("SELECT count(*) FROM vectors").fetchone() == (2,), "a purged question's vector stayed"
    assert kyodo(capsys, "gaps", "--purge")[1] == f"deleted 2 logged questions from {log.path}\n"
    assert log.rows() == [] and b"Frage" not in log.path.read_bytes(), "deleted text is still in the file"


def test_gap_csv_neutralises_formulas(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / FILE_NAME)
    formulas = ['=HYPERLINK("http://evil.example","Bago")', "+1+1", "-2 tonnes?", "@SUM(1)", "\tBago?"]
    for question in formulas:
        log.record(answer(question, case="=cmd|' /C calc'!A0"), "cli")
    vectors = {text: np.eye(8, dtype=np.float32)[n] for n, text in enumerate(formulas)}
    gaps = find_gaps(log.rows(), lambda texts: np.stack([vectors[t] for t in texts]))
    path = tmp_path / "gaps.csv"
    assert write(gaps, path) == len(formulas)
    with path.open(encoding="utf-8-sig", newline="") as rows:
        found = list(csv.DictReader(rows))
    assert sorted(r["question_en"] for r in found) == sorted("'" + q for q in formulas)
    assert sorted(r["all_questions"] for r in found) == sorted("'" + q for q in formulas)
    assert {r["nearest_case"] for r in found} == {"'=cmd|' /C calc'!A0"}


def test_gold_out_of_scope_items_cluster_by_item_across_languages(embedder) -> None:
    items = out_of_scope()
    vectors = embedder.embed_similar(questions(items))
    result = measure(items, vectors)
    assert len(items) >= 30
    assert result.together >= 0.90, f"expected >= 0.90 of items in one cluster, got {result.together:.3f}"
    assert result.apart >= 0.90, f"expected >= 0.90 of item pairs apart, got {result.apart:.3f}"
    for lang in ("ja", "en", "id", "th"):  # a log in one language: no translations hold an item together
        apart = apart_within(items, vectors, lang)
        assert apart >= 0.90, f"{lang} alone: expected >= 0.90 of item pairs apart, got {apart:.3f}"
