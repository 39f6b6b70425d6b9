"""Expected user errors on the page (a wrong password, a bad questions file): a readable message, one log line.

Gradio prints a full traceback for every ``gr.Error`` unless told not to; for errors that are the
reader's input, not the program's fault, the server log gets one line saying what was refused and why.
The page renders an error's message as HTML, and messages quote file names a user chose, so it is escaped.
"""

from __future__ import annotations

import logging
from html import escape

import gradio as gr

log = logging.getLogger("kyodo.ui")


def refuse(action: str, message: str) -> gr.Error:
    """The error to raise for a refused ``action``: the reader sees ``message``; the log gets one line, no traceback."""
    log.warning("%s refused: %s", action, " ".join(message.split()))  # one line, whatever the message holds
    return gr.Error(escape(message, quote=False), print_exception=False)
