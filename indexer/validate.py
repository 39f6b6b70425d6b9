"""Check the corpus: every problem as ``file:line: severity: problem (fix)``.

Checks: language files present (a missing translation is a warning), front matter fields,
translations agreeing with their original (same paragraph count, same numbers and glossary
names per paragraph, same shared metadata), duplicate ids. Run: ``kyodo validate``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pycountry

from indexer.corpus import CaseFile, read_case_file
from kb.errors import CorpusError
from kb.glossary import Term, load_glossary, mentions
from kb.numbers import numbers
from kb.settings import LANGUAGES
from kb.vocabulary import TOPICS

SHARED_FIELDS = ("id", "cities", "countries", "topics", "years", "source")
CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Problem:
    """One finding; ``error`` fails validation, ``warning`` is reported only."""

    path: Path
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.severity}: {self.message}"


def check_meta(case: CaseFile) -> list[Problem]:
    """Front-matter fields present and well-formed."""
    meta, path, problems = case.meta, case.path, []

    def bad(message: str) -> None:
        problems.append(Problem(path, 2, message))

    if meta.get("id") != case.case_id:
        bad(f"front matter id {meta.get('id')!r} differs from its folder (write id: {case.case_id})")
    if meta.get("lang") != case.lang:
        bad(f"front matter lang {meta.get('lang')!r} differs from the file name (write lang: {case.lang})")
    if case.lang not in LANGUAGES:
        bad(f"language {case.lang!r} is not supported (name the file one of {', '.join(LANGUAGES)}.md)")
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        bad("front matter has no 'title' (add title: <the case study's title in this language>)")
    if not _str_list(meta.get("cities")):
        bad("front matter has no 'cities' list (add cities: [Bago])")
    countries = meta.get("countries")
    if not _str_list(countries):
        bad("front matter has no 'countries' list (add countries: [PH], ISO 3166 alpha-2 codes)")
    else:
        for code in countries:
            if len(code) != 2 or not code.isupper() or pycountry.countries.get(alpha_2=code) is None:
                bad(f"country {code!r} is not an ISO 3166 alpha-2 code (e.g. PH, ID, TH)")
    topics = meta.get("topics")
    if not _str_list(topics):
        bad(f"front matter has no 'topics' list (add topics: [waste], from: {', '.join(TOPICS)})")
    else:
        for topic in topics:
            if topic not in TOPICS:
                bad(f"topic {topic!r} is not in the vocabulary (use one of: {', '.join(TOPICS)})")
    years = meta.get("years")
    if not isinstance(years, list) or not all(isinstance(y, int) and 1900 <= y <= 2100 for y in years):
        bad(f"'years' must be a list of Gregorian years, got {years!r} (e.g. years: [2008]; 平成N = 1988+N)")
    if not isinstance(meta.get("source"), str) or not meta["source"].strip():
        bad("front matter has no 'source' (add source: <document and section, e.g. 第4節 4.(2)イ>)")
    origin = meta.get("translated_from")
    if origin is not None and (origin not in LANGUAGES or origin == case.lang):
        bad(f"translated_from {origin!r} must name another language of this case ({', '.join(LANGUAGES)})")
    return problems


def _str_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def check_translation(original: CaseFile, translation: CaseFile, glossary: list[Term]) -> list[Problem]:
    """A translation has the original's paragraphs, numbers, glossary names and shared metadata."""
    path, problems = translation.path, []
    for name in SHARED_FIELDS:
        if translation.meta.get(name) != original.meta.get(name):
            problems.append(Problem(path, 2, f"'{name}' is {translation.meta.get(name)!r} but "
                                             f"{original.path.name} has {original.meta.get(name)!r} (make them equal)"))
    want, got = len(original.paragraphs), len(translation.paragraphs)
    if want != got:
        problems.append(Problem(path, translation.body_line, f"{got} paragraphs but {original.path.name} has {want} "
                                "(translate paragraph by paragraph, one blank line between paragraphs)"))
        return problems
    source_lang, lang = original.lang, translation.lang
    for src, dst in zip(original.paragraphs, translation.paragraphs):
        for number in sorted(numbers(src.text) - numbers(dst.text)):
            problems.append(Problem(path, dst.line, f"paragraph {dst.index + 1} lacks the number {number} of "
                                    f"{original.path.name}:{src.line} (write it with digits)"))
        for term in glossary:
            if lang not in term.forms or not any(mentions(src.text, f) for f in term.forms.get(source_lang, [])):
                continue
            expected = term.forms[lang][0]
            if not mentions(dst.text, expected, whole_word=False):
                named = next(f for f in term.forms[source_lang] if mentions(src.text, f))
                problems.append(Problem(path, dst.line, f"paragraph {dst.index + 1} translates {named!r} "
                                        f"but lacks the glossary form {expected!r} (use it as in glossary.yaml)"))
    return problems


def check_case(folder: Path, glossary: list[Term]) -> tuple[list[Problem], str | None]:
    """All problems of one case folder, and the id it declares."""
    files, problems = {}, []
    for path in sorted(folder.glob("*.md")):
        try:
            files[path.stem] = read_case_file(path)
        except CorpusError as exc:
            problems.append(Problem(path, _line_of(str(exc)), str(exc).split(": ", 1)[-1]))
    unreadable = bool(problems)
    for case in files.values():
        problems += check_meta(case)
    originals = [c for c in files.values() if "translated_from" not in c.meta]
    if not files:
        missing = [] if unreadable else [Problem(folder, 0, "case folder has no language file (add ja.md or en.md)")]
        return problems + missing, None
    # An unreadable file may be the original: "found none" would then point at the wrong fix.
    if len(originals) > 1 or (not originals and not unreadable):
        names = ", ".join(c.path.name for c in originals) or "none"
        problems.append(Problem(folder, 0, f"needs exactly one original without 'translated_from', found {names} "
                                "(add translated_from: ja to each translation)"))
    for lang in LANGUAGES:
        if lang not in files and not any(p.path.stem == lang for p in problems):
            problems.append(Problem(folder / f"{lang}.md", 0, f"no {lang} version of this case "
                                    "(add a translation to serve readers of that language)", "warning"))
    if len(originals) == 1:
        for case in files.values():
            origin = case.meta.get("translated_from")
            if origin is not None and origin != originals[0].lang:
                problems.append(Problem(case.path, 2, f"translated_from is {origin!r} but the original is "
                                        f"{originals[0].path.name} (write translated_from: {originals[0].lang})"))
            elif origin is not None:
                problems += check_translation(originals[0], case, glossary)
    declared = {c.meta.get("id") for c in files.values()}
    return problems, next(iter(declared)) if len(declared) == 1 else None


def _line_of(message: str) -> int:
    match = re.search(r"\.md:(\d+):", message)
    return int(match.group(1)) if match else 0


def validate(corpus: Path, only: list[str] | None = None) -> list[Problem]:
    """Every problem in the corpus (or in the named cases), in file order."""
    cases_dir = corpus / "cases"
    if not cases_dir.is_dir():
        return [Problem(cases_dir, 0, "no cases folder (create corpus/cases/<case-id>/ja.md)")]
    glossary_path = corpus / "glossary.yaml"
    glossary = load_glossary(glossary_path)
    problems: list[Problem] = []
    ids: dict[str, list[Path]] = defaultdict(list)
    for folder in sorted(p for p in cases_dir.iterdir() if p.is_dir()):
        if only and folder.name not in only:
            continue
        if not CASE_ID.fullmatch(folder.name):
            problems.append(Problem(folder, 0, "case folder name must be lowercase words joined by '-' (rename it)"))
        found, declared = check_case(folder, glossary)
        problems += found
        if declared:
            ids[declared].append(folder)
    for case_id, folders in ids.items():
        if len(folders) > 1:
            for folder in folders:
                problems.append(Problem(folder, 0, f"duplicate id {case_id!r} (also in "
                                        f"{', '.join(str(f) for f in folders if f != folder)}; give each case its own id)"))
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m indexer.validate [--corpus DIR] [--only ID ...]``: ``kyodo validate`` with a choice of cases."""
    parser = argparse.ArgumentParser(prog="kyodo validate", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--only", nargs="*", help="case ids to check (default: all)")
    args = parser.parse_args(argv)
    return report(validate(args.corpus, args.only))


def report(problems: list[Problem]) -> int:
    """Print every problem, then the counts on stderr; the exit code: 1 when any is an error."""
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{errors} errors, {len(problems) - errors} warnings", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
