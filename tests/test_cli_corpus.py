"""The corpus and backup commands run through ``kyodo`` itself: add, index, export, import, with exact messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from kb.feedback import FILE_NAME, Feedback, FeedbackStore
from kb.settings import Settings
from kb.store import EMPTY_INDEX, active_generation, open_client, open_collection

CASE = "cases/iges-bago-cebu-composting"
MAKASSAR = "Laporan Makassar\n\nKota Makassar membangun 12 bank sampah pada tahun 2010.\n"


@pytest.fixture
def loaded(embedder: SentenceTransformerEmbedder) -> SentenceTransformerEmbedder:
    """The model the commands share, loaded before they run: its loading bar on stderr is not their output."""
    embedder.embed_query("warm-up")
    return embedder


@pytest.fixture
def cli_env(small_corpus: Settings, loaded: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """``kyodo`` pointed at the small corpus and an empty home, as a maintainer's shell would be."""
    monkeypatch.setenv("KYODO_HOME", str(small_corpus.home))
    monkeypatch.setenv("KYODO_CORPUS", str(small_corpus.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", small_corpus.embed_model)
    monkeypatch.delenv("KYODO_CHROMA_URL", raising=False)
    return small_corpus


def kyodo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``kyodo ARGV``: its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_refuses_an_existing_case_and_replaces_only_when_asked_and_valid(
        cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = cli_env.corpus
    assert kyodo(capsys, "index")[0] == 0
    served = active_generation(open_client(cli_env))
    english = corpus / CASE / "en.md"
    before = english.read_bytes()
    upload = tmp_path / "en.md"
    # The outside probe's upload: the same id, a made-up figure.
    upload.write_text(before.decode().replace("composts 1 tonne", "composts 500 tonnes"), encoding="utf-8")

    code, out, err = kyodo(capsys, "add", str(upload))
    assert (code, out) == (1, "")
    assert err == (f"refused: en.md: case 'iges-bago-cebu-composting' already has {CASE}/en.md: pass --replace to "
                   "replace it (or give the new case its own id)\n")

    code, out, err = kyodo(capsys, "add", "--replace", str(upload))
    assert (code, out) == (1, "")
    assert err == (f"refused: en.md: {CASE}/en.md would not pass 'kyodo validate', so nothing was changed (fix these "
                   f"and add it again):\n  {corpus}/{CASE}/en.md:15: error: paragraph 2 lacks the number 1 of "
                   "ja.md:14 (write it with digits)\n")

    # Without translated_from the upload would claim to be the case's original, beside ja.md.
    upload.write_text(before.decode().replace("translated_from: ja\n", ""), encoding="utf-8")
    code, _, err = kyodo(capsys, "add", "--replace", str(upload))
    assert code == 1 and err.startswith(f"refused: en.md: {CASE}/en.md would not pass 'kyodo validate'")
    assert "needs exactly one original without 'translated_from', found en.md, ja.md" in err
    assert english.read_bytes() == before, "a refused upload must leave the case file byte for byte"
    assert active_generation(open_client(cli_env)) == served, "a refused upload must not re-index"

    upload.write_text(before.decode().replace("title: Promoting", "title: Advancing"), encoding="utf-8")
    code, out, err = kyodo(capsys, "add", "--replace", str(upload))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"added: en.md -> {CASE}/en.md (replaced)"
    assert lines[1].startswith("added 0, updated 1, unchanged 11, removed 0, failed 0; ")
    assert english.read_bytes() == upload.read_bytes()


def test_add_stores_a_new_case_in_any_order_and_a_document_once(
        cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = cli_env.corpus
    new = tmp_path / "new"
    new.mkdir()
    for lang in ("en", "ja"):  # the translation first: the original must still be stored before it is validated
        text = (corpus / CASE / f"{lang}.md").read_text(encoding="utf-8")
        (new / f"{lang}.md").write_text(text.replace("id: iges-bago-cebu-composting", "id: bago-market-compost"),
                                        encoding="utf-8")
    note = tmp_path / "Laporan Makassar.txt"
    note.write_text(MAKASSAR, encoding="utf-8")
    code, out, err = kyodo(capsys, "add", str(new / "en.md"), str(new / "ja.md"), str(note))
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == ["added: en.md -> cases/bago-market-compost/en.md",
                                    "added: ja.md -> cases/bago-market-compost/ja.md",
                                    "added: Laporan Makassar.txt -> documents/Laporan-Makassar.txt"]
    assert out.splitlines()[3].startswith("added 15, updated 0, unchanged 0, removed 0, failed 0; ")

    code, out, err = kyodo(capsys, "add", str(note))
    assert (code, out) == (1, "")
    assert err == ("refused: Laporan Makassar.txt: documents/Laporan-Makassar.txt already exists: pass --replace to "
                   "replace it\n")


def test_export_then_import_into_an_empty_home_then_force_over_an_index(
        cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert kyodo(capsys, "index")[0] == 0
    FeedbackStore(cli_env.home / FILE_NAME).save(Feedback("KITA?", "en", "answer", "[]", "up", "useful"))
    ids = sorted(open_collection(cli_env).get()["ids"])
    archive = tmp_path / "backup.tar.gz"
    assert kyodo(capsys, "export", str(archive)) == (0, f"exported chroma, docstores, {FILE_NAME} to {archive}\n", "")

    restored = Settings(home=tmp_path / "restored", corpus=cli_env.corpus, embed_model=cli_env.embed_model)
    monkeypatch.setenv("KYODO_HOME", str(restored.home))
    assert kyodo(capsys, "import", str(archive)) == (0, f"imported chroma, docstores, {FILE_NAME} from {archive}\n", "")
    assert sorted(open_collection(restored).get()["ids"]) == ids
    code, out, _ = kyodo(capsys, "search", "KITA international training", "--json")
    assert code == 0 and json.loads(out)["hits"][0]["doc_id"] == "kita-international-training"

    # The restored home gets an index of its own (one document), which only --force may replace.
    other = tmp_path / "other"
    (other / "documents").mkdir(parents=True)
    (other / "documents" / "makassar.txt").write_text(MAKASSAR, encoding="utf-8")
    assert kyodo(capsys, "index", "--corpus", str(other))[0] == 0
    FeedbackStore(restored.home / FILE_NAME).save(Feedback("Makassar?", "id", "jawaban", "[]", "down"))
    assert sorted(open_collection(restored).get()["ids"]) != ids
    assert kyodo(capsys, "import", str(archive)) == (
        1, "", f"kyodo: {restored.home / 'chroma'} already holds an index: pass --force to replace it\n")
    assert kyodo(capsys, "import", "--force", str(archive)) == (
        0, f"imported chroma, docstores, {FILE_NAME} from {archive}\n", "")
    assert [f.question for f in FeedbackStore(restored.home / FILE_NAME).all()] == ["KITA?"]
    # A new process, as after a restart: this one's Chroma client still holds the index it had open.
    searched = subprocess.run([sys.executable, "-m", "cli.main", "search", "Makassar bank sampah", "-k", "20", "--json"],
                              capture_output=True, text=True, check=True, env=os.environ.copy())
    assert {hit["doc_id"] for hit in json.loads(searched.stdout)["hits"]} == {
        "iges-bago-cebu-composting", "dalian-oda-master-plan", "kita-international-training"}


def test_files_outside_cases_and_documents_are_named_and_an_empty_index_is_one_line(
        tmp_path: Path, model_path: Path, loaded: SentenceTransformerEmbedder, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "own"
    (own / "source").mkdir(parents=True)
    (own / "notes.txt").write_text("Catatan Surabaya\n\nSurabaya membagikan keranjang kompos.\n", encoding="utf-8")
    (own / "report.md").write_text("# Bago\n\nBago composts market waste.\n", encoding="utf-8")
    for name in ("README.md", "TRANSLATING.md", "glossary.yaml", "source/kitakyushu.ja.txt", ".draft.txt"):
        (own / name).write_text("x\n", encoding="utf-8")  # the corpus's own files: never reported
    monkeypatch.setenv("KYODO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KYODO_EMBED_MODEL", str(model_path))
    monkeypatch.delenv("KYODO_CHROMA_URL", raising=False)

    code, out, err = kyodo(capsys, "index", "--corpus", str(own))
    assert code == 1 and out.startswith("added 0, updated 0, unchanged 0, removed 0, failed 2; 0 chunks")
    where = f"outside {own}/cases/ and {own}/documents/ (move it to {own}/documents/; a case study's <lang>.md goes to {own}/cases/<id>/)"
    assert err.splitlines() == [f"skipped: {own}/notes.txt: not indexed, it is {where}",
                                f"skipped: {own}/report.md: not indexed, it is {where}",
                                f"kyodo: {EMPTY_INDEX}"]
    assert EMPTY_INDEX == "The index is empty: put documents in corpus/documents/ and run 'kyodo index'"
    for command in (["ask", "Bago?"], ["search", "Bago?", "--json"]):
        assert kyodo(capsys, *command) == (1, "", f"kyodo: {EMPTY_INDEX}\n")
