"""The overview picture of the case studies: how many by country, by topic and by year (matplotlib PNG).

Labels are in the page language when the machine has a font for its script (Noto CJK for
Japanese, a TLWG or Noto font for Thai); otherwise the chart falls back to English labels.
"""

from __future__ import annotations

import io
from collections import Counter
from contextlib import AbstractContextManager
from functools import lru_cache

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure  # pyplot is never imported: no GUI backend, safe in server threads
from matplotlib.ticker import MaxNLocator

from kb.vocabulary import country_name, topic_name
from ui.catalog import Catalog
from ui.texts import text

SCRIPT_FONTS = {"ja": ("NotoSansCJK", "NotoSansJP", "IPAGothic", "ipag"),
                "th": ("NotoSansThai", "Loma", "Garuda", "Sarabun")}
GREEN, TEAL, AMBER = "#2e7d5b", "#2b7a99", "#c9822b"


@lru_cache(maxsize=1)
def _script_fonts() -> dict[str, str]:
    """Font family per script that the machine has, registered with matplotlib (its cache may predate them)."""
    found: dict[str, str] = {}
    files = font_manager.findSystemFonts()
    for lang, patterns in SCRIPT_FONTS.items():
        for pattern in patterns:
            match = sorted((f for f in files if pattern.lower() in f.lower().replace("-", "").replace(" ", "")
                            and "mono" not in f.lower()), key=lambda f: ("bold" in f.lower(), len(f)))
            if match:
                for path in match:  # the regular and the bold face, for titles
                    font_manager.fontManager.addfont(path)
                found[lang] = font_manager.FontProperties(fname=match[0]).get_name()
                break
    return found


def chart_language(lang: str) -> str:
    """``lang`` when its script can be drawn here, else English."""
    return lang if lang in ("en", "id") or lang in _script_fonts() else "en"


def overview_png(catalog: Catalog, lang: str) -> bytes:
    """A PNG with three bar charts: case studies per country, per topic and per year."""
    buffer = io.BytesIO()
    with _fonts(lang):  # tick labels are made when the figure is drawn: they need the fonts too
        overview_figure(catalog, lang).savefig(buffer, format="png")
    return buffer.getvalue()


def _fonts(lang: str) -> AbstractContextManager[None]:
    families = [_script_fonts()[lang]] if lang in _script_fonts() else []
    return matplotlib.rc_context({"font.family": families + ["DejaVu Sans"], "font.size": 10})


def overview_figure(catalog: Catalog, lang: str) -> Figure:
    """The three bar charts as a matplotlib figure (its last axes are the years)."""
    lang = chart_language(lang)
    cases = list(catalog.cases.values())
    countries = Counter(c for case in cases for c in case.countries).most_common()
    topics = Counter(t for case in cases for t in case.topics).most_common()
    years = sorted(Counter(int(y) for case in cases for y in case.years if y.isdigit()).items())

    figure = Figure(figsize=(13, 4.6), dpi=100, layout="constrained")
    figure.patch.set_facecolor("white")
    with _fonts(lang):
        axes = figure.subplots(1, 3, width_ratios=[1, 1.1, 1.5])
        _bars(axes[0], [country_name(c, lang) for c, _ in countries], [n for _, n in countries], GREEN)
        axes[0].set_title(text("by_country", lang), loc="left", fontweight="bold")
        _bars(axes[1], [topic_name(t, lang) for t, _ in topics], [n for _, n in topics], TEAL)
        axes[1].set_title(text("by_topic", lang), loc="left", fontweight="bold")
        _years(axes[2], years)
        axes[2].set_title(text("by_year", lang), loc="left", fontweight="bold")
        axes[2].set_ylabel(text("count", lang))
        figure.suptitle(f'{text("overview", lang)} · {text("total", lang, cases=len(cases), langs=4)}',
                        fontsize=13, fontweight="bold", x=0.01, ha="left")
    return figure


def _years(axis, years: list[tuple[int, int]]) -> None:
    """Bars on a true time axis (a gap of 20 years looks like one), ticked on whole years and whole counts."""
    axis.bar([y for y, _ in years], [n for _, n in years], color=AMBER, width=0.8)
    if years:
        first, last = years[0][0], years[-1][0]
        axis.set_xlim(first - 0.6, last + 0.6)
        # The locator may place ticks past the data (2050 → 2060); only years within it are labelled.
        ticks = [t for t in MaxNLocator(nbins=8, integer=True).tick_values(first, last) if first <= t <= last]
        axis.set_xticks([int(t) for t in ticks] or [first])
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def _bars(axis, labels: list[str], counts: list[int], color: str) -> None:
    positions = range(len(labels))
    axis.barh(list(positions), counts, color=color)
    axis.set_yticks(list(positions), labels)
    axis.invert_yaxis()
    for y, count in zip(positions, counts):
        axis.text(count + 0.2, y, str(count), va="center", fontsize=9)
    axis.set_xlim(0, max(counts, default=1) * 1.15)
    axis.set_xticks([])
    for side in ("top", "right", "bottom"):
        axis.spines[side].set_visible(False)


def timeline_png(series: dict[str, dict[str, int]], names: dict[str, str], title: str, lang: str) -> bytes:
    """Stacked bars of counts per day (``series``: day ``YYYY-MM-DD`` -> {kind: count}), kinds named by ``names``
    in their stacking order; days with nothing asked are left as gaps on a true time axis."""
    from datetime import date

    lang = chart_language(lang)
    days = sorted(series)
    buffer = io.BytesIO()
    with _fonts(lang):
        figure = Figure(figsize=(9, 3), dpi=100, layout="constrained")
        figure.patch.set_facecolor("white")
        axis = figure.subplots()
        xs = [date.fromisoformat(day) for day in days]
        bottom = [0] * len(days)
        for kind, color in zip(names, (AMBER, TEAL, "#b8485f", GREEN)):
            heights = [series[day].get(kind, 0) for day in days]
            axis.bar(xs, heights, bottom=bottom, color=color, label=names[kind], width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights)]
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(title, loc="left", fontweight="bold")
        axis.legend(frameon=False, loc="upper left", fontsize=9)
        axis.set_ylim(0, max(bottom, default=1) * 1.3 + 0.5)
        figure.autofmt_xdate()
        for side in ("top", "right"):
            axis.spines[side].set_visible(False)
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
