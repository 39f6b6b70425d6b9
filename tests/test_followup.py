"""Follow-up questions made standalone (kb.followup) on real questions in ja/en/id/th, with the corpus glossary."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from kb.followup import TURNS, named, standalone
from kb.glossary import load_glossary
from kb.tokens import tokenize
from tests.conftest import CORPUS

GLOSSARY = load_glossary(CORPUS / "glossary.yaml")
BAGO = {
    "en": "How much market waste does Bago compost a day?",
    "id": "Berapa ton sampah pasar yang dikomposkan pusat kompos Bago setiap hari?",
    "ja": "バゴ市のコンポスト・センターでは一日に何トンの市場ごみをコンポスト化していますか？",
    "th": "ศูนย์ปุ๋ยหมักของเมืองบาโกทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน",
}


def ask(question: str, *history: str, lang: str) -> str:
    return standalone(question, list(history), lang, GLOSSARY)


@pytest.mark.parametrize("lang, followup, searched", [
    ("en", "And in Cebu?", "How much market waste does Cebu compost a day?"),
    ("en", "What about Cebu City?", "How much market waste does Cebu City compost a day?"),
    ("id", "Bagaimana dengan Cebu?", "Berapa ton sampah pasar yang dikomposkan pusat kompos Cebu setiap hari?"),
    ("id", "Kalau di Kota Cebu?", "Berapa ton sampah pasar yang dikomposkan pusat kompos Kota Cebu setiap hari?"),
    ("ja", "セブ市は？", "セブ市のコンポスト・センターでは一日に何トンの市場ごみをコンポスト化していますか？"),
    ("ja", "では、セブではどうですか", "セブのコンポスト・センターでは一日に何トンの市場ごみをコンポスト化していますか？"),
    ("th", "แล้วเซบูล่ะ", "ศูนย์ปุ๋ยหมักของเซบูทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน"),
    ("ja", "天津市とは？", "天津市のコンポスト・センターでは一日に何トンの市場ごみをコンポスト化していますか？"),
    ("th", "แล้วจากแคนดีล่ะ", "ศูนย์ปุ๋ยหมักของแคนดีทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน"),
    ("th", "แล้วเมืองเซบูล่ะครับ", "ศูนย์ปุ๋ยหมักของเมืองเซบูทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน"),
])
def test_a_new_place_that_asks_nothing_asks_the_previous_question_about_it(lang: str, followup: str,
                                                                           searched: str) -> None:
    assert ask(followup, BAGO[lang], lang=lang) == searched


@pytest.mark.parametrize("lang, followup, searched", [
    ("en", "Who funded it?", "Who funded it? (Bago)"),
    ("id", "Siapa yang mendanainya?", "Siapa yang mendanainya? (Bago)"),
    ("ja", "誰が資金を出しましたか？", "誰が資金を出しましたか？（バゴ市）"),
    ("th", "ใครเป็นผู้ให้ทุน", "ใครเป็นผู้ให้ทุน (เมืองบาโก)"),
])
def test_a_question_naming_nothing_keeps_the_previous_named_things(lang: str, followup: str, searched: str) -> None:
    assert ask(followup, BAGO[lang], lang=lang) == searched


@pytest.mark.parametrize("lang, question", [
    ("en", "How did Surabaya cut its waste?"),
    ("id", "Bagaimana Surabaya mengurangi sampahnya?"),
    ("ja", "スラバヤ市はどのようにごみを減らしましたか？"),
    ("th", "สุราบายาลดปริมาณขยะได้อย่างไร"),
    ("en", "How many trainees did KITA accept in FY2008?"),
])
def test_a_complete_question_is_left_alone(lang: str, question: str) -> None:
    assert ask(question, BAGO[lang], lang=lang) == question


def test_each_turn_is_made_standalone_before_the_next_leans_on_it() -> None:
    assert ask("Who runs it there?", BAGO["en"], "And in Cebu?", lang="en") == "Who runs it there? (Cebu)"
    assert ask("แล้วกรุงเทพฯ ล่ะ", BAGO["th"], "ใครเป็นผู้ให้ทุน", lang="th") == "ใครเป็นผู้ให้ทุน (กรุงเทพฯ)"


def test_only_the_last_turns_count() -> None:
    old = ["Who funded it?"] * TURNS
    assert ask("And in Cebu?", BAGO["en"], *old, lang="en") == "And in Cebu?"
    assert ask("And in Cebu?", BAGO["en"], *old[1:], lang="en") == "Who funded it? (Cebu)"


def test_a_year_or_organisation_replaces_its_own_kind() -> None:
    first = "How many trainees did KITA accept in FY2008?"
    assert ask("And in FY2009?", first, lang="en") == "How many trainees did KITA accept in FY2009?"
    assert ask("And JICA?", first, lang="en") == "How many trainees did JICA accept in FY2008?"
    assert ask("平成21年度は？", "KITAは平成20年度に何人の研修員を受け入れましたか？", lang="ja") == \
        "KITAは平成21年度に何人の研修員を受け入れましたか？"


def test_the_city_every_case_is_about_stays_when_the_place_changes() -> None:
    assert ask("And Bangkok?", "How did Kitakyushu help Surabaya with composting?", lang="en") == \
        "How did Kitakyushu help Bangkok with composting?"
    assert ask("What did Kitakyushu do there?", "How did Surabaya reduce its waste?", lang="en") == \
        "What did Kitakyushu do there? (Surabaya)"


def written(text: str) -> list[str]:
    return [text[n.start:n.end] for n in named(text, GLOSSARY)]


def test_names_are_found_without_spaces_in_thai_and_japanese_with_the_words_that_belong_to_them() -> None:
    assert written("แล้วเซบูกับเมืองบาโกล่ะ") == ["เซบู", "เมืองบาโก"]
    assert written("北九州市はバゴ市とセブで何をしましたか") == ["北九州市", "バゴ市", "セブ"]
    assert written("Kota Cebu dan Bago City, dan MCED5は") == ["Kota Cebu", "Bago City", "MCED5"]


def test_the_city_every_case_is_about_names_no_case() -> None:
    assert ask("How many trainees did Kitakyushu receive from there?", "Why is Kunming developing its sewerage system?",
               lang="en") == "How many trainees did Kitakyushu receive from there? (Kunming)"
    assert ask("Berapa peserta pelatihan dari sana yang diterima Kitakyushu?",
               "Mengapa Kunming membangun sistem saluran air limbahnya?", lang="id") == \
        "Berapa peserta pelatihan dari sana yang diterima Kitakyushu? (Kunming)"


def test_no_history_changes_nothing() -> None:
    assert ask("And in Cebu?", lang="en") == "And in Cebu?"


@pytest.fixture(scope="module")
def idf() -> dict[str, dict[str, float]]:
    """Inverse document frequency of the corpus's keyword tokens per language, as the served index has it."""
    table: dict[str, dict[str, float]] = {}
    for lang in ("en", "ja", "th"):
        paragraphs = [set(tokenize(p, lang)) for f in sorted(CORPUS.glob(f"cases/*/{lang}.md"))
                      for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        counts = Counter(token for tokens in paragraphs for token in tokens)
        table[lang] = {token: math.log(1 + len(paragraphs) / n) for token, n in counts.items()}
    return table


@pytest.mark.parametrize("lang, first, second, about", [
    ("en", "How many city staff has Kitakyushu dispatched abroad as experts?", "To how many countries?",
     ["staff", "abroad", "experts"]),
    ("ja", "北九州市はこれまでに何人の職員を専門家として海外に派遣しましたか？", "何カ国にですか？", ["職員", "専門"]),
    ("th", "นครคิตะกีวชูส่งเจ้าหน้าที่ไปเป็นผู้เชี่ยวชาญในต่างประเทศแล้วกี่คน", "ไปกี่ประเทศ", ["เจ้าหน้าที่", "ผู้เชี่ยวชาญ"]),
])
def test_a_question_naming_nothing_keeps_what_the_previous_one_was_about(
        idf: dict[str, dict[str, float]], lang: str, first: str, second: str, about: list[str]) -> None:
    searched = standalone(second, [first], lang, GLOSSARY, idf)
    assert searched.startswith(second) and all(word in searched[len(second):] for word in about), searched
    assert not any(asked in searched[len(second):] for asked in ("How many", "何人", "กี่")), searched
