"""The Case studies tab: the overview chart, and any case read in full in any of its languages.

``cases_tab`` builds it inside the caller's ``gr.Tabs``; ``CasesTab.relabel`` gives its updates for a page
language, keeping the case being read (or the first one by title).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import gradio as gr
from PIL import Image

from kb.settings import LANGUAGES
from ui.backend import Backend
from ui.chart import overview_png
from ui.relabel import Labels
from ui.render import case_html
from ui.texts import LANG_NAMES, text


@dataclass
class CasesTab:
    """The tab's labels, and the case picker and view, which follow the case being read."""

    labels: Labels
    case: gr.Dropdown
    read_in: gr.Radio
    case_view: gr.HTML
    backend: Backend

    def relabel(self, lang: str, doc_id: str | None) -> dict:
        """The case picker, its view and the language to read in, in ``lang``, on case ``doc_id`` (or the first)."""
        cases = self.backend.catalog_or_none()
        doc_id = doc_id or (cases.titles(lang)[0][1] if cases and cases.cases else None)
        return {self.case: gr.Dropdown(cases.titles(lang) if cases else [], value=doc_id, label=text("case", lang)),
                self.read_in: gr.Radio(value=lang, label=text("read_in", lang)),
                self.case_view: case_html(cases.cases.get(doc_id) if doc_id else None, lang, cases) if cases else ""}


def cases_tab(backend: Backend) -> CasesTab:
    charts: dict[tuple[str, str], Image.Image] = {}

    def chart(lang: str) -> Image.Image | None:
        """The overview in ``lang``, drawn once per index generation and language."""
        cases = backend.catalog_or_none()
        if cases is None:
            return None
        key = (backend.kb.library.generation, lang)
        if key not in charts:
            charts[key] = Image.open(io.BytesIO(overview_png(cases, lang)))
        return charts[key]

    labels = Labels(text)
    start = backend.catalog_or_none()
    with labels.add(gr.Tab(text("tab_cases", "en"), id="cases"), "tab_cases"):
        # No label: Gradio draws it over the picture's top left, where the chart has its own title.
        overview = gr.Image(label=text("overview", "en"), show_label=False, type="pil", format="png",
                            interactive=False, buttons=["download"], elem_id="k-overview")
        labels.add_update(overview, lambda lang: gr.Image(chart(lang), label=text("overview", lang)))
        with gr.Row():
            case = gr.Dropdown(start.titles("en") if start else [], value=None, allow_custom_value=True,
                               label=text("case", "en"), scale=3, elem_id="k-case")
            read_in = gr.Radio([(LANG_NAMES[code], code) for code in LANGUAGES], value="en",
                               label=text("read_in", "en"), scale=2, elem_id="k-read-in")
        case_view = gr.HTML("", elem_id="k-case-view")

    def read_case(doc_id: str | None, reading: str) -> str:
        cases = backend.catalog_or_none()
        return case_html(cases.cases.get(doc_id or ""), reading, cases) if cases else ""

    gr.on([case.change, read_in.change], read_case, [case, read_in], case_view, api_name="read_case")
    return CasesTab(labels, case, read_in, case_view, backend)
