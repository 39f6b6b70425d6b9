"""Gaps (``kb.gaps``) written out: CSV for a spreadsheet, Markdown grouped by nearest case, and gold-set candidates.

The CSV goes through ``kb.spreadsheet`` (a question such as ``=HYPERLINK(...)`` stays text) and is written with a
BOM by ``write``, so Excel reads Japanese and Thai. Gold-set candidates are YAML items in the shape of
``evals/gold.yaml`` with the questions in the languages seen and ``abstain: true`` until someone writes the case;
``evals.gold`` wants all four languages, so each candidate names the ones still to translate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import yaml

from kb.errors import InputError
from kb.gaps import CaseLabel, Gap
from kb.library import Library
from kb.settings import LANGUAGES
from kb.spreadsheet import csv_writer
from kb.vocabulary import topic_name

FORMATS = (".csv", ".md")
COLUMNS = ("count", "languages", "declined", "partial", "thumbs_down", "nearest_case", "case_title", "topics",
           "places", "first_asked", "last_asked", *(f"question_{lang}" for lang in LANGUAGES), "all_questions")


def case_labels(library: Library, lang: str) -> Callable[[str], CaseLabel]:
    """Name a case by its title in ``lang`` and its topics (a case no longer indexed by its id)."""
    def label(doc_id: str) -> CaseLabel:
        case = library.cases.get(doc_id)
        if case is None:
            return CaseLabel(doc_id)
        return CaseLabel(case.title(lang), tuple(topic_name(t, lang) for t in case.topics), case.topics)
    return label


def languages_text(gap: Gap) -> str:
    """``"ja 3, en 1"``."""
    return ", ".join(f"{lang} {n}" for lang, n in gap.languages.items())


def rows(gaps: list[Gap]) -> list[list[object]]:
    """One row per gap in ``COLUMNS`` order."""
    found = []
    for gap in gaps:
        examples = gap.examples()
        found.append([gap.count, languages_text(gap), gap.declined, gap.partial, gap.down, gap.case, gap.label.title,
                      ", ".join(gap.label.topics), ", ".join(gap.places), gap.first, gap.last,
                      *(examples.get(lang, "") for lang in LANGUAGES), "\n".join(gap.wordings())])
    return found


def write_csv(gaps: list[Gap], out: TextIO) -> int:
    """The gaps as CSV with a header line; returns the number of rows."""
    writer = csv_writer(out)  # questions come from anyone: no cell may run as a formula
    writer.writerow(COLUMNS)
    writer.writerows(rows(gaps))
    return len(gaps)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown(gaps: list[Gap], title: str = "What the cases do not answer") -> str:
    """The gaps grouped by nearest case (the case with the most questions first), most asked first within."""
    by_case: dict[str, list[Gap]] = {}
    for gap in gaps:
        by_case.setdefault(gap.case, []).append(gap)
    total = sum(gap.count for gap in gaps)
    lines = [f"# {title}", "", f"{total} questions declined, partly answered or rated 👎, in {len(gaps)} groups.", ""]
    for case, group in sorted(by_case.items(), key=lambda item: -sum(g.count for g in item[1])):
        label = group[0].label
        heading = f"{label.title} (`{case}`)" if case and label.title != case else f"`{case}`" if case else "No case"
        lines += [f"## {_cell(heading)}", ""]
        if label.topics:
            lines += [f"Topics: {', '.join(label.topics)}", ""]
        lines += ["| asked | languages | declined / partial / 👎 | places | questions |", "|---|---|---|---|---|"]
        for gap in group:
            asked = "<br>".join(f"{lang}: {_cell(q)}" for lang, q in gap.examples().items())
            if (others := len(gap.wordings()) - len(gap.examples())) > 0:
                asked += f"<br>(+{others} other wording{'s' if others > 1 else ''})"
            lines.append(f"| {gap.count} | {languages_text(gap)} | {gap.declined} / {gap.partial} / {gap.down} | "
                         f"{_cell(', '.join(gap.places)) or '-'} | {asked} |")
        lines.append("")
    return "\n".join(lines)


def write(gaps: list[Gap], path: Path) -> int:
    """``path`` as CSV (UTF-8 with BOM) or Markdown, by its suffix; returns the number of gaps written."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"--out {str(path)!r}: write the gaps to a .csv or .md file")
    with path.open("w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as out:
        if suffix == ".csv":
            return write_csv(gaps, out)
        out.write(markdown(gaps) + "\n")
        return len(gaps)


def candidate_id(gap: Gap, n: int) -> str:
    """A gold-set id from the English question's words (``gap-bago-centre-cost``), else the case and a number."""
    words = re.findall(r"[a-z0-9]+", gap.examples().get("en", "").lower())
    common = {"what", "how", "the", "did", "does", "do", "is", "was", "of", "in", "a", "an", "to", "many", "much"}
    kept = [w for w in words if w not in common and len(w) > 1][:5]
    return "gap-" + "-".join(kept) if kept else f"gap-{n}-{gap.case or 'none'}"


def gold_candidates(gaps: list[Gap]) -> str:
    """YAML items for ``evals/gold.yaml``, one per gap, with a comment saying how often it was asked."""
    parts = ["# Gold-set candidates from `kyodo gaps --gold-candidates`: questions the cases did not answer.",
             "# abstain: true until someone writes the case; add the missing languages before evals/gold.yaml "
             "takes them."]
    seen: set[str] = set()
    for n, gap in enumerate(gaps, 1):
        name = candidate_id(gap, n)
        name = name if name not in seen else f"{name}-{n}"
        seen.add(name)
        item: dict[str, object] = {"id": name, "kind": "out-of-scope", "gold": [], "abstain": True}
        if gap.case and gap.partial * 2 >= gap.count:  # mostly "the case is there, the fact is not": near-topic
            item["near"] = [gap.case]
        item |= {"facts": [], "questions": gap.examples()}
        missing = [lang for lang in LANGUAGES if lang not in gap.examples()]
        times = "once" if gap.count == 1 else f"{gap.count} times"
        parts.append(f"\n# asked {times} ({languages_text(gap)}), {gap.first} to {gap.last}; "
                     f"nearest case: {gap.case or '-'}" + (f"; translate into {', '.join(missing)}" if missing else ""))
        parts.append(yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000).rstrip())
    return "\n".join(parts) + "\n"
