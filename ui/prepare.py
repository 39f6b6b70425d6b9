"""The trainers' tabs: "Prepare a session" (a session pack as Markdown and PDF) and "Batch questions".

Built inside the caller's ``gr.Tabs`` by ``prepare_tabs(backend, page)``; they relabel themselves
when ``page`` (the page language) changes. The work is ``trainer.pack``/``trainer.render``/``trainer.pdf``
and ``trainer.batch``; here it is wired to components, with a progress bar. One pack or batch runs at
a time (they use most of the CPU); answering questions in the Ask tab goes on beside them.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import gradio as gr

from kb.errors import KyodoError
from kb.settings import LANGUAGES
from kb.vocabulary import translate
from trainer.batch import answer_all, read_questions, write
from trainer.files import slug, write_pack
from trainer.pack import build_pack
from trainer.render import to_markdown
from trainer.select import MAX_CASES, PackRequest
from ui.backend import Backend
from ui.catalog import FIELDS
from ui.errors import refuse
from ui.relabel import Labels, filter_choices
from ui.texts import AUTO, LANG_NAMES
from ui.texts import text as page_text

BATCH_TYPES = [".csv", ".txt", ".jsonl"]
PREVIEW_ROWS = 50

TEXTS: dict[str, dict[str, str]] = {
    "tab_pack": {"ja": "研修の準備", "en": "Prepare a session", "id": "Siapkan sesi", "th": "เตรียมการฝึกอบรม"},
    "pack_intro": {
        "ja": "テーマ・分野・都市・国を選ぶと、Kyodo が関連する事例を検索して研修用資料（要約、主な数字、話し合いのための"
              "質問と回答、出典）を作ります。Markdown と印刷用 PDF をダウンロードできます。",
        "en": "Choose a theme, topics, cities or countries: Kyodo finds the relevant case studies and makes a session pack "
              "(summaries, key figures, discussion questions with answers, sources) to download as Markdown and PDF.",
        "id": "Pilih tema, topik, kota, atau negara: Kyodo mencari studi kasus yang relevan dan membuat paket sesi "
              "(ringkasan, angka penting, pertanyaan diskusi beserta jawaban, sumber) dalam Markdown dan PDF.",
        "th": "เลือกหัวข้อ สาขา เมือง หรือประเทศ แล้ว Kyodo จะค้นหากรณีศึกษาที่เกี่ยวข้องและจัดทำชุดเอกสาร (สรุป ตัวเลขสำคัญ "
              "คำถามอภิปรายพร้อมคำตอบ แหล่งที่มา) ให้ดาวน์โหลดเป็น Markdown และ PDF",
    },
    "theme": {"ja": "テーマ（自由記述、任意）", "en": "Theme (free text, optional)", "id": "Tema (bebas, opsional)",
              "th": "หัวข้อ (พิมพ์เอง ไม่บังคับ)"},
    "participants": {"ja": "参加者の言語", "en": "Participants' language", "id": "Bahasa peserta",
                     "th": "ภาษาของผู้เข้าอบรม"},
    "cases": {"ja": "事例の数", "en": "Number of case studies", "id": "Jumlah studi kasus", "th": "จำนวนกรณีศึกษา"},
    "build": {"ja": "資料を作成する", "en": "Build the session pack", "id": "Buat paket sesi", "th": "สร้างชุดเอกสาร"},
    "downloads": {"ja": "ダウンロード", "en": "Download", "id": "Unduh", "th": "ดาวน์โหลด"},
    "selecting": {"ja": "事例を選んでいます…", "en": "Choosing the case studies…", "id": "Memilih studi kasus…",
                  "th": "กำลังเลือกกรณีศึกษา…"},
    "printing": {"ja": "PDF を作成しています…", "en": "Making the PDF…", "id": "Membuat PDF…", "th": "กำลังสร้าง PDF…"},
    "tab_batch": {"ja": "まとめて質問", "en": "Batch questions", "id": "Pertanyaan massal", "th": "ถามหลายคำถาม"},
    "batch_intro": {
        "ja": "質問の一覧をアップロードしてください：`question` 列のある CSV（`id`・`lang` 列は任意）か、1行に1問のテキスト。"
              "日本語・英語・インドネシア語・タイ語が使えます。回答と出典を CSV と Markdown でダウンロードできます。",
        "en": "Upload a list of questions: a CSV with a `question` column (optional `id` and `lang` columns), or a text file "
              "with one question per line, in Japanese, English, Indonesian or Thai. Download the answers with their "
              "sources as CSV and Markdown.",
        "id": "Unggah daftar pertanyaan: CSV dengan kolom `question` (kolom `id` dan `lang` opsional), atau berkas teks "
              "satu pertanyaan per baris, dalam bahasa Jepang, Inggris, Indonesia, atau Thai. Unduh jawaban beserta "
              "sumbernya sebagai CSV dan Markdown.",
        "th": "อัปโหลดรายการคำถาม: CSV ที่มีคอลัมน์ `question` (คอลัมน์ `id` และ `lang` ไม่บังคับ) หรือไฟล์ข้อความ "
              "บรรทัดละหนึ่งคำถาม เป็นภาษาญี่ปุ่น อังกฤษ อินโดนีเซีย หรือไทย แล้วดาวน์โหลดคำตอบพร้อมแหล่งที่มาเป็น CSV และ Markdown",
    },
    "questions_file": {"ja": "質問のファイル", "en": "Questions file", "id": "Berkas pertanyaan", "th": "ไฟล์คำถาม"},
    "answer_in": {"ja": "回答の言語", "en": "Answer language", "id": "Bahasa jawaban", "th": "ภาษาของคำตอบ"},
    "run": {"ja": "すべてに回答する", "en": "Answer all", "id": "Jawab semua", "th": "ตอบทั้งหมด"},
    "no_file": {"ja": "先に質問のファイルを選んでください", "en": "Choose a questions file first",
                "id": "Pilih berkas pertanyaan dahulu", "th": "โปรดเลือกไฟล์คำถามก่อน"},
    "answering": {"ja": "回答しています", "en": "Answering", "id": "Menjawab", "th": "กำลังตอบ"},
    "answered": {"ja": "{count}問に {seconds} 秒で回答しました（回答なし {abstained} 問）。",
                 "en": "Answered {count} questions in {seconds} s ({abstained} not answered by the case studies).",
                 "id": "{count} pertanyaan dijawab dalam {seconds} detik ({abstained} tidak terjawab oleh studi kasus).",
                 "th": "ตอบ {count} คำถามใน {seconds} วินาที (กรณีศึกษาไม่ได้ตอบ {abstained} คำถาม)"},
    "id": {"ja": "番号", "en": "ID", "id": "ID", "th": "ลำดับ"},
    "question": {"ja": "質問", "en": "Question", "id": "Pertanyaan", "th": "คำถาม"},
    "answer": {"ja": "回答", "en": "Answer", "id": "Jawaban", "th": "คำตอบ"},
    "sources": {"ja": "出典", "en": "Sources", "id": "Sumber", "th": "แหล่งที่มา"},
    "results": {"ja": "結果", "en": "Results", "id": "Hasil", "th": "ผลลัพธ์"},
}


def text(key: str, lang: str, **values: object) -> str:
    """This module's text ``key`` in ``lang`` (English when untranslated), placeholders filled strictly."""
    return translate(TEXTS, key, lang, **values)


def preview_table(results: list, lang: str) -> dict[str, list]:
    """The first rows of a batch as the page shows them."""
    rows = []
    for result in results[:PREVIEW_ROWS]:
        a = result.answer
        sources = "; ".join(f"[{c.n}] {c.doc_id}" for c in a.citations) if a else ""
        rows.append([result.item.id, result.item.question, a.answer if a else result.error, sources])
    return {"headers": [text(k, lang) for k in ("id", "question", "answer", "sources")], "data": rows}


def prepare_tabs(backend: Backend, page: gr.State) -> None:
    """Both tabs, built inside the caller's ``gr.Tabs``."""
    start = backend.catalog_or_none()
    languages = [(LANG_NAMES[code], code) for code in LANGUAGES]
    labels = Labels(text)
    with labels.add(gr.Tab(text("tab_pack", "en"), id="prepare"), "tab_pack"):
        labels.add(gr.Markdown(text("pack_intro", "en"), elem_id="k-pack-intro"), "pack_intro")
        with gr.Row():
            theme = labels.add(gr.Textbox(label=text("theme", "en"), scale=3, elem_id="k-pack-theme"), "theme")
            participants = labels.add(gr.Radio(languages, value="en", label=text("participants", "en"), scale=2,
                                               elem_id="k-pack-lang"), "participants")
            cases = labels.add(gr.Slider(1, MAX_CASES, value=5, step=1, label=text("cases", "en"), scale=1,
                                         min_width=240, elem_id="k-pack-cases"), "cases")
        with gr.Row():
            pickers = {name: gr.Dropdown(start.choices(name, "en") if start else [], value=[], multiselect=True,
                                         allow_custom_value=True, label=page_text(name, "en"),
                                         elem_id=f"k-pack-{name}") for name in FIELDS}
        for name, picker in pickers.items():
            labels.add_update(picker, lambda lang, name=name: filter_choices(backend, name, lang))
        build = labels.add(gr.Button(text("build", "en"), variant="primary", elem_id="k-pack-build"), "build")
        pack_files = labels.add(gr.File(label=text("downloads", "en"), file_count="multiple", interactive=False,
                                        elem_id="k-pack-files"), "downloads")
        pack_view = gr.Markdown("", elem_id="k-pack-view")
    with labels.add(gr.Tab(text("tab_batch", "en"), id="batch"), "tab_batch"):
        labels.add(gr.Markdown(text("batch_intro", "en"), elem_id="k-batch-intro"), "batch_intro")
        with gr.Row():
            upload = labels.add(gr.File(label=text("questions_file", "en"), file_types=BATCH_TYPES, type="filepath",
                                        scale=3, elem_id="k-batch-file"), "questions_file")
            answer_in = gr.Dropdown([(page_text("auto", "en"), AUTO)] + languages, value=AUTO,
                                    label=text("answer_in", "en"), scale=1, elem_id="k-batch-lang")
            labels.add_update(answer_in, lambda lang: gr.Dropdown([(page_text("auto", lang), AUTO)] + languages,
                                                                  label=text("answer_in", lang)))
        run = labels.add(gr.Button(text("run", "en"), variant="primary", elem_id="k-batch-run"), "run")
        batch_note = gr.Markdown("", elem_id="k-batch-note")
        batch_files = labels.add(gr.File(label=text("downloads", "en"), file_count="multiple", interactive=False,
                                         elem_id="k-batch-files"), "downloads")
        batch_table = labels.add(gr.Dataframe(preview_table([], "en"), interactive=False, wrap=True,
                                              label=text("results", "en"), column_widths=["12%", "25%", "48%", "15%"],
                                              elem_id="k-batch-table"), "results")

    def ready() -> None:
        status = backend.wait()
        if status.state == "failed":
            raise refuse("session pack or batch", page_text("failed", "en", detail=status.detail))

    def make_pack(theme_text: str, lang: str, count: float, countries: list[str], cities: list[str],
                  topics: list[str], shown: str, progress: gr.Progress = gr.Progress()) -> tuple[list[str], str]:
        request = PackRequest(theme_text or "", tuple(topics or ()), tuple(cities or ()), tuple(countries or ()),
                              lang if lang in LANGUAGES else "en", int(count))
        try:
            request.check()
            ready()
            steps = {"select": text("selecting", shown), "done": text("printing", shown)}
            pack = build_pack(backend.kb, request,
                              lambda fraction, step: progress(0.9 * fraction, desc=steps.get(step, step)))
            folder = Path(tempfile.mkdtemp(prefix="kyodo-pack-"))
            name = slug(request.theme or "-".join(request.topics + request.cities + request.countries))
            paths = write_pack(pack, folder / f"kyodo-pack-{name}-{request.lang}")
        except KyodoError as exc:
            raise refuse("session pack", str(exc)) from exc
        return [str(p) for p in paths], to_markdown(pack)

    def run_batch(path: str | None, choice: str, shown: str,
                  progress: gr.Progress = gr.Progress()) -> tuple[list[str], str, dict]:
        if not path:
            raise refuse("batch questions", text("no_file", shown))
        started = datetime.now()
        try:
            items = read_questions(Path(path), Path(path).name)
            ready()
            fixed = choice if choice in LANGUAGES else None
            results = list(answer_all(backend.kb, items, fixed, lambda done, total: progress(
                (done, total), desc=text("answering", shown), unit="questions")))
            for result in results:  # asked on the page, so logged as the Ask tab's questions are
                if result.answer is not None:
                    backend.questions.record(result.answer, "web")
            folder = Path(tempfile.mkdtemp(prefix="kyodo-answers-"))
            stem = f"kyodo-answers-{started:%Y%m%d-%H%M%S}"
            paths = [folder / f"{stem}.csv", folder / f"{stem}.md"]
            for out in paths:
                write(results, out, fixed or shown)
        except KyodoError as exc:
            raise refuse("batch questions", str(exc)) from exc
        seconds = (datetime.now() - started).total_seconds()
        abstained = sum(1 for r in results if r.answer and r.answer.abstained)
        note = text("answered", shown, count=len(results), seconds=f"{seconds:.0f}", abstained=abstained)
        return [str(p) for p in paths], note, preview_table(results, shown)

    def relabel(lang: str) -> dict:
        return labels.updates(lang if lang in LANGUAGES else "en")

    # One pack or batch at a time: each uses most of the CPU for a minute or more.
    build.click(make_pack, [theme, participants, cases, *pickers.values(), page], [pack_files, pack_view],
                api_name="session_pack", concurrency_limit=1, concurrency_id="trainer")
    run.click(run_batch, [upload, answer_in, page], [batch_files, batch_note, batch_table], api_name="batch_answers",
              concurrency_limit=1, concurrency_id="trainer")
    page.change(relabel, page, labels.outputs, api_visibility="private")
