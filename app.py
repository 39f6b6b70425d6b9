"""Kyodo's web page: ask about the case studies in ja/en/id/th, read cited answers, browse every case.

``build_app(settings)`` makes the page without serving it; ``launch()`` serves it (``python app.py`` or
``kyodo serve``). Here are the page's frame (header, language, start-up status), its relabelling when the
language changes, and launch; each tab is built by its ``ui/`` module (``ask_tab``, ``cases_tab``, ``prepare``,
``maintain``), and the work behind the page lives in ``ui/backend`` and ``kb/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kb.settings import LANGUAGES, Settings
from ui.backend import Backend, Turn
from ui.render import header_html, status_html, thread_html
from ui.texts import AUTO, LANG_NAMES, text

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home
import gradio as gr  # noqa: E402  (must come after the line above)
from ui.ask_tab import ask_tab  # noqa: E402  (the tabs import gradio too)
from ui.cases_tab import cases_tab  # noqa: E402
from ui.maintain import MAX_BYTES, maintain_tab  # noqa: E402
from ui.prepare import prepare_tabs  # noqa: E402
from ui.relabel import Labels  # noqa: E402

# Answering costs ~0.1-1 s of CPU per question on 2 cores; four at once interleave without
# thrashing, and the queue holds the rest (each waits seconds, not minutes).
CONCURRENCY = 4
QUEUE_SIZE = 64
CSS = (Path(__file__).resolve().parent / "ui" / "style.css").read_text(encoding="utf-8")
SCROLL_TO_ANSWER = """() => { const turns = document.querySelectorAll('#k-thread .k-turn');
  if (turns.length) turns[turns.length - 1].scrollIntoView({block: 'start'}); }"""
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
    top = Labels(text)
    with gr.Blocks(title="Kyodo 協働", analytics_enabled=False) as app:
        turns = gr.State([])
        page = gr.State("en")
        shown = gr.State("")
        with gr.Row(elem_id="k-top"):
            header = top.add_update(gr.HTML(header_html("en"), scale=4), header_html)
            language = gr.Dropdown(language_choices("en"), value=AUTO, label=text("language", "en"),
                                   elem_id="k-language", scale=1, min_width=220)
        status = top.add_update(gr.HTML(status_html(backend.status, "en"), elem_id="k-status"),
                                lambda lang: status_html(backend.status, lang))
        with gr.Tabs():
            asking = ask_tab(backend, page, turns, language)
            browsing = cases_tab(backend)
            prepare_tabs(backend, page)
            maintain_tab(backend, page)

        labelled = [*top.outputs, language, asking.thread, *asking.labels.outputs, *browsing.labels.outputs,
                    browsing.case, browsing.read_in, browsing.case_view, shown]

        def relabel(lang: str, choice: str, history: list[Turn], current: str, doc_id: str | None) -> dict:
            """Every label, hint and name on the page in ``lang`` (nothing when it already is)."""
            if lang == current:
                return {shown: current}  # Gradio reads an empty dict as one value for 24 outputs, and errors
            updates = {**top.updates(lang), **asking.labels.updates(lang), **browsing.labels.updates(lang),
                       **browsing.relabel(lang, doc_id), shown: lang,
                       language: gr.Dropdown(language_choices(lang), value=choice, label=text("language", lang))}
            if not history:
                updates[asking.thread] = thread_html([], None, lang)
            return updates

        def on_load(request: gr.Request) -> str:
            return browser_language(request.headers.get("accept-language", "")) if request else "en"

        def watch_status(lang: str):
            """Start-up progress in the banner until the model and index are ready."""
            backend.start()
            while not backend.wait(timeout=0.5).state in ("ready", "failed"):
                yield status_html(backend.status, lang)
            yield status_html(backend.status, lang)

        def on_language(choice: str, lang: str) -> str:
            return choice if choice in LANGUAGES else lang

        relabel_inputs = [page, language, turns, shown, browsing.case]
        app.load(on_load, None, page, api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private").then(
            watch_status, page, status, api_visibility="private", show_progress="hidden").then(
            lambda lang: (lang, ""), page, [page, shown], api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private")
        for answered in asking.answered:
            answered.then(relabel, relabel_inputs, labelled, api_visibility="private").then(None, js=SCROLL_TO_ANSWER)
        language.change(on_language, [language, page], page, api_visibility="private").then(
            relabel, relabel_inputs, labelled, api_visibility="private")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


def language_choices(lang: str) -> list[tuple[str, str]]:
    """The page-language picker: automatic (the question's), then the four languages by their own names."""
    return [(text("auto", lang), AUTO)] + [(LANG_NAMES[code], code) for code in LANGUAGES]


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
