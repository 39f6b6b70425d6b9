"""The Maintain tab's Gaps view: what partner cities asked that the cases do not answer, for a logged-in maintainer.

The question log's declined, partly answered and 👎 questions, similar ones (in any language) grouped into one row
with a count (``kb.gaps``), a chart of them over time, and the rows as CSV (``kb.gap_report``). It holds every
question asked, so ``/gap_report`` and ``/export_gaps`` check the maintainer's login on the server, as every write
does (``check``, from ``ui.maintain``).
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import gradio as gr
from PIL import Image

from kb.errors import KyodoError
from kb.gap_report import case_labels, languages_text, write
from kb.gaps import Gap, about, find_gaps
from kb.question_log import Logged, parse_day
from kb.settings import LANGUAGES
from kb.vocabulary import translate
from ui.backend import Backend
from ui.chart import timeline_png
from ui.errors import refuse
from ui.relabel import Labels

log = logging.getLogger("kyodo.ui")
Check = Callable[[str, str, "gr.Request | None"], str]  # (session, action, request) -> the maintainer, or refuse

TEXTS: dict[str, dict[str, str]] = {
    "title": {"ja": "### 事例集が答えられなかった質問", "en": "### Gaps: what the cases do not answer",
              "id": "### Celah: yang tidak dijawab kasus", "th": "### ช่องว่าง: คำถามที่กรณีศึกษาตอบไม่ได้"},
    # No emoji in the page's texts: a machine without an emoji font shows a box (the thumbs are drawn by CSS).
    "intro": {"ja": "回答を控えた質問、一部だけ答えた質問、「役に立たない」と評価された質問です。似た質問は言語を問わず1行に"
                    "まとめ、件数を示します。",
              "en": "Questions that were declined, partly answered or rated Not useful; similar questions, in any "
                    "language, are one row with a count.",
              "id": "Pertanyaan yang ditolak, dijawab sebagian, atau dinilai Tidak berguna; pertanyaan serupa, dalam "
                    "bahasa apa pun, menjadi satu baris dengan jumlahnya.",
              "th": "คำถามที่ระบบปฏิเสธ ตอบได้บางส่วน หรือถูกประเมินว่าไม่มีประโยชน์ คำถามที่คล้ายกันไม่ว่าภาษาใด"
                    "รวมเป็นแถวเดียวพร้อมจำนวน"},
    "since": {"ja": "開始日（YYYY-MM-DD）", "en": "From (YYYY-MM-DD)", "id": "Sejak (YYYY-MM-DD)",
              "th": "ตั้งแต่ (YYYY-MM-DD)"},
    "language": {"ja": "言語", "en": "Language", "id": "Bahasa", "th": "ภาษา"},
    "topic": {"ja": "テーマ（最も近い事例の）", "en": "Topic (of the nearest case)", "id": "Topik (kasus terdekat)",
              "th": "หัวข้อ (ของกรณีที่ใกล้ที่สุด)"},
    "all": {"ja": "すべて", "en": "All", "id": "Semua", "th": "ทั้งหมด"},
    "show": {"ja": "表示", "en": "Show gaps", "id": "Tampilkan", "th": "แสดง"},
    "export": {"ja": "CSVで書き出す", "en": "Export gaps (CSV)", "id": "Ekspor (CSV)", "th": "ส่งออก (CSV)"},
    "summary": {"ja": "{questions} 件の質問、{gaps} グループ", "en": "{questions} questions in {gaps} groups",
                "id": "{questions} pertanyaan dalam {gaps} kelompok", "th": "{questions} คำถาม ใน {gaps} กลุ่ม"},
    "none": {"ja": "該当する質問はありません", "en": "No declined, partly answered or Not useful questions",
             "id": "Tidak ada pertanyaan yang ditolak, dijawab sebagian, atau dinilai Tidak berguna",
             "th": "ไม่มีคำถามที่ถูกปฏิเสธ ตอบได้บางส่วน หรือถูกประเมินว่าไม่มีประโยชน์"},
    "count": {"ja": "件数", "en": "Asked", "id": "Jumlah", "th": "จำนวน"},
    "languages": {"ja": "言語別", "en": "Languages", "id": "Bahasa", "th": "ภาษา"},
    "outcomes": {"ja": "回答なし / 一部 / 役に立たない", "en": "Declined / partial / not useful",
                 "id": "Ditolak / sebagian / tidak berguna", "th": "ปฏิเสธ / บางส่วน / ไม่มีประโยชน์"},
    "case": {"ja": "最も近い事例", "en": "Nearest case", "id": "Kasus terdekat", "th": "กรณีที่ใกล้ที่สุด"},
    "places": {"ja": "地名", "en": "Places", "id": "Tempat", "th": "สถานที่"},
    "question": {"ja": "質問", "en": "Question", "id": "Pertanyaan", "th": "คำถาม"},
    "declined": {"ja": "回答なし", "en": "declined", "id": "ditolak", "th": "ปฏิเสธ"},
    "partial": {"ja": "一部回答", "en": "partial", "id": "sebagian", "th": "บางส่วน"},
    "down": {"ja": "役に立たない", "en": "not useful", "id": "tidak berguna", "th": "ไม่มีประโยชน์"},
    "per_day": {"ja": "日ごとの件数", "en": "Per day", "id": "Per hari", "th": "ต่อวัน"},
}
HEADERS = ("count", "question", "languages", "outcomes", "case", "places")
WIDTHS = ["7%", "37%", "13%", "12%", "21%", "10%"]  # the question first and widest: it is what a maintainer reads


def text(key: str, lang: str, **values: object) -> str:
    """This view's text ``key`` in ``lang``, placeholders filled strictly."""
    return translate(TEXTS, key, lang, **values)


def gap_table(gaps: list[Gap], lang: str) -> dict[str, list]:
    """One row per gap, headed in ``lang``; the question is shown in ``lang`` when it was asked in it."""
    data = [[gap.count, gap.examples().get(lang) or gap.example, languages_text(gap),
             f"{gap.declined} / {gap.partial} / {gap.down}", gap.label.title or "-", ", ".join(gap.places)]
            for gap in gaps]
    return {"headers": [text(key, lang) for key in HEADERS], "data": data}


def per_day(rows: list[Logged]) -> dict[str, dict[str, int]]:
    """Gap questions per UTC day, by what happened to them."""
    series: dict[str, dict[str, int]] = {}
    for row in rows:
        kind = row.outcome if row.outcome != "answered" else "down"
        day = series.setdefault(row.asked_at[:10], {})
        day[kind] = day.get(kind, 0) + 1
    return series


def language_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("all", lang), "all"), *((code, code) for code in LANGUAGES)]


def topic_choices(backend: Backend, lang: str) -> list[tuple[str, str]]:
    """Every topic of the served cases: a trainer sees what was asked about a topic before a session on it."""
    cases = backend.catalog_or_none()
    return [(text("all", lang), "all"), *(cases.choices("topics", lang) if cases else [])]


def gaps_view(backend: Backend, page: gr.State, token: gr.State, check: Check) -> None:
    """The view, built inside the Maintain tab; ``token`` is the tab's login session."""
    labels = Labels(text)
    labels.add(gr.Markdown(text("title", "en"), elem_id="k-gaps-title"), "title")
    labels.add(gr.Markdown(text("intro", "en"), elem_id="k-gaps-intro"), "intro")
    with gr.Row(equal_height=True):
        since = labels.add(gr.Textbox(label=text("since", "en"), placeholder="2026-12-01", scale=2,
                                      elem_id="k-gaps-since"), "since")
        language = gr.Dropdown(language_choices("en"), value="all", label=text("language", "en"), scale=1,
                               elem_id="k-gaps-lang")
        labels.add_update(language, lambda lang: gr.Dropdown(language_choices(lang), label=text("language", lang)))
        # Values outside the choices are allowed: the choices appear once the index is loaded.
        topic = gr.Dropdown(topic_choices(backend, "en"), value="all", allow_custom_value=True,
                            label=text("topic", "en"), scale=2, elem_id="k-gaps-topic")
        labels.add_update(topic, lambda lang: gr.Dropdown(topic_choices(backend, lang), label=text("topic", lang)))
        show = labels.add(gr.Button(text("show", "en"), variant="primary", scale=1, elem_id="k-gaps-show"), "show")
        export = labels.add(gr.Button(text("export", "en"), scale=1, elem_id="k-gaps-export"), "export")
    summary = gr.Markdown("", elem_id="k-gaps-summary")
    table = gr.Dataframe(gap_table([], "en"), interactive=False, wrap=True, column_widths=WIDTHS,
                         elem_id="k-gaps-table")
    labels.add_update(table, lambda lang: gr.Dataframe(gap_table([], lang)))
    chart = gr.Image(type="pil", format="png", show_label=False, visible=False, elem_id="k-gaps-chart")
    export_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="k-gaps-file")

    def gaps(since_text: str, only: str, tag: str, lang: str, user: str) -> tuple[list[Logged], list[Gap]]:
        try:
            since_day = parse_day(since_text, text("since", "en")) if (since_text or "").strip() else None
            # Read even while KYODO_QUESTION_LOG=off keeps new questions out.
            rows = backend.questions.rows(since_day, only if only in LANGUAGES else None)
            embedder = backend.kb.embedder
            found = find_gaps(rows, lambda texts: backend.questions.vectors(texts, embedder.embed_similar,
                                                                            backend.settings.embed_model_key),
                              label=case_labels(backend.kb.library, lang))
        except KyodoError as exc:
            raise refuse(f"gap report by {user}", str(exc)) from exc
        if tag and tag != "all":
            found = about(found, tag)
            rows = [row for gap in found for row in gap.questions]
        return [row for row in rows if row.gap], found

    def do_show(since_text: str, only: str, tag: str, session: str, lang: str, request: gr.Request):
        user = check(session, "gap report", request)
        rows, found = gaps(since_text, only, tag, lang, user)
        log.info("gap report by %s: %d gaps", user, len(found))
        if not found:
            return text("none", lang), gap_table([], lang), None
        names = {kind: text(kind, lang) for kind in ("declined", "partial", "down")}
        png = timeline_png(per_day(rows), names, text("per_day", lang), lang)
        return (text("summary", lang, questions=len(rows), gaps=len(found)), gap_table(found, lang),
                Image.open(io.BytesIO(png)))

    def do_export(since_text: str, only: str, tag: str, session: str, lang: str, request: gr.Request) -> str:
        user = check(session, "gap export", request)
        _rows, found = gaps(since_text, only, tag, lang, user)
        path = Path(tempfile.mkdtemp(prefix="kyodo-gaps-")) / f"kyodo-gaps-{datetime.now():%Y%m%d-%H%M%S}.csv"
        write(found, path)
        log.info("gaps exported by %s: %d rows", user, len(found))
        return str(path)

    inputs = [since, language, topic, token, page]
    # The picture alone (API clients get a file, not a component update), then the box is shown when there is one.
    show.click(do_show, inputs, [summary, table, chart], api_name="gap_report").then(
        lambda image: gr.Image(visible=image is not None), chart, chart, api_visibility="private")
    export.click(do_export, inputs, export_file, api_name="export_gaps").then(
        lambda: gr.File(visible=True), None, export_file, api_visibility="private")

    def relabel(lang: str) -> dict:
        return labels.updates(lang if lang in LANGUAGES else "en")

    page.change(relabel, page, labels.outputs, api_visibility="private")
