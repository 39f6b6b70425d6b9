"""Language detection on short questions (evals/langid.yaml), and what the CLI and the page do with it."""

from __future__ import annotations

import shutil
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from evals.langid import Score, load, measure
from indexer.pipeline import build_index
from kb.language import detect_language
from kb.messages import message
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings
from ui.backend import Backend

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TOLD_APART_FROM_JAPANESE = ("zh", "ko", "vi")
CHINESE = ("北九州市在宿务做了什么？", "北九州市在宿務做了什麼？")


@pytest.fixture(scope="module")
def score() -> Score:
    return measure(detect_language, load())


def below(score: Score, langs: tuple[str, ...], threshold: float) -> str:
    """Empty when every language in ``langs`` reaches ``threshold``; else what fell short and why."""
    low = {lang: round(score.accuracy[lang], 3) for lang in langs if score.accuracy[lang] < threshold}
    wrong = [f"{q!r}: expected {lang}, got {d.lang} (detected {d.detected})"
             for lang, q, d in score.wrong if lang in low]
    return f"under {threshold}: {low}\n" + "\n".join(wrong) if low else ""


def test_short_questions_in_the_served_languages_are_detected(score: Score) -> None:
    assert not (problem := below(score, LANGUAGES, 0.99)), problem


def test_chinese_korean_and_vietnamese_are_told_apart_from_japanese(score: Score) -> None:
    assert not (problem := below(score, TOLD_APART_FROM_JAPANESE, 0.95)), problem


def test_other_common_languages_get_the_unsupported_note(score: Score) -> None:
    others = tuple(lang for lang in score.accuracy if lang not in LANGUAGES + TOLD_APART_FROM_JAPANESE)
    assert not (problem := below(score, others, 0.9)), problem


def test_no_wrong_detection_is_sure_enough_to_switch_the_page(score: Score) -> None:
    sure = [(lang, q, d) for lang, q, d in score.wrong if d.confident]
    assert not sure, f"wrong and confident: {sure}"


@pytest.mark.parametrize(("question", "lang"), [
    ("And in Cebu?", "en"), ("What did Kitakyushu do in Cebu?", "en"), ("Who funded it?", "en"),
    ("Bagaimana dengan Cebu?", "id"), ("Berapa biayanya?", "id"),
])
def test_short_follow_ups_are_detected(question: str, lang: str) -> None:
    detection = detect_language(question)
    assert (detection.lang, detection.supported) == (lang, True), detection


@pytest.mark.parametrize("question", CHINESE)
def test_chinese_is_unsupported_not_japanese(question: str) -> None:
    detection = detect_language(question)
    assert (detection.lang, detection.supported, detection.detected) == ("en", False, "zh"), detection


@pytest.mark.parametrize("question", ["北九州市研修員数", "北九州市の研修員数", "大連環境模範地区計画"])
def test_kanji_only_japanese_stays_japanese(question: str) -> None:
    detection = detect_language(question)
    assert (detection.lang, detection.supported) == ("ja", True), detection


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory, model_path: Path, embedder) -> Backend:
    """The real service and page backend over one real case (Bago and Cebu), indexed with the real model."""
    root = tmp_path_factory.mktemp("language")
    case = Path("cases") / "iges-bago-cebu-composting"
    shutil.copytree(CORPUS / case, root / "corpus" / case)
    shutil.copy(CORPUS / "glossary.yaml", root / "corpus" / "glossary.yaml")
    settings = replace(Settings(), home=root / "home", corpus=root / "corpus", embed_model=str(model_path))
    build_index(settings, embedder)
    return Backend(settings, kb=KnowledgeBase(settings, embedder))


def test_the_cli_answers_the_issue_examples_in_english(backend: Backend) -> None:
    for question in ("And in Cebu?", "What did Kitakyushu do in Cebu?"):
        answer = backend.kb.ask(question)
        assert answer.language == "en" and not answer.note, (question, answer.language, answer.note)


def test_a_chinese_question_gets_english_and_a_note_naming_chinese(backend: Backend) -> None:
    answer = backend.kb.ask(CHINESE[0])
    assert answer.language == "en"
    assert answer.note.startswith("Kyodo answers in Japanese, English, Indonesian and Thai") and "zh" in answer.note
    turn = backend.ask(1, CHINESE[1], "auto", "ja")
    assert (turn.lang, turn.answer.language) == ("ja", "en"), "the page stays Japanese, the answer is English"
    assert turn.notes and "中国語" in turn.notes[0], turn.notes


def test_an_ambiguous_question_keeps_the_page_language(backend: Backend) -> None:
    for page in ("en", "th"):
        turn = backend.ask(1, "And in Cebu?", "auto", page)
        assert (turn.lang, turn.answer.language) == (page, page), f"page {page}: {turn.lang}, {turn.answer.language}"
        assert not turn.notes, turn.notes


def test_a_sure_detection_still_switches_the_page(backend: Backend) -> None:
    turn = backend.ask(1, "How many household compost baskets were given out for free in Cebu City?", "auto", "th")
    assert (turn.lang, turn.answer.language) == ("en", "en")


def test_the_answer_carries_its_detection_cut_and_note_keys_and_the_page_renders_them_in_its_language(
        backend: Backend) -> None:
    question = CHINESE[0] + " " + "北九州" * 1000  # Chinese, and cut to its first 2,000 characters
    answer = backend.kb.ask(question)
    assert (answer.detection.detected, answer.detection.supported, answer.truncated) == ("zh", False, True)
    assert [(n.key, n.values) for n in answer.notes] == [
        ("too_long", {"chars": f"{len(question):,}", "limit": "2,000"}), ("unsupported", {"detected": "zh"})]
    assert answer.to_json()["note"] == message("unsupported", "en", detected="zh"), "--json's note is unchanged"
    with pytest.raises(FrozenInstanceError):
        setattr(answer, "answer", "changed")
    turn = backend.ask(1, question, "auto", "th")
    assert turn.notes == [message("too_long", "th", chars=f"{len(question):,}", limit="2,000"),
                          "Kyodo ตอบเป็นภาษาญี่ปุ่น อังกฤษ อินโดนีเซีย และไทย คำถามของคุณดูเหมือนเป็นภาษาจีน "
                          "จึงตอบเป็นภาษาอังกฤษ"], turn.notes


def test_a_guessed_language_is_answered_in_the_language_kb_is_given_for_it(backend: Backend) -> None:
    *_, answer = backend.kb.ask_stream("And in Cebu?", unsure_lang="th")
    assert (answer.language, answer.detection.lang, answer.detection.confident) == ("th", "en", False)
    *_, sure = backend.kb.ask_stream("How many household compost baskets were given out in Cebu?", unsure_lang="th")
    assert sure.language == "en" and not sure.notes
