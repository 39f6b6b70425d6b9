"""Batch Q&A on the full index: CSV or text in, CSV and Markdown out with citations, and clear errors for bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from kb.cli import main
from kb.embedder import SentenceTransformerEmbedder
from kb.errors import InputError
from kb.service import KnowledgeBase
from kb.settings import Settings
from tests.ui_server import serving
from trainer.batch import answer_all, read_questions, write

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
    with pytest.raises(InputError, match=r"lang\.csv:2: language 'fr' is not one of ja, en, id, th"):
        read_questions(bad_lang)
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
