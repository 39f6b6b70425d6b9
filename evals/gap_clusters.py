"""How well the gap report's clusters (``kb.gaps``) hold one question together and keep different ones apart.

The gold set's out-of-scope items (``abstain: true``) are each asked in ja/en/id/th: a good clustering puts an item's
four questions in one cluster (*together*: the share of items) and never puts two items' questions in one cluster
(*apart*: the share of item pairs sharing none). ``python -m evals.gap_clusters`` prints both at
``kb.gaps.THRESHOLD`` for all items and for each half; ``--sweep`` prints them at a range of thresholds;
``--all-items`` measures every gold item instead (in-scope ones too, typos and mixed languages included), a check on
questions the threshold was not chosen on.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from evals.gold import GoldItem, load_gold
from kb.gaps import THRESHOLD, Named, clusters, named
from kb.settings import LANGUAGES, Settings


@dataclass(frozen=True)
class Measure:
    """Clustering of ``items`` items at ``threshold``: the share of items kept together and of item pairs kept apart."""

    threshold: float
    items: int
    together: float
    apart: float
    clusters: int

    def line(self, name: str = "all") -> str:
        return (f"{name:>4}  threshold {self.threshold:.3f}  items {self.items:3d}  together {self.together:.3f}  "
                f"apart {self.apart:.3f}  clusters {self.clusters}")


def out_of_scope() -> list[GoldItem]:
    """The gold items a good answer declines, each with a question in every language."""
    return [item for item in load_gold() if item.abstain]


def measure(items: list[GoldItem], vectors: np.ndarray, threshold: float = THRESHOLD) -> Measure:
    """``vectors``: one per question, item by item in ``LANGUAGES`` order (as ``questions`` lists them)."""
    labels = clusters(vectors, threshold, names(items))
    per_item = [set(labels[n * len(LANGUAGES):(n + 1) * len(LANGUAGES)]) for n in range(len(items))]
    together = sum(len(found) == 1 for found in per_item) / len(items)
    pairs = list(combinations(per_item, 2))
    apart = sum(not (a & b) for a, b in pairs) / len(pairs)
    return Measure(threshold, len(items), together, apart, len(set(labels)))


def apart_within(items: list[GoldItem], vectors: np.ndarray, lang: str, threshold: float = THRESHOLD) -> float:
    """The share of item pairs kept apart when only ``lang``'s questions are clustered: a log in one language has
    no translations to pull each question towards its own item, so similar wordings meet more easily."""
    rows = [n * len(LANGUAGES) + LANGUAGES.index(lang) for n in range(len(items))]
    every = names(items)
    labels = clusters(vectors[rows], threshold, [every[row] for row in rows])
    pairs = list(combinations(labels, 2))
    return sum(a != b for a, b in pairs) / len(pairs)


def questions(items: list[GoldItem]) -> list[str]:
    return [item.questions[lang] for item in items for lang in LANGUAGES]


def names(items: list[GoldItem]) -> list[Named]:
    """Each question's language and the places it names, in ``questions`` order (``kb.gaps`` keeps apart two
    questions in one language that name different places)."""
    return [named(item.questions[lang], lang) for item in items for lang in LANGUAGES]


def failures(items: list[GoldItem], vectors: np.ndarray, threshold: float = THRESHOLD) -> list[str]:
    """What went wrong, item by item: an item split across clusters, two items sharing one."""
    labels = clusters(vectors, threshold, names(items))
    per_item = {item.item_id: labels[n * len(LANGUAGES):(n + 1) * len(LANGUAGES)] for n, item in enumerate(items)}
    found = [f"{name}: expected one cluster, got {len(set(got))} ({dict(zip(LANGUAGES, got))})"
             for name, got in per_item.items() if len(set(got)) > 1]
    found += [f"{a} and {b}: expected apart, got cluster {sorted(set(per_item[a]) & set(per_item[b]))} shared"
              for a, b in combinations(per_item, 2) if set(per_item[a]) & set(per_item[b])]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.gap_clusters", description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="thresholds 0.20 to 0.60 in steps of 0.025")
    parser.add_argument("--all-items", action="store_true", help="every gold item, not only the out-of-scope ones")
    args = parser.parse_args(argv)
    from kb.embedder import shared_embedder

    items = load_gold() if args.all_items else out_of_scope()
    vectors = shared_embedder(Settings.from_env().embed_model_path).embed_similar(questions(items))
    thresholds = np.arange(0.20, 0.6001, 0.025) if args.sweep else [args.threshold]
    for threshold in thresholds:
        print(measure(items, vectors, float(threshold)).line())
    if not args.sweep:
        for name in ("dev", "test"):
            index = [n for n, item in enumerate(items) if item.half == name]
            rows = [n * len(LANGUAGES) + k for n in index for k in range(len(LANGUAGES))]
            print(measure([items[n] for n in index], vectors[rows], args.threshold).line(name))
        print("apart within one language: " + ", ".join(
            f"{lang} {apart_within(items, vectors, lang, args.threshold):.3f}" for lang in LANGUAGES))
        for problem in failures(items, vectors, args.threshold):
            print(f"  {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
