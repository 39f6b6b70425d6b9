"""The web page built without being served (``build_app``): its endpoints, and every label in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr
import pytest

from app import build_app
from kb.embedder import SentenceTransformerEmbedder
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings
from tests.conftest import CORPUS
from ui.backend import Backend
from ui.texts import text

# What API clients, the load benchmark and the served tests call: the page split into tabs keeps every one.
ENDPOINTS = {"ask", "new_conversation", "rate_up", "rate_down", "comment", "read_case", "session_pack",
             "batch_answers", "login", "logout", "add_documents", "export_feedback", "gap_report", "export_gaps"}


@pytest.fixture
def page(tmp_path: Path, model_path: Path) -> tuple[gr.Blocks, Backend]:
    """The page over a home without an index: built, never launched."""
    settings = Settings(home=tmp_path / "home", corpus=CORPUS, embed_model=str(model_path))
    # An embedder of its own: the session's shared one is loaded by whichever test ran first.
    backend = Backend(settings, KnowledgeBase(settings, SentenceTransformerEmbedder(model_path)))
    return build_app(backend=backend), backend


def relabels(app: gr.Blocks) -> list[tuple[int, Callable[..., dict]]]:
    """Every relabel function on the page (the frame's, and each tab module's own) and how many inputs it takes."""
    return [(len(f.inputs), f.fn) for f in app.fns.values() if f.name == "relabel"]


def test_the_page_builds_without_an_index_or_a_model_and_keeps_its_endpoints(page) -> None:
    app, backend = page
    assert not backend.kb.embedder._models, "building the page loaded the embedding model"
    assert backend.status.state == "loading"
    missing = ENDPOINTS - {f.api_name for f in app.fns.values()}
    assert not missing, f"endpoints gone from the page: {sorted(missing)}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_one_relabel_per_part_puts_every_tab_and_button_in_the_page_language(page, lang: str) -> None:
    app, _ = page
    [frame] = {fn for n, fn in relabels(app) if n == 5}  # page, language choice, turns, language shown, case
    updates = frame(lang, "auto", [], "en", None)
    for tab_relabel in {fn for n, fn in relabels(app) if n == 1}:  # the trainers' and maintainers' tabs
        updates |= tab_relabel(lang)
    tabs = [block for block in app.blocks.values() if isinstance(block, gr.Tab)]
    assert len(tabs) == 5 and all(tab in updates for tab in tabs), "a tab is not relabelled"
    english = [block.label for block in tabs if updates[block].label == block.label]
    assert not english, f"tabs still in English: {english}"
    buttons = {update.value for update in updates.values() if isinstance(update, gr.Button)}
    assert text("ask", lang) in buttons and text("send", lang) in buttons
    assert frame(lang, "auto", [], lang, None) == {next(k for k, v in updates.items() if v == lang): lang}
