"""The Ask tab: the question box, examples and filters, the thread of cited answers, Stop, feedback, and a "New
conversation" button. The thread is a conversation: each question is asked with the earlier ones as its history,
so a follow-up ("And in Cebu?") is answered as the question it stands for; it lives in the browser session's
``gr.State``, so two browsers never share one.

``ask_tab`` builds it inside the caller's ``gr.Tabs`` and wires its events; what the page relabels in another
language is registered in the returned ``AskTab.labels`` (the thread follows the conversation, so ``app.py``
relabels it only while it is empty).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace

import gradio as gr

from ui.backend import Backend, Turn
from ui.catalog import FIELDS
from ui.relabel import Labels, filter_choices
from ui.render import thread_html
from ui.texts import EXAMPLES, text


@dataclass
class AskTab:
    """The parts of the tab the rest of the page updates: its labels, its thread, and the answer events."""

    labels: Labels
    thread: gr.HTML
    answered: list[gr.events.Dependency]


def ask_tab(backend: Backend, page: gr.State, turns: gr.State, language: gr.Dropdown) -> AskTab:
    """The tab, asking in the ``language`` chosen at the top of the page and answering in ``page``'s."""
    labels = Labels(text)
    start = backend.catalog_or_none()
    with labels.add(gr.Tab(text("tab_ask", "en"), id="ask"), "tab_ask"):
        thread = gr.HTML(thread_html([], None, "en"), elem_id="k-thread")
        # Right under the answer it rates.
        with gr.Row(elem_id="k-feedback", visible=False) as feedback_row:
            feedback_label = gr.HTML(f"<p>{text('feedback', 'en')}</p>", elem_id="k-feedback-label", scale=0,
                                     min_width=200)
            labels.add_update(feedback_label, lambda lang: f"<p>{text('feedback', lang)}</p>")
            up = labels.add(gr.Button(text("up", "en"), scale=0, min_width=170, elem_id="k-up"), "up")
            down = labels.add(gr.Button(text("down", "en"), scale=0, min_width=170, elem_id="k-down"), "down")
            comment = labels.add(gr.Textbox(label=text("comment", "en"), lines=1, scale=3, elem_id="k-comment"),
                                 "comment")
            send = labels.add(gr.Button(text("send", "en"), scale=0, min_width=90, elem_id="k-send"), "send")
        feedback_note = gr.HTML("", elem_id="k-feedback-note")
        with gr.Row(elem_id="k-new-row"):
            new = labels.add(gr.Button(text("new_conversation", "en"), size="sm", scale=0, min_width=160,
                                       elem_id="k-new"), "new_conversation")
        with gr.Row(equal_height=True):
            question = gr.Textbox(label=text("question", "en"), placeholder=text("placeholder", "en"), lines=2,
                                  max_lines=8, scale=5, elem_id="k-question")
            labels.add_update(question, lambda lang: gr.Textbox(label=text("question", lang),
                                                                placeholder=text("placeholder", lang)))
            ask = labels.add(gr.Button(text("ask", "en"), variant="primary", scale=1, elem_id="k-ask"), "ask")
            # Shown instead of Ask while a language model writes an answer (KYODO_LLM on).
            stop = labels.add(gr.Button(text("stop", "en"), variant="stop", scale=1, visible=False,
                                        elem_id="k-stop"), "stop")
        examples = gr.Dataset(components=[question], samples=[[q] for q in EXAMPLES["en"]],
                              label=text("examples", "en"), elem_id="k-examples")
        labels.add_update(examples, lambda lang: gr.Dataset(samples=[[q] for q in EXAMPLES[lang]],
                                                            label=text("examples", lang)))
        with labels.add(gr.Accordion(text("filters", "en"), open=False, elem_id="k-filters"), "filters"):
            with gr.Row():
                # Values outside the choices are allowed: choices appear once the index is loaded.
                pickers = {name: gr.Dropdown(start.choices(name, "en") if start else [], value=[], multiselect=True,
                                             allow_custom_value=True, label=text(name, "en"), elem_id=f"k-{name}")
                           for name in FIELDS}
        for name, picker in pickers.items():
            labels.add_update(picker, lambda lang, name=name: filter_choices(backend, name, lang))
        answer_json = gr.JSON(visible=False)

    def on_ask(question_text: str, choice: str, countries: list[str], cities: list[str], topics: list[str],
               history: list[Turn], lang: str):
        """Show the question at once with progress, a model's answer as it is written, then the cited answer."""
        history = list(history)
        pending = Turn(len(history) + 1, question_text or "", lang)
        ready = backend.status.state in ("ready", "failed")
        # With a model on, Stop replaces Ask and the unfinished turn is kept in the state for on_stop.
        streaming = {ask: gr.Button(visible=False), stop: gr.Button(visible=True), turns: history + [pending]}
        yield {thread: thread_html(history + [pending], backend.catalog_or_none(), lang,
                                   pending=text("thinking" if ready else backend.status.state, lang)),
               question: "", **(streaming if backend.streams else {})}
        where = {"countries": countries or [], "cities": cities or [], "topics": topics or []}
        turn: Turn | None = None
        # Gradio closes this generator on Stop; closing the stream in turn stops the model.
        earlier = [t.question for t in history if t.answer is not None]
        with closing(backend.ask_stream(pending.n, question_text or "", choice, lang, where, earlier)) as stream:
            for item in stream:
                if isinstance(item, Turn):
                    turn = item
                else:
                    pending.draft += item
                    yield {thread: thread_html(history + [pending], backend.catalog_or_none(), lang,
                                               pending=text("writing", lang)),
                           turns: history + [pending]}
        assert turn is not None, "Backend.ask_stream always ends with the Turn"
        history.append(turn)
        answer = turn.answer.to_json() if turn.answer else {"error": turn.error}
        settled = {ask: gr.Button(visible=True), stop: gr.Button(visible=False)} if backend.streams else {}
        yield {thread: thread_html(history, backend.catalog_or_none(), turn.lang), turns: history, page: turn.lang,
               answer_json: answer | {"page_language": turn.lang, "notes": turn.notes},
               feedback_row: gr.Row(visible=turn.answer is not None), feedback_note: "", comment: "", **settled}

    def on_stop(history: list[Turn], lang: str) -> dict:
        """After Stop the unfinished answer stays on the page, marked as stopped, and Ask comes back."""
        history = list(history)
        if history and history[-1].answer is None and not history[-1].error:
            history[-1] = replace(history[-1], stopped=True)
        return {thread: thread_html(history, backend.catalog_or_none(), lang), turns: history,
                ask: gr.Button(visible=True), stop: gr.Button(visible=False)}

    def on_new(lang: str) -> dict:
        """A new conversation: an empty thread, and no history for the next question."""
        return {thread: thread_html([], backend.catalog_or_none(), lang), turns: [], feedback_row: gr.Row(visible=False),
                feedback_note: "", question: ""}

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

    ask_inputs = [question, language, *pickers.values(), turns, page]
    ask_outputs = [thread, question, turns, page, answer_json, feedback_row, feedback_note, comment, ask, stop]
    asked = gr.on([ask.click, question.submit], on_ask, ask_inputs, ask_outputs, api_name="ask",
                  show_progress="hidden")
    picked = examples.click(lambda sample: sample[0], examples, question, api_visibility="private").then(
        on_ask, ask_inputs, ask_outputs, api_visibility="private", show_progress="hidden")
    # Not queued: Stop must act at once even when every worker is busy writing answers.
    stop.click(on_stop, [turns, page], [thread, turns, ask, stop], cancels=[asked, picked], queue=False,
               api_visibility="private")
    new.click(on_new, page, [thread, turns, feedback_row, feedback_note, question], api_name="new_conversation")
    up.click(rate_up, [turns, page], feedback_note, api_name="rate_up")
    down.click(rate_down, [turns, page], feedback_note, api_name="rate_down")
    send.click(send_comment, [comment, turns, page], feedback_note, api_name="comment")
    return AskTab(labels, thread, [asked, picked])
