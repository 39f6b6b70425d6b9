"""The ``kyodo`` command's contract: JSON fields, batch mode, and one-line errors with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from kb.settings import Settings

ASK_FIELDS = {"question", "language", "answer", "abstained", "citations", "timings_ms"}
CITATION_FIELDS = {"n", "doc_id", "title", "lang", "text", "original_text", "source"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, full_index: Settings) -> Settings:
    monkeypatch.setenv("KYODO_HOME", str(full_index.home))
    monkeypatch.setenv("KYODO_CORPUS", str(full_index.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", full_index.embed_model)
    return full_index


def test_ask_json_has_the_contract_fields(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert ASK_FIELDS <= set(result)
    assert result["language"] == "th" and result["abstained"] is False and "1" in result["answer"]
    assert result["citations"] and CITATION_FIELDS <= set(result["citations"][0])
    assert result["citations"][0]["doc_id"] == "iges-bago-cebu-composting"
    assert result["timings_ms"]["total"] > 0


def test_batch_answers_one_json_line_per_question(env: Settings, tmp_path: Path, capsys) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"id": "a", "question": "Kapan ICLEI didirikan?"}\n\n'
                     '{"id": "b", "question": "KITA", "lang": "ja"}\n', encoding="utf-8")
    assert main(["ask", "--batch", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["language"]) for r in lines] == [("a", "id"), ("b", "ja")]
    assert all(ASK_FIELDS <= set(r) for r in lines)


def test_search_json_returns_ranked_hits(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Global 500 Dalian", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert len(hits) == 3 and hits[0]["doc_id"] == "dalian-oda-master-plan"
    assert {"doc_id", "chunk_id", "lang", "score"} <= set(hits[0])
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_ask_without_an_index_says_to_run_index(tmp_path: Path, monkeypatch, capsys, model_path: Path) -> None:
    monkeypatch.setenv("KYODO_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("KYODO_EMBED_MODEL", str(model_path))
    assert main(["ask", "Bago?"]) == 1
    assert capsys.readouterr().err.strip() == f"kyodo: No index at {tmp_path / 'empty' / 'chroma'}: run 'kyodo index' first"


def test_index_without_the_model_says_to_fetch_it(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KYODO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KYODO_EMBED_MODEL", raising=False)
    monkeypatch.setenv("KYODO_CORPUS", str(Path(__file__).resolve().parents[1] / "corpus"))
    assert main(["index"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kyodo: No embedding model at ") and "run 'kyodo models fetch' first" in err


def test_empty_question_and_bad_batch_line_are_clear_errors(env: Settings, tmp_path: Path, capsys) -> None:
    assert main(["ask", "   "]) == 1
    assert "The question is empty" in capsys.readouterr().err
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"id": 1, "question": "ok"}\nnot json\n', encoding="utf-8")
    assert main(["ask", "--batch", str(batch)]) == 1
    assert f"{batch}:2: not a JSON object" in capsys.readouterr().err
