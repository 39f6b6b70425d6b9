"""The ``kyodo`` command's contract: JSON fields, batch mode, and one-line errors with exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli.main import main
from kb.settings import Settings

# The README's JSON contracts, key for key: a key added or dropped must change the README and these together.
ASK_FIELDS = {"question", "language", "answer", "abstained", "citations", "timings_ms", "note", "mode", "partial",
              "asked", "searched"}
CITATION_FIELDS = {"n", "doc_id", "title", "lang", "text", "original_text", "source", "sentences"}
SEARCH_FIELDS = {"question", "language", "hits"}
HIT_FIELDS = {"doc_id", "chunk_id", "lang", "score", "similarity"}
BATCH_ERROR_FIELDS = {"id", "question", "error"}
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, full_index: Settings) -> Settings:
    monkeypatch.setenv("KYODO_HOME", str(full_index.home))
    monkeypatch.setenv("KYODO_CORPUS", str(full_index.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", full_index.embed_model)
    return full_index


def assert_answer_contract(result: dict, extra: frozenset[str] = frozenset()) -> None:
    """Exactly the documented keys of an answer (plus ``extra``), and of each of its citations."""
    assert set(result) == ASK_FIELDS | extra, f"expected keys {sorted(ASK_FIELDS | extra)}, got {sorted(result)}"
    for citation in result["citations"]:
        assert set(citation) == CITATION_FIELDS, f"expected {sorted(CITATION_FIELDS)}, got {sorted(citation)}"


def test_readme_states_the_json_contracts_these_tests_check() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    ask = text[text.index("`ask --json` prints") : text.index("`search --json` prints")]
    search = text[text.index("`search --json` prints") :].split("}]}", 1)[0]
    citations = ask[ask.index('"citations": [{') + 15 :].split("}]", 1)[0]
    hits = search[search.index('"hits": [{') + 10 :]
    quoted = re.compile(r'"([a-z_]+)"')
    assert set(quoted.findall(ask)) - set(quoted.findall(citations)) == ASK_FIELDS
    assert set(quoted.findall(citations)) == CITATION_FIELDS
    assert set(quoted.findall(search)) - set(quoted.findall(hits)) == SEARCH_FIELDS
    assert set(quoted.findall(hits)) == HIT_FIELDS
    assert '`{"id", "question", "error"}`' in text, "the README no longer documents a batch line's error"


def test_ask_json_has_exactly_the_contract_fields(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert_answer_contract(result)
    assert result["language"] == "th" and result["abstained"] is False and "1" in result["answer"]
    assert result["citations"] and result["citations"][0]["doc_id"] == "iges-bago-cebu-composting"
    assert result["citations"][0]["sentences"] and result["mode"] == "extractive" and result["note"] == ""
    assert result["timings_ms"]["total"] > 0


def test_batch_answers_one_json_line_per_question(env: Settings, tmp_path: Path, capsys) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"id": "a", "question": "Kapan ICLEI didirikan?"}\n\n'
                     '{"id": "b", "question": "KITA", "lang": "ja"}\n', encoding="utf-8")
    assert main(["ask", "--batch", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["language"]) for r in lines] == [("a", "id"), ("b", "ja")]
    for line in lines:
        assert_answer_contract(line, frozenset({"id"}))


def test_batch_from_csv_prints_answer_lines_and_error_lines_with_exact_keys(env: Settings, tmp_path: Path,
                                                                            capsys) -> None:
    batch = tmp_path / "questions.csv"
    batch.write_text("id,question,lang\nq1,Bago ทำปุ๋ยหมักอย่างไร,th\nq2,Comment Bago composte-t-il ?,fr\n",
                     encoding="utf-8")
    assert main(["ask", "--batch", str(batch)]) == 1  # one question failed
    answered, failed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert_answer_contract(answered, frozenset({"id"}))
    assert answered["id"] == "q1" and answered["citations"]
    assert set(failed) == BATCH_ERROR_FIELDS and failed["id"] == "q2" and "'fr' is not one of" in failed["error"]


def test_search_json_returns_ranked_hits(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Global 500 Dalian", "-k", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == SEARCH_FIELDS
    hits = result["hits"]
    assert len(hits) == 3 and hits[0]["doc_id"] == "dalian-oda-master-plan"
    assert all(set(hit) == HIT_FIELDS for hit in hits), [sorted(hit) for hit in hits]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all(0 < h["similarity"] <= 1 for h in hits)


def test_search_batch_prints_one_line_per_question_with_exact_keys(env: Settings, tmp_path: Path, capsys) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"id": 7, "question": "Global 500 Dalian"}\n', encoding="utf-8")
    assert main(["search", "--batch", str(batch), "-k", "2"]) == 0
    [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert set(line) == SEARCH_FIELDS | {"id"} and line["id"] == 7
    assert len(line["hits"]) == 2 and all(set(hit) == HIT_FIELDS for hit in line["hits"])


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
