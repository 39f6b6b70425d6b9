"""Follow-up questions on the real page, served on a loopback port and driven with gradio_client: a Thai and a
Japanese two-turn conversation, "Searched as" under the answer, "New conversation", and two browsers kept apart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from kb.settings import Settings
from tests.conftest import CORPUS
from tests.ui_server import Served, serving
from ui.texts import text

CASES = ("iges-bago-cebu-composting", "dalian-oda-master-plan", "kita-international-training")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[Served]:
    """Three real cases, indexed on the first start as ``kyodo serve`` does, behind the real page."""
    root = tmp_path_factory.mktemp("followup_ui")
    for case in CASES:
        shutil.copytree(CORPUS / "cases" / case, root / "corpus" / "cases" / case)
    shutil.copy(CORPUS / "glossary.yaml", root / "corpus" / "glossary.yaml")
    settings = Settings(home=root / "home", corpus=root / "corpus", embed_model=str(model_path))
    with serving(settings) as running:
        yield running


def ask(client: Client, question: str) -> tuple[str, dict]:
    """Ask through the page's /ask endpoint in this client's session: the thread's HTML and the answer record."""
    thread, _question, answer, *_ = client.predict(question, "auto", [], [], [], api_name="/ask")
    return thread, answer


@pytest.mark.parametrize("lang, first, second, searched", [
    ("th", "ศูนย์ปุ๋ยหมักของเมืองบาโกทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน", "แล้วเซบูล่ะ",
     "ศูนย์ปุ๋ยหมักของเซบูทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน"),
    ("ja", "セブ市では家庭用コンポスト・バスケットがいくつ配布されましたか？", "誰が配布したのですか？",
     "誰が配布したのですか？（セブ市"),
])
def test_a_two_turn_conversation_answers_the_follow_up_and_says_what_was_searched(
        served: Served, lang: str, first: str, second: str, searched: str) -> None:
    client = Client(served.url, verbose=False)
    thread, answer = ask(client, first)
    assert answer["searched"] == first and 'class="k-searched"' not in thread
    thread, answer = ask(client, second)
    assert answer["question"] == second and answer["searched"].startswith(searched), answer["searched"]
    assert answer["language"] == lang and answer["citations"][0]["doc_id"] == "iges-bago-cebu-composting"
    assert thread.count('class="k-turn"') == 2
    line = text("searched_as", lang, question=answer["searched"]).split(answer["searched"])[0]
    assert thread.count('class="k-searched"') == 1 and f'<p class="k-searched">{line}' in thread
    if lang == "ja":
        assert "パグタンバヤヨン財団" in answer["answer"], answer["answer"]


def test_two_browsers_keep_their_own_conversations_until_one_starts_a_new_one(served: Served) -> None:
    first, second = Client(served.url, verbose=False), Client(served.url, verbose=False)
    ask(first, "How much market waste does Bago compost a day?")
    _, elsewhere = ask(second, "And in Cebu?")
    assert elsewhere["searched"] == "And in Cebu?", "another browser's question must not become this one's history"
    _, here = ask(first, "And in Cebu?")
    assert here["searched"] == "How much market waste does Cebu compost a day?"
    thread, *_ = first.predict(api_name="/new_conversation")
    assert 'class="k-turn"' not in thread and text("intro", "en") in thread
    thread, fresh = ask(first, "Who distributed them?")
    assert fresh["searched"] == "Who distributed them?" and thread.count('class="k-turn"') == 1
