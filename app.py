"""Kyodo's web page: ask about the case studies in ja/en/id/th, read cited answers, browse every case.

The only module that knows Gradio. ``build_app(settings)`` makes the page without serving it;
``launch()`` serves it (``python app.py`` or ``kyodo serve``). The work behind the page lives
in ``ui/`` (backend, catalog, HTML, chart, texts) and ``kb/``; here it is wired to components.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from PIL import Image

from kb.errors import KyodoError
from kb.settings import LANGUAGES, Settings
from ui.backend import Backend, Turn
from ui.catalog import FIELDS, Catalog
from ui.chart import overview_png
from ui.render import case_html, header_html, status_html, thread_html
from ui.texts import AUTO, EXAMPLES, LANG_NAMES, text

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home
import gradio as gr  # noqa: E402  (must come after the line above)
from ui.maintain import MAX_BYTES, maintain_tab  # noqa: E402  (imports gradio too)
from ui.prepare import prepare_tabs  # noqa: E402  (imports gradio too)

# Answering costs ~0.1-1 s of CPU per question on 2 cores; four at once interleave without
# thrashing, and the queue holds the rest (each waits seconds, not minutes).
CONCURRENCY = 4
QUEUE_SIZE = 64
CSS = (Path(__file__).resolve().parent / "ui" / "style.css").read_text(encoding="utf-8")
SCROLL_TO_ANSWER = """() => { const turns = document.querySelectorAll('#k-thread .k-turn');
  if (turns.length) turns[turns.length - 1].scrollIntoView({block: 'start'}); }"""
log = logging.getLogger("kyodo.ui")
# Gradio's bundled font, served by the app itself (no font CDN). Its SemiBold file holds only 55 glyphs
# (A and B, no other letters), so 600 would mix two fonts in every title: semibold text uses Bold instead.
THEME = gr.themes.Default(primary_hue="emerald", secondary_hue="teal",
                          font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif",
                                "system-ui", "sans-serif"))


def browser_language(accept: str) -> str:
    """The first supported language in an ``Accept-Language`` header, else English.

    >>> browser_language("th-TH,th;q=0.9,en;q=0.8")
    'th'
    """
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def build_app(settings: Settings | None = None, backend: Backend | None = None) -> gr.Blocks:
    """The whole page; nothing is served and no model is loaded until ``launch``."""
    backend = backend or Backend(settings or Settings.from_env())
    charts: dict[tuple[str, str], Image.Image] = {}

    def catalog() -> Catalog | None:
        try:
            return backend.catalog
        except KyodoError:
            return None

    def chart(lang: str) -> Image.Image | None:
        cases = catalog()
        if cases is None:
            return None
        key = (backend.kb.retriever.generation, lang)
        if key not in charts:
            charts[key] = Image.open(io.BytesIO(overview_png(cases, lang)))
        return charts[key]

    start = catalog()  # the index (not the model) is read now, for the filters' and cases' choices
    with gr.Blocks(title="Kyodo 協働", analytics_enabled=False) as app:
        turns = gr.State([])
        page = gr.State("en")
        shown = gr.State("")
        with gr.Row(elem_id="k-top"):
            header = gr.HTML(header_html("en"), scale=4)
            language = gr.Dropdown([(text("auto", "en"), AUTO)] + [(LANG_NAMES[code], code) for code in LANGUAGES],
                                   value=AUTO, label=text("language", "en"), elem_id="k-language", scale=1,
                                   min_width=220)
        status = gr.HTML(status_html(backend.status, "en"), elem_id="k-status")
        with gr.Tabs():
            with gr.Tab(text("tab_ask", "en"), id="ask") as ask_tab:
                thread = gr.HTML(thread_html([], None, "en"), elem_id="k-thread")
                # Right under the answer it rates.
                with gr.Row(elem_id="k-feedback", visible=False) as feedback_row:
                    feedback_label = gr.HTML(f"<p>{text('feedback', 'en')}</p>", elem_id="k-feedback-label",
                                             scale=0, min_width=200)
                    up = gr.Button(text("up", "en"), scale=0, min_width=170, elem_id="k-up")
                    down = gr.Button(text("down", "en"), scale=0, min_width=170, elem_id="k-down")
                    comment = gr.Textbox(label=text("comment", "en"), lines=1, scale=3, elem_id="k-comment")
                    send = gr.Button(text("send", "en"), scale=0, min_width=90, elem_id="k-send")
                feedback_note = gr.HTML("", elem_id="k-feedback-note")
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label=text("question", "en"), placeholder=text("placeholder", "en"),
                                          lines=2, max_lines=8, scale=5, elem_id="k-question")
                    ask = gr.Button(text("ask", "en"), variant="primary", scale=1, elem_id="k-ask")
                    # Shown instead of Ask while a language model writes an answer (KYODO_LLM on).
                    stop = gr.Button(text("stop", "en"), variant="stop", scale=1, visible=False, elem_id="k-stop")
                examples = gr.Dataset(components=[question], samples=[[q] for q in EXAMPLES["en"]],
                                      label=text("examples", "en"), elem_id="k-examples")
                with gr.Accordion(text("filters", "en"), open=False, elem_id="k-filters") as filters:
                    with gr.Row():
                        # Values outside the choices are allowed: choices appear once the index is loaded.
                        pickers = {name: gr.Dropdown(start.choices(name, "en") if start else [], value=[],
                                                     multiselect=True, allow_custom_value=True,
                                                     label=text(name, "en"), elem_id=f"k-{name}") for name in FIELDS}
                answer_json = gr.JSON(visible=False)
            with gr.Tab(text("tab_cases", "en"), id="cases") as cases_tab:
                # No label: Gradio draws it over the picture's top left, where the chart has its own title.
                overview = gr.Image(label=text("overview", "en"), show_label=False, type="pil", format="png",
                                    interactive=False, buttons=["download"], elem_id="k-overview")
                with gr.Row():
                    case = gr.Dropdown(start.titles("en") if start else [], value=None, allow_custom_value=True,
                                       label=text("case", "en"), scale=3, elem_id="k-case")
                    read_in = gr.Radio([(LANG_NAMES[code], code) for code in LANGUAGES], value="en",
                                       label=text("read_in", "en"), scale=2, elem_id="k-read-in")
                case_view = gr.HTML("", elem_id="k-case-view")
            prepare_tabs(backend, page)
            maintain_tab(backend, page)

        labelled = [header, language, thread, ask_tab, cases_tab, question, ask, stop, examples, filters,
                    *pickers.values(), feedback_label, up, down, comment, send, overview, case, read_in, case_view,
                    status, shown]

        def relabel(lang: str, choice: str, history: list[Turn], current: str, doc_id: str | None,
                    reading: str) -> dict:
            """Every label, hint and name on the page in ``lang`` (nothing when it already is)."""
            if lang == current:
                return {shown: current}  # Gradio reads an empty dict as one value for 24 outputs, and errors
            cases = catalog()
            doc_id = doc_id or (cases.titles(lang)[0][1] if cases and cases.cases else None)
            updates = {
                header: header_html(lang), status: status_html(backend.status, lang),
                language: gr.Dropdown([(text("auto", lang), AUTO)] + [(LANG_NAMES[c], c) for c in LANGUAGES],
                                      value=choice, label=text("language", lang)),
                ask_tab: gr.Tab(label=text("tab_ask", lang)), cases_tab: gr.Tab(label=text("tab_cases", lang)),
                question: gr.Textbox(label=text("question", lang), placeholder=text("placeholder", lang)),
                ask: gr.Button(text("ask", lang)), stop: gr.Button(text("stop", lang)),
                filters: gr.Accordion(label=text("filters", lang)),
                examples: gr.Dataset(samples=[[q] for q in EXAMPLES[lang]], label=text("examples", lang)),
                feedback_label: f"<p>{text('feedback', lang)}</p>", up: gr.Button(text("up", lang)),
                down: gr.Button(text("down", lang)), comment: gr.Textbox(label=text("comment", lang)),
                send: gr.Button(text("send", lang)),
                overview: gr.Image(chart(lang), label=text("overview", lang)),
                case: gr.Dropdown(cases.titles(lang) if cases else [], value=doc_id, label=text("case", lang)),
                read_in: gr.Radio(value=lang, label=text("read_in", lang)),
                case_view: case_html(cases.cases.get(doc_id) if cases and doc_id else None, lang, cases) if cases else "",
                shown: lang,
            }
            for name, picker in pickers.items():
                updates[picker] = gr.Dropdown(cases.choices(name, lang) if cases else [], label=text(name, lang))
            if not history:
                updates[thread] = thread_html([], None, lang)
            return updates

        def on_load(request: gr.Request) -> str:
            return browser_language(request.headers.get("accept-language", "")) if request else "en"

        def watch_status(lang: str):
            """Start-up progress in the banner until the model and index are ready."""
            backend.start()
            while not backend.wait(timeout=0.5).state in ("ready", "failed"):
                yield status_html(backend.status, lang)
            yield status_html(backend.status, lang)

        def on_ask(question_text: str, choice: str, countries: list[str], cities: list[str], topics: list[str],
                   history: list[Turn], lang: str):
            """Show the question at once with progress, a model's answer as it is written, then the cited answer."""
            history = list(history)
            pending = Turn(len(history) + 1, question_text or "", lang)
            ready = backend.status.state in ("ready", "failed")
            # With a model on, Stop replaces Ask and the unfinished turn is kept in the state for on_stop.
            streaming = {ask: gr.Button(visible=False), stop: gr.Button(visible=True), turns: history + [pending]}
            yield {thread: thread_html(history + [pending], catalog(), lang,
                                       pending=text("thinking" if ready else backend.status.state, lang)),
                   question: "", **(streaming if backend.streams else {})}
            where = {"countries": countries or [], "cities": cities or [], "topics": topics or []}
            turn: Turn | None = None
            # Gradio closes this generator on Stop; closing the stream in turn stops the model.
            with closing(backend.ask_stream(pending.n, question_text or "", choice, lang, where)) as stream:
                for item in stream:
                    if isinstance(item, Turn):
                        turn = item
                    else:
                        pending.draft += item
                        yield {thread: thread_html(history + [pending], catalog(), lang, pending=text("writing", lang)),
                               turns: history + [pending]}
            assert turn is not None, "Backend.ask_stream always ends with the Turn"
            history.append(turn)
            answer = turn.answer.to_json() if turn.answer else {"error": turn.error}
            settled = {ask: gr.Button(visible=True), stop: gr.Button(visible=False)} if backend.streams else {}
            yield {thread: thread_html(history, catalog(), turn.lang), turns: history, page: turn.lang,
                   answer_json: answer | {"page_language": turn.lang, "notes": turn.notes},
                   feedback_row: gr.Row(visible=turn.answer is not None), feedback_note: "", comment: "", **settled}

        def on_stop(history: list[Turn], lang: str) -> dict:
            """After Stop the unfinished answer stays on the page, marked as stopped, and Ask comes back."""
            history = list(history)
            if history and history[-1].answer is None and not history[-1].error:
                history[-1] = replace(history[-1], stopped=True)
            return {thread: thread_html(history, catalog(), lang), turns: history,
                    ask: gr.Button(visible=True), stop: gr.Button(visible=False)}

        def rate(rating: str | None, note: str | None, history: list[Turn], lang: str) -> str:
            if not history or history[-1].answer is None:
                return f"<p>{text('no_answer', lang)}</p>"
            backend.rate(history[-1], rating, note)
            return f"<p>{text('thanks', lang)}</p>"

        def rate_up(history: list[Turn], lang: str) -> str:
            return rate("up", None, history, lang)

        def rate_down(history: list[Turn], lang: str) -> str:
            return rate("down", None, history, lang)

        def send_comment(note: str, history: list[Turn], lang: str) -> str:
            return rate(None, note or "", history, lang)

        def on_language(choice: str, lang: str) -> str:
            return choice if choice in LANGUAGES else lang

        def read_case(doc_id: str | None, reading: str) -> str:
            cases = catalog()
            return case_html(cases.cases.get(doc_id or ""), reading, cases) if cases else ""

        relabel_inputs = [page, language, turns, shown, case, read_in]
        ask_inputs = [question, language, *pickers.values(), turns, page]
        ask_outputs = [thread, question, turns, page, answer_json, feedback_row, feedback_note, comment, ask, stop]
        app.load(on_load, None, page, api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private").then(
            watch_status, page, status, api_visibility="private", show_progress="hidden").then(
            lambda lang: (lang, ""), page, [page, shown], api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private")
        asked = gr.on([ask.click, question.submit], on_ask, ask_inputs, ask_outputs, api_name="ask",
                      show_progress="hidden")
        asked.then(relabel, relabel_inputs, labelled, api_visibility="private").then(None, js=SCROLL_TO_ANSWER)
        picked = examples.click(lambda sample: sample[0], examples, question, api_visibility="private").then(
            on_ask, ask_inputs, ask_outputs, api_visibility="private", show_progress="hidden")
        picked.then(relabel, relabel_inputs, labelled, api_visibility="private").then(None, js=SCROLL_TO_ANSWER)
        # Not queued: Stop must act at once even when every worker is busy writing answers.
        stop.click(on_stop, [turns, page], [thread, turns, ask, stop], cancels=[asked, picked], queue=False,
                   api_visibility="private")
        language.change(on_language, [language, page], page, api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private")
        up.click(rate_up, [turns, page], feedback_note, api_name="rate_up")
        down.click(rate_down, [turns, page], feedback_note, api_name="rate_down")
        send.click(send_comment, [comment, turns, page], feedback_note, api_name="comment")
        gr.on([case.change, read_in.change], read_case, [case, read_in], case_view, api_name="read_case")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


def launch(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           backend: Backend | None = None) -> gr.Blocks:
    """Serve the page on ``host:port``; warm-up (the model, and the index on a first start) begins at once.

    With ``block=False`` it returns once the server is up (tests call ``close()`` on the result).
    """
    backend = backend or Backend(settings or Settings.from_env())
    app = build_app(backend=backend)
    backend.start()
    app.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=not block, show_error=False,
               css=CSS, theme=THEME, footer_links=[],
               run_history=False, ssr_mode=False, pwa=False, mcp_server=False,
               max_file_size=MAX_BYTES)  # Gradio stores any upload before a handler runs: cap it at the corpus limit
    return app


if __name__ == "__main__":  # ``python app.py [--host H] [--port P]`` is exactly ``kyodo serve``
    from cli.main import main

    raise SystemExit(main(["serve", *sys.argv[1:]]))
