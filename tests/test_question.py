"""Question analysis on real questions in four languages: the type of fact asked, places, units, labels."""

from __future__ import annotations

import pytest

from kb.labels import is_label
from kb.mentions import Mentions
from kb.places import gazetteer
from kb.question import after_year, analyse, asked
from kb.thai_sentences import thai_sentences
from kb.units import asked_unit, counts
from tests.conftest import CORPUS

TYPES = [
    ("How much did it cost to build Bago's compost centre?", "en", "money"),
    ("バゴ市のコンポスト・センターの建設費はいくらでしたか？", "ja", "money"),
    ("Berapa biaya pembangunan pusat kompos di Bago?", "id", "money"),
    ("การสร้างศูนย์ปุ๋ยหมักของเมืองบาโกใช้งบประมาณเท่าไร", "th", "money"),
    ("How many trainees did KITA accept in FY2008?", "en", "count"),
    ("KITAは平成20年度に何人の研修員を受け入れましたか？", "ja", "count"),
    ("ในปีงบประมาณ 2008 KITA รับผู้เข้ารับการฝึกอบรมกี่คน", "th", "count"),  # ปีงบประมาณ is a fiscal year, not money
    ("Berapa persen sampah berkurang di Semarang?", "id", "percent"),
    ("ต้นไม้ที่ปลูกรอบอ่างเก็บน้ำบูฮีซันรอดตายกี่เปอร์เซ็นต์", "th", "percent"),
    ("How many weeks did the Kunming trainees stay?", "en", "duration"),
    ("昆明市の研修員は北九州に何週間滞在しましたか？", "ja", "duration"),
    ("When was the model compost centre in Bangkok set up?", "en", "year"),
    ("ศูนย์ปุ๋ยหมักต้นแบบในกรุงเทพมหานครจัดตั้งขึ้นเมื่อใด", "th", "year"),
    ("Kapan pusat pengomposan percontohan di Bangkok didirikan?", "id", "year"),
    ("What is the name of the Kitakyushu mayor who received the award?", "en", "person"),
    ("北九州国際技術協力協会（KITA）の理事長は誰でしたか？", "ja", "person"),
    ("In the Semarang project, which local NGO was the partner?", "en", "organisation"),
    ("ในโครงการที่เซอมารัง ได้ร่วมมือกับองค์กรพัฒนาเอกชนใด", "th", "organisation"),
    ("セブ市では何世帯がごみを分別していますか？", "ja", "count"),
    ("ハイフォン市のモデル工場に選ばれた会社の名前は何ですか？", "ja", "company"),
    ("Which brewery was chosen as a model factory in Haiphong?", "en", "company"),
    ("Which company recycling theme was studied with Tianjin?", "en", "fact"),  # a theme, not a company
    ("Which Japanese companies took part in the Qingdao eco-town project?", "en", "company"),
    ("Who chaired MCED5?", "en", "person"),
    ("ผู้อำนวยการ KITA ชื่ออะไร", "th", "person"),
    ("青島市で家電リサイクル工場を建てた会社はどこですか？", "ja", "company"),
    ("天津市とのエコタウン協力は何年まで続きましたか？", "ja", "year"),
    ("How much did the Kunming sewerage loan amount to?", "en", "money"),
    ("ใครเป็นประธานของสมาคมความร่วมมือทางเทคนิคระหว่างประเทศคิตะกีวชู", "th", "person"),
    ("Who funded it?", "en", "agent"),
    ("Di mana MCED5 diselenggarakan?", "id", "place"),
    ("Why does Kunming lay sewer pipes?", "en", "reason"),
    ("Bagaimana Kota Bago memulai pusat pengomposannya?", "id", "method"),
    ("Bago ทำปุ๋ยหมักอย่างไร", "th", "method"),
    ("Tell me about the Kitakyushu Initiative.", "en", "fact"),
]


@pytest.mark.parametrize(("question", "lang", "kind"), TYPES)
def test_question_type_is_recognised_in_every_language(question: str, lang: str, kind: str) -> None:
    assert asked(question, lang) == kind


@pytest.mark.parametrize(("question", "lang", "place"), [
    ("How much waste does Da Nang compost each day?", "en", "Da Nang"),
    ("ダナン市では一日に何トンのごみを堆肥にしていますか？", "ja", "Da Nang"),
    ("Ceritakan tentang proyek persampahan Kitakyushu di Kenya.", "id", "Kenya"),
    ("ขอข้อมูลโครงการจัดการขยะของคิตะกีวชูในเคนยา", "th", "Kenya"),
    ("北九州市はウランバートル市から何人の研修員を受け入れましたか？", "ja", "Ulan Bator"),
])
def test_a_place_no_case_mentions_is_found_and_unknown(question: str, lang: str, place: str) -> None:
    corpus = Mentions(path.read_text(encoding="utf-8") for path in CORPUS.glob("cases/*/*.md"))
    unknown = [p.name("en") for p in analyse(question, lang).places if not corpus.mentions(p)]
    assert unknown == [place]


@pytest.mark.parametrize(("question", "lang", "name"), [
    ("ที่เมืองดาเวาแจกตะกร้าปุ๋ยหมักไปกี่ใบ", "th", "ดาเวา"),  # no Thai name in GeoNames: the title เมือง shows it
    ("นครดานังได้รับความร่วมมืออะไรจากคิตะกีวชู", "th", "ดานัง"),
    ("คิตะกีวชูช่วยเมืองต่าง ๆ รับมือกับโควิด-19 อย่างไร", "th", "โควิด-19"),  # a code in Thai letters
    ("Kitakyushu membantu kota-kota Asia menghadapi COVID-19 dengan cara apa?", "id", "COVID-19"),
])
def test_a_name_no_list_holds_is_found_and_unknown(question: str, lang: str, name: str) -> None:
    corpus = Mentions(path.read_text(encoding="utf-8") for path in CORPUS.glob("cases/*/*.md"))
    assert [code for code in analyse(question, lang).codes if not corpus.writes(code)] == [name]


def test_names_after_thai_titles_that_the_cases_write_are_known() -> None:
    corpus = Mentions(path.read_text(encoding="utf-8") for path in CORPUS.glob("cases/*/*.md"))
    for question in ["เมืองบาโกทำปุ๋ยหมักอย่างไร", "นครคุนหมิงส่งผู้ฝึกอบรมกี่คน", "เมืองใดในจีนร่วมมือกับคิตะกีวชู",
                     "เมืองเซบูแจกตะกร้ากี่ใบ", "เมืองเซอมารังปรับปรุงการจัดการขยะอย่างไร"]:
        assert all(corpus.writes(code) for code in analyse(question, "th").codes), question


@pytest.mark.parametrize(("question", "lang", "year"), [
    ("What replaced the Kitakyushu Initiative after 2010?", "en", "2010"),
    ("平成22年以降、北九州イニシアティブの活動はどうなりましたか？", "ja", "2010"),
    ("Apa yang terjadi pada jaringan itu setelah tahun 2010?", "id", "2010"),
    ("หลังปี 2010 โครงการริเริ่มคิตะกีวชูเป็นอย่างไร", "th", "2010"),
    ("When did the Kitakyushu Initiative end?", "en", None),
    ("平成22年まで何をしましたか？", "ja", None),
])
def test_a_question_about_what_happened_after_a_year_names_that_year(question: str, lang: str,
                                                                     year: str | None) -> None:
    assert after_year(question, lang) == year


@pytest.mark.parametrize(("question", "lang", "plans"), [
    ("When did the Asian Low Carbon Center open?", "en", False),
    ("When is the Asian Low Carbon Center planned to open?", "en", True),
    ("アジア低炭素化センターはいつ設立されましたか？", "ja", False),
    ("アジア低炭素化センターの削減目標は何年度ですか？", "ja", True),
    ("Kapan Pusat Rendah Karbon Asia dibuka?", "id", False),
    ("ศูนย์คาร์บอนต่ำแห่งเอเชียตั้งเป้าลดการปล่อยในปีใด", "th", True),
])
def test_a_question_about_a_plan_or_target_is_told_from_one_about_what_happened(question: str, lang: str,
                                                                                 plans: bool) -> None:
    assert analyse(question, lang).plans is plans


@pytest.mark.parametrize(("text", "places"), [
    ("Kota Surabaya dan Kota Kitakyushu", ["Surabaya", "Kitakyushu"]),  # not Kota in India
    ("スマラン市の支援", ["Semarang"]),  # not マラン (Malang) inside it
    ("青島市と天津市", ["Qingdao", "Tianjin"]),
    ("ネパール・ラリプール市とマレーシア・シブ市", ["Nepal", "Malaysia"]),  # ・ joins names, it is no run-on
])
def test_places_are_the_longest_names_a_text_writes(text: str, places: list[str]) -> None:
    assert sorted(p.name("en") for p in gazetteer().places_in(text)) == sorted(places)


def test_places_the_cases_mention_are_known_in_every_language() -> None:
    corpus = Mentions(path.read_text(encoding="utf-8") for path in CORPUS.glob("cases/*/*.md"))
    for question, lang in [("How did Surabaya cut its waste?", "en"), ("Apa yang dilakukan Kitakyushu di Cebu?", "id"),
                           ("เมืองสุราบายาลดขยะอย่างไร", "th"), ("スラバヤ市はどのようにごみを減らしましたか", "ja")]:
        places = analyse(question, lang).places
        assert places and all(corpus.mentions(p) for p in places), question


def test_a_count_question_names_what_it_counts_and_a_figure_of_something_else_does_not_answer_it() -> None:
    assert asked_unit("How many staff work at Bago's compost centre?", "en") == "staff"
    assert asked_unit("ศูนย์ปุ๋ยหมักของเมืองบาโกมีเจ้าหน้าที่ทำงานอยู่กี่คน", "th") == "คน"
    sentence = "ปัจจุบันศูนย์ฯ นำขยะจากตลาดวันละ 1 ตันมาทำเป็นปุ๋ยหมัก"
    end = sentence.index("1") + 1
    assert not counts(sentence, end, "th", "คน") and counts(sentence, end, "th", "ตัน")


@pytest.mark.parametrize(("sentence", "lang", "unit", "answers"), [
    ("Cebu gave out 2,000 household compost baskets free of charge.", "en", "households", False),
    ("Cebu gave out 2,000 household compost baskets free of charge.", "en", "baskets", True),
    ("Kota Cebu membagikan 2.000 keranjang kompos rumah tangga.", "id", "rumah tangga", False),
    ("Kota Cebu membagikan 2.000 keranjang kompos rumah tangga.", "id", "keranjang", True),
    ("KITA accepted 434 trainees in FY2008.", "en", "people", True),
])
def test_a_figure_counts_the_head_noun_of_the_phrase_after_it(sentence: str, lang: str, unit: str,
                                                               answers: bool) -> None:
    figure = next(word for word in sentence.split() if word[0].isdigit())
    end = sentence.index(figure) + len(figure)
    assert counts(sentence, end, lang, unit) is answers


def test_headings_captions_and_list_labels_are_labels_and_bullets_are_not() -> None:
    assert is_label("イ．フィリピンでの廃棄物管理の推進", "ja") and is_label("植林風景", "ja")
    assert is_label("(b) Pengembangan sumber daya manusia melalui penanaman pohon", "id")
    assert not is_label(" - 2006中国国際環境保護博覧会への出展 4社参加、商談181件", "ja")
    assert not is_label("In Bago City, a compost centre was set up in April 2008.", "en")


def test_every_japanese_label_line_is_a_label_in_each_translation() -> None:
    """The labels are judged on the original and carried over by line: the translations must keep the lines."""
    for original in CORPUS.glob("cases/*/ja.md"):
        ja = original.read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n")
        for lang in ("en", "id", "th"):
            lines = original.with_name(f"{lang}.md").read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n")
            assert len(lines) == len(ja), original.parent.name
            wrong = [line for source, line in zip(ja, lines) if is_label(source, "ja") and not is_label(line, lang)]
            assert not wrong, (original.parent.name, lang, wrong)


def test_thai_sentences_are_whole_and_follow_the_japanese_sentences() -> None:
    case = CORPUS / "cases" / "kita-metro-cebu-reforestation"
    th = case.joinpath("th.md").read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")
    ja = case.joinpath("ja.md").read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")
    found = [s for a, b in zip(th, ja) for s in thai_sentences(a, b)]
    planting = next(s for s in found if "800" in s)
    # PyThaiNLP alone cut this sentence in three, leaving "ประมาณ 800 ต้น ..." without what was planted.
    assert planting.startswith("การปลูกต้นไม้ครั้งนี้") and "150 คน" in planting and "6 ชนิด" in planting
    assert not any(s.endswith("120") for s in found)  # a number is never cut from its unit


def test_no_thai_sentence_of_the_corpus_starts_with_the_repetition_mark() -> None:
    # ๆ repeats the word before it ("ต่าง ๆ"); cut before it, a quoted sentence began "ๆ เพื่อให้คำแนะนำ…".
    starts = []
    for case in sorted(CORPUS.glob("cases/*")):
        th = case.joinpath("th.md").read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")
        ja = case.joinpath("ja.md").read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")
        starts += [s[:20] for a, b in zip(th, ja) for s in thai_sentences(a, b) if s.startswith("ๆ")]
    assert not starts
