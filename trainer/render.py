"""A session pack as Markdown (to edit or share) and as HTML (for the printable PDF), from the same records.

Every piece of text from the corpus or a question goes through ``html.escape`` in the HTML, and
Markdown's emphasis characters are escaped in the Markdown, so a case's text is shown as written.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from kb.records import Citation
from kb.figures import Figure
from trainer.pack import CasePack, Pack
from trainer.texts import text

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MD_SPECIAL = re.compile(r"([\\*_`<>])")
CSS = (Path(__file__).resolve().parent / "pack.css").read_text(encoding="utf-8")


def md(value: str) -> str:
    """Text with Markdown's inline special characters escaped.

    >>> md("a_b *c* <x>")
    'a\\\\_b \\\\*c\\\\* \\\\<x\\\\>'
    """
    return MD_SPECIAL.sub(r"\\\1", value)


def _quoted(value: str, lang: str) -> str:
    return f"「{value}」" if lang == "ja" else f"“{value}”"


def _joiner(lang: str) -> str:
    return "" if lang == "ja" else " "


def _meta(case: CasePack, lang: str) -> list[tuple[str, str]]:
    rows = [(text("place", lang), case.place)] if case.place else []
    if case.years:
        rows.append((text("years", lang), ", ".join(case.years)))
    rows.append((text("section", lang), f"{case.section} ({case.doc_id})"))
    return rows


def _bold_value(figure: Figure, mark: tuple[str, str], quote) -> str:
    """The figure's context, quoted, with the number itself in bold."""
    at = figure.context.find(figure.value)
    if at < 0:
        return quote(figure.context)
    return (quote(figure.context[:at]) + mark[0] + quote(figure.value) + mark[1]
            + quote(figure.context[at + len(figure.value):]))


def to_markdown(pack: Pack) -> str:
    """The pack as one Markdown document."""
    lang = pack.request.lang
    out = [f"# {md(pack.title)}", "", text("intro", lang, count=len(pack.cases)), "",
           f"_{text('made', lang, date=pack.made)}_", ""]
    for number, case in enumerate(pack.cases, 1):
        out += [f"## {number}. {md(case.title)}", ""]
        out += [f"- **{name}:** {md(value)}" for name, value in _meta(case, lang)] + [""]
        out += [f"### {text('summary', lang)}", "",
                _joiner(case.lang).join(f"{md(q.sentence)}{_joiner(case.lang)}[{q.citation}]" for q in case.summary), ""]
        out += [f"### {text('figures', lang)}", ""]
        out += [f"- **{md(f.value)}**: {_quoted(_bold_value(f, ('**', '**'), md), case.lang)} [{f.citation}]"
                for f in case.figures]
        out += [text("no_figures", lang)] if not case.figures else []
        out += ["", f"### {text('questions', lang)}", ""]
        for n, item in enumerate(case.questions, 1):
            out += [f"{n}. **{md(item.question)}**", "", f"   {text('answer', lang)}: {md(item.answer)}", ""]
        out += [f"### {text('sources', lang)}", ""]
        for source in case.sources:
            out += _md_source(source, lang)
    return "\n".join(out).rstrip() + "\n"


def _md_source(source: Citation, lang: str) -> list[str]:
    lines = [f"[{source.n}] {md(source.title)} — {md(source.source)} ({source.doc_id}, {source.lang})", ""]
    lines += [f"> {md(line)}" if line.strip() else ">" for line in source.text.splitlines()]
    if source.original_text != source.text:
        lines += [">", f"> {text('original', lang)}:", ">"]
        lines += [f"> {md(line)}" if line.strip() else ">" for line in source.original_text.splitlines()]
    return lines + [""]


def to_html(pack: Pack) -> str:
    """The pack as a standalone HTML page, styled for A4 printing (``trainer/pack.css``)."""
    lang = pack.request.lang
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(pack.title)}</title>',
             f"<style>{CSS}</style></head><body>",
             f"<header><h1>{escape(pack.title)}</h1><p>{escape(text('intro', lang, count=len(pack.cases)))}</p>",
             f'<p class="made">{escape(text("made", lang, date=pack.made))}</p></header>']
    for number, case in enumerate(pack.cases, 1):
        parts.append(_html_case(number, case, lang))
    parts.append("</body></html>")
    return "".join(parts)


def script_lang(value: str, fallback: str) -> str:
    """``ja`` for text with kana or kanji (so the PDF picks Japanese glyphs), else ``fallback``."""
    return "ja" if JAPANESE.search(value) else fallback


def _paragraphs(value: str, lang: str) -> str:
    return "".join(f'<p lang="{lang}">{escape(p)}</p>' for p in value.split("\n\n") if p.strip())


def _html_source(source: Citation, lang: str) -> str:
    original = ""
    if source.original_text != source.text:
        original = (f'<div class="orig"><p class="label">{escape(text("original", lang))}</p>'
                    f"{_paragraphs(source.original_text, script_lang(source.original_text, source.lang))}</div>")
    return (f'<li value="{source.n}"><p class="src">{escape(source.title)} — {escape(source.source)} '
            f'<span class="id">({escape(source.doc_id)}, {source.lang})</span></p>'
            f"{_paragraphs(source.text, source.lang)}{original}</li>")


def _html_case(number: int, case: CasePack, lang: str) -> str:
    meta = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in _meta(case, lang))
    summary = _joiner(case.lang).join(f"{escape(q.sentence)}<sup>[{q.citation}]</sup>" for q in case.summary)
    figures = "".join(f'<li><b>{escape(f.value)}</b> {_quoted(_bold_value(f, ("<b>", "</b>"), escape), case.lang)} '
                      f"<sup>[{f.citation}]</sup></li>" for f in case.figures)
    questions = "".join(f'<li><p class="q">{escape(item.question)}</p><p class="a"><span>{escape(text("answer", lang))}:'
                        f"</span> {escape(item.answer)}</p></li>" for item in case.questions)
    sources = "".join(_html_source(s, lang) for s in case.sources)
    return (f'<section class="case"><h2>{number}. {escape(case.title)}</h2><dl>{meta}</dl>'
            f'<h3>{escape(text("summary", lang))}</h3><p lang="{case.lang}">{summary}</p>'
            f'<h3>{escape(text("figures", lang))}</h3>'
            + (f"<ul class='figures'>{figures}</ul>" if figures else f"<p>{escape(text('no_figures', lang))}</p>")
            + f'<h3>{escape(text("questions", lang))}</h3><ol class="questions">{questions}</ol>'
            f'<h3>{escape(text("sources", lang))}</h3><ol class="sources">{sources}</ol></section>')
