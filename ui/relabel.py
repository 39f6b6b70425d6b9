"""Relabelling the page in another language: each component is registered once, where it is made, with its text.

``Labels.add(component, key)`` relabels a component's label, or the text itself for a button, Markdown or HTML;
``Labels.add_update(component, update)`` takes any other update (choices, placeholders, visibility). The tab
builders and ``app.py`` each keep one ``Labels`` and send ``updates(lang)`` to ``outputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from ui.backend import Backend
from ui.texts import text as page_text

Text = Callable[..., str]  # text(key, lang, **values): one module's table of texts
C = TypeVar("C", bound=gr.blocks.Block)
# Components whose visible text is their value rather than a label.
VALUE_TEXT = (gr.Button, gr.Markdown, gr.HTML)


class Labels:
    """(component, text key) pairs of one part of the page, and the updates that relabel them in a language."""

    def __init__(self, text: Text) -> None:
        self._text = text
        self._updates: dict[gr.blocks.Block, Callable[[str], Any]] = {}

    def add(self, component: C, key: str, text: Text | None = None, **values: object) -> C:
        """Relabel ``component`` with ``key`` (from ``text``, else this part's table), ``values`` filled in."""
        lookup = text or self._text
        if isinstance(component, (gr.Markdown, gr.HTML)):
            update: Callable[[str], Any] = lambda lang: lookup(key, lang, **values)
        elif isinstance(component, gr.Button):
            update = lambda lang: gr.Button(lookup(key, lang, **values))
        else:
            update = lambda lang: type(component)(label=lookup(key, lang, **values))
        return self.add_update(component, update)

    def add_update(self, component: C, update: Callable[[str], Any]) -> C:
        """Relabel ``component`` with ``update(lang)``: anything an event may return for it."""
        self._updates[component] = update
        return component

    @property
    def outputs(self) -> list[gr.blocks.Block]:
        return list(self._updates)

    def updates(self, lang: str) -> dict[gr.blocks.Block, Any]:
        """Every registered component in ``lang``."""
        return {component: update(lang) for component, update in self._updates.items()}


def filter_choices(backend: Backend, name: str, lang: str) -> gr.Dropdown:
    """A filter (``countries``, ``cities`` or ``topics``) named in ``lang``, the served cases' values its choices."""
    cases = backend.catalog_or_none()
    return gr.Dropdown(cases.choices(name, lang) if cases else [], label=page_text(name, lang))
