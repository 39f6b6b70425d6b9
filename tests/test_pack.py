"""Session packs on the full index with the real model: selection, quoted summaries, checked figures, Q&A, PDF."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from cli.main import main
from kb.embedder import SentenceTransformerEmbedder
from kb.errors import InputError
from kb.numbers import numbers
from kb.service import KnowledgeBase
from kb.settings import Settings
from kb.figures import find
from trainer.files import write_pack
from trainer.pack import CasePack, Pack, build_pack
from trainer.pdf import page_count, to_pdf
from trainer.render import to_html, to_markdown
from trainer.select import PackRequest

COMPOSTING_CASES = {"iges-bago-cebu-composting",  # Bago and Cebu
                    "iges-indonesia-waste",  # Surabaya's composting model
                    "bangkok-waste-composting", "iges-thailand-composting"}  # Bangkok
THAI = re.compile(r"[\u0e00-\u0e7f]")
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def kb(full_index: Settings, embedder: SentenceTransformerEmbedder) -> KnowledgeBase:
    return KnowledgeBase(full_index, embedder)


@pytest.fixture(scope="module")
def thai_pack(kb: KnowledgeBase) -> Pack:
    steps: list[float] = []
    pack = build_pack(kb, PackRequest(topics=("composting",), lang="th", cases=5), lambda f, step: steps.append(f))
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    return pack


def plain_number(value: str) -> str:
    """The number a figure written in ASCII digits says: "2,000" -> "2000", "1.5" -> "1.5"."""
    assert re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", value), f"{value!r} is not a plain number"
    return value.replace(",", "")


def japanese_forms(number: str) -> set[str]:
    """How the Japanese original can write ``number``: 2000, 2,000, and for whole multiples of 万 also 1,170万."""
    whole, _, fraction = number.partition(".")
    forms = {number, f"{int(whole):,}" + (f".{fraction}" if fraction else "")}
    if not fraction and int(whole) >= 10_000 and int(whole) % 10_000 == 0:
        forms |= {f"{int(whole) // 10_000}万", f"{int(whole) // 10_000:,}万"}
    return forms


def written_in_text(form: str, text: str) -> bool:
    """``form`` occurs in ``text`` as a whole number, not as part of a longer one (434 is not in 1434)."""
    return re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d]|[,.]\d)", text) is not None


def case(pack: Pack, doc_id: str) -> CasePack:
    return next(c for c in pack.cases if c.doc_id == doc_id)


def test_composting_pack_in_thai_has_the_bago_cebu_surabaya_and_bangkok_cases(thai_pack: Pack) -> None:
    chosen = [c.doc_id for c in thai_pack.cases]
    assert len(chosen) == 5
    assert COMPOSTING_CASES <= set(chosen), f"expected {sorted(COMPOSTING_CASES)} in the pack, got {chosen}"
    # The order among the composting cases is retrieval's (the fitted fusion puts Thailand's first for a Thai pack);
    # what matters is that the pack leads with one of them, not with a general case.
    assert chosen[0] in COMPOSTING_CASES and chosen.index("iges-bago-cebu-composting") <= 1, chosen
    assert all(c.lang == "th" for c in thai_pack.cases)
    assert THAI.search(thai_pack.title) and "การทำปุ๋ยหมัก" in thai_pack.title


def test_bago_figures_say_what_they_count_and_cite_the_bago_passage(thai_pack: Pack) -> None:
    bago = case(thai_pack, "iges-bago-cebu-composting")
    figures = {f.number: f for f in bago.figures}
    assert set(figures) == {"1", "2000"}, f"expected 1 (tonne a day) and 2,000 (baskets), got {sorted(figures)}"
    assert "ตัน" in figures["1"].context and "ตลาด" in figures["1"].context  # 1 tonne of market waste
    assert "ใบ" in figures["2000"].context and "ตะกร้า" in figures["2000"].context  # 2,000 baskets
    assert "2008" not in figures, "a year is not a key figure"
    for figure in figures.values():
        source = bago.sources[figure.citation - 1]
        assert source.doc_id == "iges-bago-cebu-composting" and source.source == "北九州市環境白書 第4節 4.(2)イ"


def test_every_figure_in_the_pack_occurs_in_its_cited_source(thai_pack: Pack) -> None:
    assert sum(len(c.figures) for c in thai_pack.cases) >= 4
    for item in thai_pack.cases:
        for figure in item.figures:
            source = item.sources[figure.citation - 1]
            assert source.n == figure.citation
            assert figure.sentence in source.text and figure.context in figure.sentence
            # Checked by their digits, not with kb.numbers, the normaliser that produced figure.number.
            assert figure.value in figure.context and plain_number(figure.value) == figure.number, figure
            original = unicodedata.normalize("NFKC", source.original_text)
            assert any(written_in_text(form, original) for form in japanese_forms(figure.number)), (
                f"{figure.number} ({figure.value}) is not written in the Japanese original: {original[:200]!r}")


def test_summaries_quote_their_case_and_answers_cite_only_it(thai_pack: Pack) -> None:
    for item in thai_pack.cases:
        assert item.summary, f"{item.doc_id} has no summary"
        for quote in item.summary:
            assert quote.sentence in item.sources[quote.citation - 1].text
        assert all(source.doc_id == item.doc_id for source in item.sources)
        assert 3 <= len(item.questions) <= 5, f"{item.doc_id}: {len(item.questions)} questions"
        for discussion in item.questions:
            cited = {int(n) for n in MARKER.findall(discussion.answer)}
            assert cited and cited <= {s.n for s in item.sources}, discussion
            assert THAI.search(discussion.question) and discussion.mode == "extractive"
    bago = case(thai_pack, "iges-bago-cebu-composting")
    figure_questions = [d for d in bago.questions if d.kind == "figure"]
    assert figure_questions and all(d.figure in numbers(d.answer) for d in figure_questions)


def test_pack_renders_to_markdown_and_a_pdf_with_pages(thai_pack: Pack, tmp_path: Path) -> None:
    markdown = to_markdown(thai_pack)
    assert markdown.startswith(f"# {thai_pack.title}")
    for item in thai_pack.cases:
        assert item.title in markdown and item.doc_id in markdown
    assert "“นำขยะจากตลาดวันละ **1** ตัน”" in markdown
    pdf = to_pdf(to_html(thai_pack), ("ja", "th"))
    assert pdf.startswith(b"%PDF") and page_count(pdf) >= len(thai_pack.cases)
    written = write_pack(thai_pack, tmp_path / "pack")
    assert [p.name for p in written] == ["pack.md", "pack.pdf"]
    assert page_count(written[1].read_bytes()) >= len(thai_pack.cases)


def test_a_free_text_theme_finds_cases_by_retrieval_without_tags(kb: KnowledgeBase) -> None:
    pack = build_pack(kb, PackRequest("compost baskets for households", lang="en", cases=1))
    (only,) = pack.cases
    assert only.doc_id == "iges-bago-cebu-composting" and not only.selected.tagged and only.selected.rank == 1
    assert only.lang == "en" and any(f.number == "2000" and "baskets" in f.context for f in only.figures)


def test_figures_skip_years_dates_ordinals_and_names() -> None:
    found = find("In FY2008, the 4th meeting on 5 December gave Global 500 to 20 cities in 13 countries.", "en",
                 names=("Global 500",))
    assert [f.number for f in found] == ["20", "13"]
    ja = find("平成20年4月に第4回会議を開き、1,170万トンを削減し、20都市が参加しました。", "ja")
    assert [(f.number, f.value) for f in ja] == [("11700000", "1,170万"), ("20", "20")]
    th = find("เมื่อวันที่ 5 ธันวาคม ค.ศ. 2008 มีผู้เข้าร่วมประมาณ 150 คน", "th")
    assert [(f.number, f.context) for f in th] == [("150", "มีผู้เข้าร่วมประมาณ 150 คน")]


def test_pack_request_without_a_theme_or_tags_is_refused_by_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="needs a theme"):
        PackRequest(lang="th").check()
    assert main(["pack", "--lang", "th"]) == 1
    assert capsys.readouterr().err.strip() == "kyodo: a pack needs a theme, or at least one topic, city or country"
    assert main(["pack", "composting", "--cases", "40"]) == 1
    assert "a pack has 1 to 12 case studies, not 40" in capsys.readouterr().err
