"""The write path on a real Chroma with the real model: incremental, idempotent, and robust to bad files."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.pipeline import build_index
from kb.keyword import KeywordIndex, keyword_folder
from kb.retrieve import HybridRetriever
from kb.settings import Settings
from kb.store import open_collection
from tests.pdfs import make_pdf


def test_reindex_of_unchanged_corpus_changes_nothing(store_corpus: Settings, embedder) -> None:
    first = build_index(store_corpus, embedder)
    assert (first.added, first.updated, first.removed, len(first.failed)) == (12, 0, 0, 0)
    ids_before = set(open_collection(store_corpus).get()["ids"])
    second = build_index(store_corpus, embedder)
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 12, 0)
    assert set(open_collection(store_corpus).get()["ids"]) == ids_before
    assert second.chunks == first.chunks


def test_the_same_corpus_by_a_relative_absolute_or_symlinked_path_reembeds_nothing(
        small_corpus: Settings, embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = small_corpus.corpus / "documents"
    documents.mkdir()
    (documents / "notes.txt").write_text("Catatan Surabaya\n\nSurabaya membagikan keranjang kompos.\n", encoding="utf-8")
    assert build_index(small_corpus, embedder).added == 13  # absolute, as the fixture gives it
    monkeypatch.chdir(small_corpus.corpus.parent)
    link = small_corpus.corpus.parent / "linked-corpus"
    link.symlink_to(small_corpus.corpus, target_is_directory=True)
    for spelling in (Path("corpus"), Path("linked-corpus"), Path("./corpus/../corpus")):
        report = build_index(replace(small_corpus, corpus=spelling), embedder)
        assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 13, 0), spelling


def test_deleted_document_disappears_from_the_index(store_corpus: Settings, embedder) -> None:
    build_index(store_corpus, embedder)
    (store_corpus.corpus / "cases/dalian-oda-master-plan/th.md").unlink()
    report = build_index(store_corpus, embedder)
    assert report.removed == 1
    metas = open_collection(store_corpus).get(include=["metadatas"])["metadatas"]
    assert not [m for m in metas if m["doc"] == "dalian-oda-master-plan" and m["lang"] == "th"]
    assert [m for m in metas if m["doc"] == "dalian-oda-master-plan" and m["lang"] == "ja"]


def test_edited_document_is_reembedded_and_others_are_not(store_corpus: Settings, embedder) -> None:
    build_index(store_corpus, embedder)
    path = store_corpus.corpus / "cases/iges-bago-cebu-composting/id.md"
    path.write_text(path.read_text(encoding="utf-8").replace("1 ton", "3 ton"), encoding="utf-8")
    report = build_index(store_corpus, embedder)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 11)
    texts = open_collection(store_corpus).get(where={"lang": "id"})["documents"]
    assert any("3 ton" in t for t in texts) and not any("1 ton sampah" in t for t in texts)


def test_broken_files_are_skipped_by_name_and_the_rest_is_indexed(store_corpus: Settings, embedder) -> None:
    build_index(store_corpus, embedder)
    broken = store_corpus.corpus / "cases/kita-international-training/th.md"
    broken.write_text("---\ntitle: [unclosed\n---\n\nข้อความ\n", encoding="utf-8")
    binary = store_corpus.corpus / "cases/new-case/ja.md"
    binary.parent.mkdir()
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    report = build_index(store_corpus, embedder)
    failed = dict(report.failed)
    assert set(failed) == {str(broken), str(binary)}
    assert "front matter is not valid YAML" in failed[str(broken)]
    assert "not UTF-8" in failed[str(binary)]
    # The broken edit does not take the last good Thai version out of service.
    metas = open_collection(store_corpus).get(include=["metadatas"])["metadatas"]
    assert [m for m in metas if m["doc"] == "kita-international-training" and m["lang"] == "th"]
    assert report.removed == 0


def test_text_html_docx_and_pdf_documents_are_read_and_indexed(store_corpus: Settings, embedder) -> None:
    docs = store_corpus.corpus / "documents"
    docs.mkdir()
    (docs / "notes.txt").write_text("Catatan Surabaya\n\nSurabaya membagikan keranjang kompos kepada warga.\n", encoding="utf-8")
    (docs / "page.html").write_text("<html><body><h1>Cebu</h1><p>Cebu planted 800 trees near Buhisan.</p></body></html>",
                                    encoding="utf-8")
    _write_docx(docs / "memo.docx", "โรงงานต้นแบบในไฮฟอง ได้รับการสนับสนุนด้านการผลิตที่สะอาด")
    (docs / "scan.pdf").write_bytes(make_pdf(["Semarang recycles plastic bottles since 2010."]))
    (docs / "empty.pdf").write_bytes(make_pdf([""]))
    report = build_index(store_corpus, embedder)
    assert [Path(p).name for p, _ in report.failed] == ["empty.pdf"]
    assert "no text layer" in report.failed[0][1]
    metas = open_collection(store_corpus).get(include=["metadatas", "documents"])
    by_doc = {m["doc"]: (m["lang"], t) for m, t in zip(metas["metadatas"], metas["documents"])}
    assert by_doc["documents-notes"][0] == "id"
    assert "800 trees" in by_doc["documents-page"][1]
    assert by_doc["documents-memo"][0] == "th"
    assert "plastic bottles" in by_doc["documents-scan"][1]


def _write_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    assert zipfile.is_zipfile(path)


def test_the_indexer_saves_the_keyword_index_that_readers_map_and_a_reader_rebuilds_a_missing_one(
        store_corpus: Settings, embedder) -> None:
    build_index(store_corpus, embedder)
    generation = open_collection(store_corpus).name
    folder = keyword_folder(store_corpus, generation)
    saved = KeywordIndex.load(folder)
    assert saved is not None and len(saved.ids) == open_collection(store_corpus).count()
    retriever = HybridRetriever(store_corpus, embedder, [])
    top = retriever.ranked("ปุ๋ยหมัก ตลาด Bago", "th", mode="keyword")[0][0]
    assert retriever.chunk(top).lang == "th"
    shutil.rmtree(folder)
    rebuilt = HybridRetriever(store_corpus, embedder, [])
    assert rebuilt.ranked("ปุ๋ยหมัก ตลาด Bago", "th", mode="keyword")[0][0] == top
    assert KeywordIndex.load(folder) is not None  # saved by the reader that built it
