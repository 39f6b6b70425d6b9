"""Adding documents safely (never replacing one unasked), and backing the index up and restoring it."""

from __future__ import annotations

import tarfile
from dataclasses import replace
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from indexer.backup import export_backup, import_backup
from indexer.pipeline import build_index
from indexer.upload import add_file
from kb.errors import CorpusError, KyodoError
from kb.service import KnowledgeBase
from kb.settings import Settings
from kb.store import open_collection
from tests.ui_server import serving


def test_added_document_is_answered_without_restart(small_corpus: Settings, embedder, tmp_path: Path) -> None:
    build_index(small_corpus, embedder)
    kb = KnowledgeBase(small_corpus, embedder)
    note = tmp_path / "Laporan Makassar.txt"
    note.write_text("Laporan Makassar\n\nKota Makassar membangun 12 bank sampah pada tahun 2010.\n", encoding="utf-8")
    assert add_file(note, small_corpus.corpus) == (small_corpus.corpus / "documents" / "Laporan-Makassar.txt", False)
    build_index(small_corpus, embedder)
    answer = kb.ask("Berapa bank sampah yang dibangun Makassar?")
    assert answer.citations[0].doc_id == "documents-laporan-makassar" and "12 bank sampah" in answer.answer


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.md", b"", "the file is empty"),
    ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "contains binary data"),
    ("tool.pdf", b"MZ\x90\x00 not a pdf", "named .pdf but is not a PDF file"),
    ("letter.docx", b"plain text pretending", "named .docx but is not a Word document"),
    ("latin1.txt", "Chonburi café".encode("latin-1"), "not UTF-8 text"),
    ("script.exe", b"MZ", "unsupported file type"),
    ("case.md", "---\nid: Bad Id\nlang: th\ntitle: x\n---\n\nข้อความ\n".encode(), "front matter needs id"),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(small_corpus: Settings, tmp_path: Path, name: str,
                                                        content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = sorted(p for p in small_corpus.corpus.rglob("*"))
    with pytest.raises(CorpusError, match=message):
        add_file(path, small_corpus.corpus)
    assert sorted(p for p in small_corpus.corpus.rglob("*")) == before


def test_case_markdown_goes_to_its_case_folder_only_as_a_valid_case(small_corpus: Settings, tmp_path: Path) -> None:
    source = small_corpus.corpus / "cases/iges-bago-cebu-composting"
    upload = tmp_path / "anything.md"
    for lang in ("th", "ja"):
        upload.write_text((source / f"{lang}.md").read_text(encoding="utf-8").replace(
            "id: iges-bago-cebu-composting", "id: bago-copy"), encoding="utf-8")
        if lang == "th":  # a translation of an original that is not there
            with pytest.raises(CorpusError, match="needs exactly one original without 'translated_from', found none"):
                add_file(upload, small_corpus.corpus)
            assert not (small_corpus.corpus / "cases/bago-copy").exists()
    assert add_file(upload, small_corpus.corpus) == (small_corpus.corpus / "cases/bago-copy/ja.md", False)


def test_an_existing_japanese_original_is_replaced_only_when_asked_and_still_valid(small_corpus: Settings,
                                                                                     tmp_path: Path) -> None:
    original = small_corpus.corpus / "cases/iges-bago-cebu-composting/ja.md"
    before = original.read_bytes()
    upload = tmp_path / "ja.md"
    upload.write_text(before.decode().replace("title: フィリピン", "title: 比国"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"^ja\.md: case 'iges-bago-cebu-composting' already has "
                                          r"cases/iges-bago-cebu-composting/ja\.md: pass --replace to replace it"):
        add_file(upload, small_corpus.corpus)
    # Claiming to be a translation would leave the case without an original.
    upload.write_text(before.decode().replace("source: 北九州市環境白書 第4節 4.(2)イ\n",
                                              "source: 北九州市環境白書 第4節 4.(2)イ\ntranslated_from: en\n"), encoding="utf-8")
    with pytest.raises(CorpusError, match="would not pass 'kyodo validate'") as refused:
        add_file(upload, small_corpus.corpus, replace=True)
    assert (f"\n  {small_corpus.corpus}/cases/iges-bago-cebu-composting: error: needs exactly one original without "
            "'translated_from', found none") in str(refused.value)
    assert original.read_bytes() == before
    upload.write_text(before.decode().replace("title: フィリピン", "title: 比国"), encoding="utf-8")
    assert add_file(upload, small_corpus.corpus, replace=True) == (original, True)
    assert original.read_bytes() == upload.read_bytes()


def test_export_then_import_restores_the_same_index(small_corpus: Settings, embedder, tmp_path: Path) -> None:
    build_index(small_corpus, embedder)
    (small_corpus.home / "feedback.sqlite3").write_bytes(b"feedback rows")
    ids = sorted(open_collection(small_corpus).get()["ids"])
    archive = tmp_path / "backup.tar.gz"
    assert export_backup(small_corpus, archive) == ["chroma", "docstores", "feedback.sqlite3"]
    restored = Settings(home=tmp_path / "restored", corpus=small_corpus.corpus, embed_model=small_corpus.embed_model)
    import_backup(restored, archive)
    assert sorted(open_collection(restored).get()["ids"]) == ids
    assert (restored.home / "feedback.sqlite3").read_bytes() == b"feedback rows"
    assert KnowledgeBase(restored, embedder).ask("KITA").citations
    with pytest.raises(KyodoError, match="already holds an index: pass --force"):
        import_backup(restored, archive)
    assert build_index(restored, embedder).unchanged == 12


def test_import_refuses_an_archive_that_is_not_a_backup(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        (tmp_path / "x").write_text("x")
        tar.add(tmp_path / "x", arcname="../../etc/x")
    with pytest.raises(KyodoError, match="not a Kyodo backup"):
        import_backup(Settings(home=tmp_path / "home"), archive)


def test_maintain_tab_replaces_a_case_only_when_the_box_is_ticked(small_corpus: Settings, tmp_path: Path) -> None:
    english = small_corpus.corpus / "cases/iges-bago-cebu-composting/en.md"
    before = english.read_bytes()
    upload = tmp_path / "en.md"
    upload.write_text(before.decode().replace("title: Promoting", "title: Advancing"), encoding="utf-8")
    with serving(replace(small_corpus, admin_password="kitakyushu-2026")) as served:
        client = Client(served.url, verbose=False)
        client.predict("admin", "kitakyushu-2026", api_name="/login")
        rows, summary = client.predict([handle_file(str(upload))], False, api_name="/add_documents")
        assert rows["data"] == [["en.md", "rejected", "en.md: case 'iges-bago-cebu-composting' already has "
                                 "cases/iges-bago-cebu-composting/en.md: tick 'Replace an existing case or document' "
                                 "to replace it (or give the new case its own id)"]]
        assert summary == "" and english.read_bytes() == before
        rows, summary = client.predict([handle_file(str(upload))], True, api_name="/add_documents")
        assert rows["data"] == [["en.md", "added", "cases/iges-bago-cebu-composting/en.md (replaced)"]]
        assert summary.startswith("Index: added 0, updated 1, unchanged 11") and english.read_bytes() == upload.read_bytes()
