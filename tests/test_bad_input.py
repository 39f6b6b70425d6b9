"""Bad input gets a clear message, loses nothing, and the service keeps answering (README: 'Bad input')."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.pipeline import build_index
from kb.errors import InputError
from kb.service import KnowledgeBase
from kb.settings import Settings
from kb.store import open_collection
from tests.pdfs import make_pdf
from ui.backend import Turn
from ui.render import thread_html


@pytest.fixture(scope="module")
def kb(full_index: Settings) -> KnowledgeBase:
    return KnowledgeBase(full_index)


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x07\x1b"])
def test_empty_or_blank_question_is_refused_with_a_message(kb: KnowledgeBase, question: str) -> None:
    with pytest.raises(InputError, match="The question is empty: type a question about the case studies"):
        kb.ask(question)


def test_a_100_kb_question_is_answered_from_its_first_2000_characters(kb: KnowledgeBase) -> None:
    head = "How much market waste does Bago compost per day?"
    # After the control character and the spaces before it are dropped, character 2,000 is the last "Q" and
    # the marker starts at character 2,001: the cut must keep the one and lose the other.
    kept = head + " compost" * ((1999 - len(head)) // 8)
    kept += "." * (1999 - len(kept)) + "Q"
    started = time.perf_counter()
    answer = kb.ask(" \x07 " + kept + "CUT-MARKER" + "x" * 100_000)
    assert time.perf_counter() - started < 30
    assert len(kept) == 2000 and answer.question == kept
    assert "CUT-MARKER" not in answer.question and answer.timings_ms["total"] > 0


def test_control_characters_and_undecodable_bytes_are_dropped(kb: KnowledgeBase) -> None:
    broken = b"Bago \xff\xfe compost\x1b[31m".decode("utf-8", "surrogateescape")
    answer = kb.ask(broken)
    assert answer.citations and answer.citations[0].doc_id == "iges-bago-cebu-composting"


@pytest.mark.parametrize("question", ["<script>alert('x')</script> How does Bago compost market waste?",
                                      "How does Bago compost market waste'; DROP TABLE embeddings; --"])
def test_markup_and_sql_looking_questions_are_just_text(kb: KnowledgeBase, question: str) -> None:
    chunks = open_collection(kb.settings).count()
    answer = kb.ask(question)
    assert answer.question == question
    assert answer.citations[0].doc_id == "iges-bago-cebu-composting"  # the words around the markup still count
    assert open_collection(kb.settings).count() == chunks  # nothing was run: Chroma's own table is intact


def test_script_in_a_corpus_document_and_a_question_is_shown_escaped_on_the_page(tmp_path: Path, model_path: Path,
                                                                                embedder) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "documents" / "bago-notice.txt").write_text(
        "Bago compost centre notice\n\nThe Bago compost centre turns 1 tonne of market waste into compost every "
        "day <script>alert('doc')</script> and sells it to farmers.\n", encoding="utf-8")
    settings = replace(Settings(), home=tmp_path / "home", corpus=corpus, embed_model=str(model_path))
    build_index(settings, embedder)
    question = "<script>alert('q')</script> How much market waste does the Bago compost centre turn into compost?"
    answer = KnowledgeBase(settings, embedder).ask(question, lang="en")
    # The quoted sentence carries the markup as text, as it should: the page is where it must not run.
    assert "<script>alert('doc')</script>" in answer.answer and answer.citations
    page = thread_html([Turn(1, question, "en", answer=answer, seconds=0.1)], None, "en")
    assert "<script" not in page.lower()
    assert page.count("&lt;script&gt;alert(&#x27;doc&#x27;)&lt;/script&gt;") >= 2  # the answer and the card's passage
    assert "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in page  # the question bubble


@pytest.mark.parametrize(("question", "detected"), [
    ("ما هي كمية النفايات التي تحولها باغو إلى سماد كل يوم؟", "ar"),
    ("Quelle quantité de déchets du marché la ville de Bago composte-t-elle chaque jour ?", "fr"),
])
def test_unsupported_languages_get_english_with_a_note(kb: KnowledgeBase, question: str, detected: str) -> None:
    answer = kb.ask(question)
    assert answer.language == "en"
    assert answer.note.startswith("Kyodo answers in Japanese, English, Indonesian and Thai") and detected in answer.note


def test_broken_zero_byte_binary_and_long_pdf_files_in_the_corpus(small_corpus: Settings, embedder) -> None:
    build_index(small_corpus, embedder)
    cases = small_corpus.corpus / "cases"
    (cases / "dalian-oda-master-plan/en.md").write_text("---\nid: dalian-oda-master-plan\ntitle: [\n---\n", encoding="utf-8")
    (cases / "zero").mkdir()
    (cases / "zero/ja.md").write_bytes(b"")
    (cases / "binary").mkdir()
    (cases / "binary/th.md").write_bytes(bytes(range(256)))
    documents = small_corpus.corpus / "documents"
    documents.mkdir()
    pages = [f"Page {n}: Chonburi training session {n} on waste sorting for 6 cities." for n in range(1, 201)]
    (documents / "long-report.pdf").write_bytes(make_pdf(pages))
    report = build_index(small_corpus, embedder)
    failed = {Path(path).relative_to(small_corpus.corpus).as_posix(): reason for path, reason in report.failed}
    assert set(failed) == {"cases/dalian-oda-master-plan/en.md", "cases/zero/ja.md", "cases/binary/th.md"}
    assert "front matter is not valid YAML" in failed["cases/dalian-oda-master-plan/en.md"]
    assert "no front matter" in failed["cases/zero/ja.md"]
    assert "not UTF-8" in failed["cases/binary/th.md"]
    assert report.added == 1 and report.removed == 0
    kb = KnowledgeBase(small_corpus, embedder)
    assert kb.ask("When did Dalian receive the Global 500 award?", lang="en").citations[0].doc_id == "dalian-oda-master-plan"
    hit = kb.search("Chonburi training session 137 waste sorting")[1][0]
    assert hit.best.chunk.doc_id == "documents-long-report"
