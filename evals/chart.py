"""The PNG chart a trainer looks at: one panel per metric, languages along the x axis, one bar per system."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from evals.score import ALL, Figures

PANELS = ("hit@1", "hit@5", "mrr", "ndcg@10", "fact_recall", "citation_precision", "language_match",
          "abstention_recall")
COLUMNS = 4


def draw(figures: dict[str, dict[str, Figures]], path: Path, title: str) -> Path:
    """Write the chart to ``path``; missing values are drawn as empty bars."""
    systems = list(figures)
    langs = list(next(iter(figures.values())))
    langs = [*[x for x in langs if x != ALL], ALL]
    rows = -(-len(PANELS) // COLUMNS)
    # A bare Figure renders to a file without pyplot's global state or a display.
    fig = Figure(figsize=(4.2 * COLUMNS, 3.4 * rows + 0.8))
    axes = fig.subplots(rows, COLUMNS, sharey=True)
    width = 0.8 / len(systems)
    for ax, metric in zip(axes.flat, PANELS):
        for i, system in enumerate(systems):
            values = [figures[system][lang].get(metric) or 0.0 for lang in langs]
            xs = [x + (i - (len(systems) - 1) / 2) * width for x in range(len(langs))]
            ax.bar(xs, values, width, label=system, color=f"C{i}")
        ax.set_title(metric)
        ax.set_xticks(range(len(langs)), langs)
        ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(PANELS):]:
        ax.axis("off")
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="lower center", ncol=len(systems), frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(path, dpi=110)
    return path
