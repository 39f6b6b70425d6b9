"""The shipped corpus: it validates, it reassembles into the source, and each kind of problem is reported.

Problem tests break a copy of a real case under ``tmp_path``; the shipped corpus is only read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.corpus import read_case_file
from indexer.validate import Problem, main, validate
from kb.numbers import numbers

CORPUS = Path(__file__).parents[1] / "corpus"
SOURCE = CORPUS / "source" / "kitakyushu-env-cooperation.ja.txt"  # shipped, so these tests run in every clone
LANGS = ("en", "id", "ja", "th")
# Sentences split by a page break in the source: line -> the line appended to it (see corpus/README.md).
JOINS = {57: 59, 27: 29, 274: 276, 308: 310, 326: 328, 336: 338}
BAGO = "iges-bago-cebu-composting"


def case_folders() -> list[Path]:
    return sorted(p for p in (CORPUS / "cases").iterdir() if p.is_dir())


def source_paragraphs(text: str) -> dict[int, str]:
    """Blocks of non-blank lines, trailing whitespace stripped, keyed by their 1-based first line."""
    paragraphs: dict[int, str] = {}
    start, block = 0, []
    for number, line in enumerate(text.split("\n") + [""], start=1):
        if line.strip():
            start = start if block else number
            block.append(line.rstrip())
        elif block:
            paragraphs[start] = "\n".join(block)
            block = []
    return paragraphs


def joined_source() -> dict[int, str]:
    paragraphs = source_paragraphs(SOURCE.read_text(encoding="utf-8"))
    for first, second in JOINS.items():
        paragraphs[first] += paragraphs.pop(second)
    return dict(sorted(paragraphs.items()))


def copy_case(tmp_path: Path, case_id: str = BAGO, langs: tuple[str, ...] = LANGS) -> Path:
    """A corpus under tmp_path holding the glossary and the given language files of one real case."""
    folder = tmp_path / "corpus" / "cases" / case_id
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / "glossary.yaml", tmp_path / "corpus" / "glossary.yaml")
    for lang in langs:
        shutil.copy(CORPUS / "cases" / case_id / f"{lang}.md", folder / f"{lang}.md")
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}: pick another edit"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of ``path`` containing ``needle``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def found(problems: list[Problem], root: Path) -> set[tuple[str, int, str, str]]:
    """Problems as (path relative to the corpus, line, severity, message), easy to compare exactly."""
    return {(str(p.path.relative_to(root)), p.line, p.severity, p.message) for p in problems}


# The shipped corpus


def test_shipped_corpus_has_no_errors_and_no_warnings() -> None:
    problems = validate(CORPUS)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_every_case_has_japanese_english_indonesian_and_thai() -> None:
    folders = case_folders()
    assert len(folders) >= 38
    for folder in folders:
        assert sorted(p.stem for p in folder.glob("*.md")) == sorted(LANGS), folder.name


def test_documented_joins_are_page_breaks_in_the_source() -> None:
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    for first, second in JOINS.items():
        assert lines[first - 1].strip() and lines[second - 1].strip(), (first, second)
        assert not "".join(lines[first : second - 1]).strip(), f"lines {first}..{second} are not a page break"
    assert lines[56].endswith("採択") and lines[58].startswith("されました")


def test_japanese_files_in_source_order_reassemble_the_source() -> None:
    expected = joined_source()
    line_of_text = {text: line for line, text in expected.items()}
    cases = [read_case_file(folder / "ja.md") for folder in case_folders()]
    starts = {}
    for case in cases:
        first = case.paragraphs[0].text
        assert first in line_of_text, f"{case.path}: first paragraph {first[:40]!r}... is not a source paragraph"
        starts[case.case_id] = line_of_text[first]
    cases.sort(key=lambda case: starts[case.case_id])
    got = [(case.case_id, p.text) for case in cases for p in case.paragraphs]
    for index, ((case_id, text), want) in enumerate(zip(got, expected.values())):
        assert text == want, f"paragraph {index + 1} ({case_id}): expected {want[:60]!r}, got {text[:60]!r}"
    assert len(got) == len(expected)


def test_every_source_paragraph_is_in_exactly_one_case() -> None:
    expected = joined_source()
    owners: dict[str, list[str]] = {text: [] for text in expected.values()}
    for folder in case_folders():
        for paragraph in read_case_file(folder / "ja.md").paragraphs:
            owners.setdefault(paragraph.text, []).append(folder.name)
    wrong = {line: owners[text] for line, text in expected.items() if len(owners[text]) != 1}
    assert wrong == {}, f"source lines in zero or several cases: {wrong}"
    assert sum(map(len, owners.values())) == len(expected), "a ja.md holds a paragraph the source lacks"


# One test per kind of problem, each on a broken copy of a real case


def test_missing_translation_is_a_warning_and_a_one_language_case_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_case(tmp_path, langs=("ja",))
    corpus = tmp_path / "corpus"
    assert found(validate(corpus), corpus) == {
        (f"cases/{BAGO}/{lang}.md", 0, "warning",
         f"no {lang} version of this case (add a translation to serve readers of that language)")
        for lang in ("en", "id", "th")
    }
    assert main(["--corpus", str(corpus)]) == 0
    assert "0 errors, 3 warnings" in capsys.readouterr().err


def test_missing_front_matter_field_names_the_field(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    for lang in LANGS:
        replace(folder / f"{lang}.md", "cities: [Bago, Cebu]\n", "")
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/{lang}.md", 2, "error", "front matter has no 'cities' list (add cities: [Bago])")
        for lang in LANGS
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("countries: [PH]", "countries: [XX]", "country 'XX' is not an ISO 3166 alpha-2 code (e.g. PH, ID, TH)"),
        ("topics: [waste, composting]", "topics: [waste, cooking]",
         "topic 'cooking' is not in the vocabulary (use one of: waste, composting, recycling, water, sewerage, "
         "air, energy/low-carbon, training, business, network, policy)"),
        ("years: [2008]", "years: ['平成20']",
         "'years' must be a list of Gregorian years, got ['平成20'] (e.g. years: [2008]; 平成N = 1988+N)"),
    ],
)
def test_invalid_front_matter_value_is_quoted(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = copy_case(tmp_path)
    for lang in LANGS:
        replace(folder / f"{lang}.md", old, new)
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/{lang}.md", 2, "error", message) for lang in LANGS
    }


def test_invalid_value_only_in_original_is_also_a_disagreement_in_each_translation(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    replace(folder / "ja.md", "countries: [PH]", "countries: [XX]")
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/ja.md", 2, "error", "country 'XX' is not an ISO 3166 alpha-2 code (e.g. PH, ID, TH)"),
    } | {
        (f"cases/{BAGO}/{lang}.md", 2, "error", "'countries' is ['PH'] but ja.md has ['XX'] (make them equal)")
        for lang in ("en", "id", "th")
    }


def test_translation_with_fewer_paragraphs_is_reported_at_its_body(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    thai = folder / "th.md"
    replace(thai, "ในฟิลิปปินส์\n\n", "ในฟิลิปปินส์\n")  # the heading runs into the text: 2 paragraphs become 1
    body = line_of(thai, "translated_from: ja") + 2
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/th.md", body, "error",
         "1 paragraphs but ja.md has 2 (translate paragraph by paragraph, one blank line between paragraphs)"),
    }


def test_number_dropped_from_thai_translation_is_reported_with_both_lines(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    thai = folder / "th.md"
    replace(thai, "กว่า 2,000 ใบ", "กว่าสองพันใบ")  # "over two thousand" in words
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/th.md", line_of(thai, "กว่าสองพันใบ"), "error",
         f"paragraph 2 lacks the number 2000 of ja.md:{line_of(folder / 'ja.md', '2,000')} (write it with digits)"),
    }


def test_glossary_name_spelt_differently_in_thai_is_reported(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    thai = folder / "th.md"
    replace(thai, "บาโก", "บาโค")
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/th.md", line_of(thai, "เมืองบาโคและเมืองเซบู ประเทศฟิลิปปินส์"), "error",
         "paragraph 2 translates 'バゴ' but lacks the glossary form 'บาโก' (use it as in glossary.yaml)"),
    }


def test_two_folders_declaring_one_id_are_both_reported(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    shutil.copytree(folder, folder.with_name("bago-composting"))
    problems = found(validate(tmp_path / "corpus"), tmp_path / "corpus")
    assert {p for p in problems if p[1] == 0} == {
        ("cases/bago-composting", 0, "error",
         f"duplicate id '{BAGO}' (also in {folder}; give each case its own id)"),
        (f"cases/{BAGO}", 0, "error",
         f"duplicate id '{BAGO}' (also in {folder.with_name('bago-composting')}; give each case its own id)"),
    }
    assert {p for p in problems if p[1] != 0} == {
        (f"cases/bago-composting/{lang}.md", 2, "error",
         f"front matter id '{BAGO}' differs from its folder (write id: bago-composting)")
        for lang in LANGS
    }


def test_broken_yaml_in_original_is_reported_at_its_line_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_case(tmp_path)
    japanese = folder / "ja.md"
    replace(japanese, "title: フィリピンでの廃棄物管理の推進（バゴ市・セブ市）", "title: フィリピン: バゴ市・セブ市")
    assert found(validate(tmp_path / "corpus"), tmp_path / "corpus") == {
        (f"cases/{BAGO}/ja.md", line_of(japanese, "title:"), "error",
         "front matter is not valid YAML (mapping values are not allowed here)"),
    }
    assert main(["--corpus", str(tmp_path / "corpus")]) == 1
    assert "1 errors, 0 warnings" in capsys.readouterr().err


def test_file_without_front_matter_is_reported_at_line_1(tmp_path: Path) -> None:
    folder = copy_case(tmp_path, langs=("ja",))
    japanese = folder / "ja.md"
    japanese.write_text(japanese.read_text(encoding="utf-8").split("---\n", 2)[2].lstrip(), encoding="utf-8")
    errors = {p for p in found(validate(tmp_path / "corpus"), tmp_path / "corpus") if p[2] == "error"}
    assert errors == {
        (f"cases/{BAGO}/ja.md", 1, "error",
         "no front matter (start the file with a '---' line, the YAML fields, then '---')"),
    }


# Number normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成20年度", {"2008"}),
        ("平成 20 年 4 月", {"2008"}),
        ("平成元年", {"1989"}),
        ("昭和55年", {"1980"}),
        ("昭和50年代半ばから", {"1975"}),
        ("平成２０年", {"2008"}),
        ("年間1,170万トン", {"11700000"}),
        ("5月", set()),
        ("3ヶ月の研修", set()),
        ("12月5日", {"5"}),
        ("๒,๐๐๐ ใบ", {"2000"}),
        ("ค.ศ. ๒๐๐๘", {"2008"}),
        ("5.000 orang", {"5000"}),
        ("5,000 people", {"5000"}),
        ("11.700.000 ton", {"11700000"}),
        ("1,5 ton", {"1.5"}),
        ("MCED4, PCAPI-7", {"4", "7"}),
    ],
)
def test_numbers_are_normalised_across_scripts_and_calendars(text: str, expected: set[str]) -> None:
    assert numbers(text) == expected


def test_japanese_figures_are_found_in_thai_and_indonesian_renderings() -> None:
    japanese = "バゴ市では平成 20 年 4 月にコンポスト・センターを立ち上げ、一日 1 トン、2,000 個以上、1,170万トン"
    thai = "เมื่อเดือนเมษายน ค.ศ. 2008 วันละ 1 ตัน กว่า 2,000 ใบ 11,700,000 ตัน"
    indonesian = "pada April 2008, 1 ton per hari, lebih dari 2.000 keranjang, 11.700.000 ton"
    assert numbers(japanese) == {"2008", "1", "2000", "11700000"}
    assert numbers(thai) == numbers(indonesian) == numbers(japanese)
