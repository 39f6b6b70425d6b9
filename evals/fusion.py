"""Fit the per-language fusion of dense and keyword rankings on the gold dev half: ``python -m evals.fusion``.

Each in-scope gold question is ranked once by dense and once by keyword retrieval, in the language Kyodo detects for
it (as ``kyodo eval`` asks it); every candidate fusion (a keyword weight and a k, ``kb.fusion.Fusion``) is then
replayed on those two rankings, so the whole grid costs two searches a question. The candidate kept is the best on
the whole dev half by hit@1, then MRR, among those at least as good as dense-only and keyword-only on both in every
language; among equals, the one whose grid neighbours score best (a plateau, not a lucky point). One fusion for all
languages: fitted per language on ~43 questions each, a single question decided the choice (Indonesian took k = 100
for one dev question and lost one on the test half). The test half is printed beside it and never used to choose.
``--write`` saves the choice, for each language, to ``kb/data/fusion.yaml``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from evals.gold import cases, load_gold
from evals.metrics import dedupe, hit_at, mean, reciprocal_rank
from kb.fusion import WEIGHTS, Fusion
from kb.language import resolve_language
from kb.service import KnowledgeBase, clean_question
from kb.settings import LANGUAGES, Settings

KEYWORD_WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0)
KS = (1.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 100.0)
DEPTH = 30


@dataclass(frozen=True)
class Ranked:
    """One gold question as both retrievers ranked it: chunk ids best first, and each chunk's case."""

    lang: str
    half: str
    gold: frozenset[str]
    dense: list[str]
    keyword: list[str]


def rank_all(kb: KnowledgeBase) -> list[Ranked]:
    """Dense and keyword rankings of every in-scope gold question in every language."""
    retriever = kb.retriever
    found = []
    for case in cases(load_gold(), LANGUAGES):
        if case.abstain:
            continue
        text = clean_question(case.question)
        lang = resolve_language(text, None).lang
        found.append(Ranked(case.lang, case.half, frozenset(case.gold),
                            [cid for cid, _ in retriever.ranked(text, lang, "dense")],
                            [cid for cid, _ in retriever.ranked(text, lang, "keyword")]))
    return found


def score(rows: list[Ranked], doc_of: dict[str, str], ranking) -> tuple[float, float]:
    """hit@1 and MRR of the document rankings ``ranking(row)`` (chunk ids) gives."""
    docs = [dedupe(doc_of[cid] for cid in ranking(row)) for row in rows]
    return (mean(hit_at(d, row.gold, 1) for d, row in zip(docs, rows)) or 0.0,
            mean(reciprocal_rank(d, row.gold) for d, row in zip(docs, rows)) or 0.0)


def fit(rows: list[Ranked], doc_of: dict[str, str]) -> dict[str, dict]:
    """The fusion chosen on the dev half, and per language the dev/test figures of dense, keyword, plain RRF and it."""
    dev = [r for r in rows if r.half == "dev"]
    by_lang = {lang: [r for r in dev if r.lang == lang] for lang in LANGUAGES}
    floors = {lang: tuple(max(a, b) for a, b in zip(score(mine, doc_of, lambda r: r.dense),
                                                    score(mine, doc_of, lambda r: r.keyword)))
              for lang, mine in by_lang.items()}
    grid = {(w, k): score(dev, doc_of, lambda r, f=Fusion(w, k): _fused(f, r)) for w in KEYWORD_WEIGHTS for k in KS}

    def never_loses(w: float, k: float) -> bool:
        return all(all(a >= b for a, b in zip(score(mine, doc_of, lambda r: _fused(Fusion(w, k), r)), floors[lang]))
                   for lang, mine in by_lang.items())

    def plateau(w: float, k: float) -> float:
        near = [grid[(nw, nk)] for nw in _around(KEYWORD_WEIGHTS, w) for nk in _around(KS, k)]
        return sum(h + m for h, m in near) / len(near)

    allowed = [key for key in grid if never_loses(*key)]
    chosen = Fusion(*max(allowed, key=lambda key: (grid[key], plateau(*key))))
    out = {}
    for lang in LANGUAGES:
        halves = {half: [r for r in rows if r.lang == lang and r.half == half] for half in ("dev", "test")}

        def figures(ranking) -> dict[str, tuple[float, float]]:
            return {half: score(mine, doc_of, ranking) for half, mine in halves.items()}

        out[lang] = {"fusion": chosen, "dense": figures(lambda r: r.dense), "keyword": figures(lambda r: r.keyword),
                     "rrf": figures(lambda r: _fused(Fusion(), r)), "chosen": figures(lambda r: _fused(chosen, r))}
    return out


def _fused(fusion: Fusion, row: Ranked) -> list[str]:
    return [cid for cid, _ in fusion.fuse(row.dense, row.keyword, DEPTH)]


def _around(values: tuple[float, ...], value: float) -> list[float]:
    i = values.index(value)
    return list(values[max(0, i - 1): i + 2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"save the fitted weights to {WEIGHTS}")
    args = parser.parse_args()
    kb = KnowledgeBase(Settings.from_env())
    retriever = kb.retriever
    doc_of = {cid: retriever.chunk(cid).doc_id for cid in retriever.chunk_ids()}
    result = fit(rank_all(kb), doc_of)
    print("| lang | half | dense hit@1 / MRR | keyword | plain RRF | fitted | fitted keyword weight, k |")
    print("|---|---|---|---|---|---|---|")
    for lang, got in result.items():
        for half in ("dev", "test"):
            cells = " | ".join(f"{got[name][half][0]:.3f} / {got[name][half][1]:.3f}"
                               for name in ("dense", "keyword", "rrf", "chosen"))
            print(f"| {lang} | {half} | {cells} | {got['fusion'].keyword:g}, {got['fusion'].k:g} |")
    if args.write:
        lines = [f"{lang}: {{keyword: {got['fusion'].keyword:g}, k: {got['fusion'].k:g}}}" for lang, got in result.items()]
        Path(WEIGHTS).write_text(_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")


_HEADER = """# Fusion of dense and keyword rankings per question language (kb/fusion.py), fitted on the gold dev half only
# by `python -m evals.fusion --write`: a chunk scores 1 / (k + dense rank) + keyword / (k + keyword rank).
"""

if __name__ == "__main__":
    main()
