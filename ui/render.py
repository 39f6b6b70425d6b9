"""HTML for the page: the question-and-answer thread, citation cards, case studies, status.

Every piece of text that comes from a user, the corpus or a model goes through ``html.escape``
before it meets markup, so a question like ``<img src=x onerror=alert(1)>`` is shown, never run.
"""

from __future__ import annotations

import re
from html import escape

from kb.records import Citation
from ui.backend import Status, Turn
from kb.library import Case
from kb.vocabulary import topic_name
from ui.catalog import Catalog
from ui.texts import LANG_NAMES, text

SHOWN_QUESTION_CHARS = 600
MARKER = re.compile(r"\[(\d+)\]")


def highlight(passage: str, sentences: list[str]) -> str:
    """``passage`` as escaped HTML with each of ``sentences`` wrapped in ``<mark>``.

    >>> highlight("A <b>. B & C.", ["B & C."])
    'A &lt;b&gt;. <mark>B &amp; C.</mark>'
    """
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        start = passage.find(sentence) if sentence else -1
        if start >= 0:
            spans.append((start, start + len(sentence)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(escape(passage[at:start]))
        out.append(f"<mark>{escape(passage[start:end])}</mark>")
        at = end
    out.append(escape(passage[at:]))
    return "".join(out)


def anchor(turn: int, n: int) -> str:
    return f"k{turn}-c{n}"


def link_markers(answer: str, turn: int, numbers: set[int]) -> str:
    """Escaped answer text whose ``[n]`` markers link to citation card ``n`` of this turn."""
    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="k-marker" href="#{anchor(turn, n)}" title="{n}">[{n}]</a>'

    return MARKER.sub(link, escape(answer)).replace("\n", "<br>")


def card(turn: int, citation: Citation, catalog: Catalog | None, lang: str) -> str:
    """One numbered citation card: title, place, year, source section, highlighted passage, original."""
    case = catalog.cases.get(citation.doc_id) if catalog else None
    meta = []
    if case and (place := catalog.place(case, lang)):
        meta.append(f'<span><b>{escape(text("place", lang))}</b> {escape(place)}</span>')
    if case and case.years:
        meta.append(f'<span><b>{escape(text("year", lang))}</b> {escape(", ".join(case.years))}</span>')
    if citation.source:
        meta.append(f'<span><b>{escape(text("section", lang))}</b> {escape(citation.source)}</span>')
    original_lang = case.original if case else "ja"
    if citation.lang == original_lang or not citation.original_text:
        original = f'<p class="k-is-original">{escape(text("is_original", lang))}</p>'
    else:
        original = (f'<details class="k-original"><summary>{escape(text("original", lang))}</summary>'
                    f'<blockquote lang="{escape(original_lang)}">{escape(citation.original_text)}</blockquote></details>')
    return (f'<article class="k-card" id="{anchor(turn, citation.n)}">'
            f'<header><span class="k-num">{citation.n}</span><h4 lang="{escape(citation.lang)}">'
            f'{escape(citation.title)}</h4></header>'
            f'<div class="k-meta">{"".join(meta)}</div>'
            f'<blockquote class="k-passage" lang="{escape(citation.lang)}">'
            f'{highlight(citation.text, citation.sentences)}</blockquote>{original}</article>')


def turn_html(turn: Turn, catalog: Catalog | None, pending: str = "") -> str:
    """A question bubble and what answers it: the answer with cards, an error, or ``pending`` progress."""
    shown = turn.question.strip()
    if len(shown) > SHOWN_QUESTION_CHARS:
        shown = shown[:SHOWN_QUESTION_CHARS] + "…"
    question = f'<div class="k-q"><div class="k-bubble">{escape(shown)}</div></div>'
    lang = escape(turn.lang)
    if pending or (turn.answer is None and not turn.error):
        body = unfinished_html(turn, pending)
    elif turn.error:
        body = f'<div class="k-a k-error" role="alert">{escape(turn.error)}</div>'
    else:
        answer = turn.answer
        assert answer is not None
        numbers = {c.n for c in answer.citations}
        notes = "".join(f"<li>{escape(note)}</li>" for note in turn.notes)
        notes = f'<ul class="k-notes">{notes}</ul>' if notes else ""
        cards = "".join(card(turn.n, c, catalog, turn.lang) for c in answer.citations)
        sources = (f'<h3 class="k-sources">{escape(text("sources", turn.lang))}</h3><div class="k-cards">{cards}</div>'
                   if cards else "")
        # A partial abstention names what is missing and shows the closest case as its card.
        kind = "k-partial" if answer.partial else "k-abstain" if answer.abstained else "k-answered"
        searched = (f'<p class="k-searched">{escape(text("searched_as", turn.lang, question=answer.searched))}</p>'
                    if answer.searched and answer.searched != answer.question else "")
        body = (f'<div class="k-a {kind}"><div class="k-answer" lang="{escape(answer.language)}">'
                f'{link_markers(answer.answer, turn.n, numbers)}</div>'
                f'{searched}{notes}{sources}'
                f'<div class="k-time">{escape(text("answered_in", turn.lang, seconds=f"{turn.seconds:.1f}"))}</div></div>')
    return f'<section class="k-turn" lang="{lang}" data-turn="{turn.n}">{question}{body}</section>'


def unfinished_html(turn: Turn, pending: str) -> str:
    """An answer not yet settled: ``pending`` progress under the verified draft so far, or the Stop note.

    Its ``[n]`` markers stay plain text: the cards they link to come with the final answer.
    """
    if not turn.draft and not turn.stopped:
        return f'<div class="k-a k-pending" role="status"><span class="k-spinner"></span>{escape(pending)}</div>'
    draft = f'<div class="k-answer k-draft">{escape(turn.draft).replace(chr(10), "<br>")}</div>' if turn.draft else ""
    if pending:
        after = f'<div class="k-progress" role="status"><span class="k-spinner"></span>{escape(pending)}</div>'
    else:
        after = f'<ul class="k-notes"><li>{escape(text("stopped", turn.lang))}</li></ul>'
    return f'<div class="k-a k-streaming">{draft}{after}</div>'


def thread_html(turns: list[Turn], catalog: Catalog | None, lang: str, pending: str = "") -> str:
    """The whole conversation, oldest first; the last turn shows ``pending`` while it is being answered."""
    if not turns:
        return f'<div class="k-thread"><p class="k-intro">{escape(text("intro", lang))}</p></div>'
    parts = [turn_html(t, catalog, pending if i == len(turns) - 1 else "") for i, t in enumerate(turns)]
    return f'<div class="k-thread">{"".join(parts)}</div>'


def header_html(lang: str) -> str:
    return (f'<div class="k-header"><h1>Kyodo <span lang="ja">協働</span></h1>'
            f'<p>{escape(text("subtitle", lang))}</p></div>')


def status_html(status: Status, lang: str) -> str:
    """The start-up banner: progress while loading or indexing, the reason when start-up failed."""
    if status.state == "ready":
        return ""
    if status.state == "failed":
        return f'<div class="k-status k-error" role="alert">{escape(text("failed", lang, detail=status.detail))}</div>'
    return (f'<div class="k-status" role="status"><span class="k-spinner"></span>{escape(text(status.state, lang))}'
            f'<div class="k-bar"><div></div></div></div>')


def case_html(case: Case | None, lang: str, catalog: Catalog) -> str:
    """A whole case study in ``lang`` (the original when untranslated), with its metadata."""
    if case is None:
        return ""
    shown, passages = case.text(lang)
    missing = text("not_translated", lang, language=LANG_NAMES.get(lang, lang))
    note = "" if shown == lang else f'<p class="k-notes">{escape(missing)}</p>'
    meta = [(text("place", lang), catalog.place(case, lang)), (text("year", lang), ", ".join(case.years)),
            (text("topics", lang), ", ".join(topic_name(t, lang) for t in case.topics)),
            (text("section", lang), case.source)]
    rows = "".join(f"<span><b>{escape(k)}</b> {escape(v)}</span>" for k, v in meta if v)
    body = "".join(f"<p>{escape(p)}</p>" for p in passages)
    return (f'<article class="k-case" lang="{escape(shown)}"><h2>{escape(case.title(shown))}</h2>'
            f'<div class="k-meta">{rows}</div>{note}<div class="k-case-text">{body}</div></article>')
