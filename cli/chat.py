"""``kyodo chat``: a conversation in the terminal. Each question is answered with its citations, a follow-up ("And in
Cebu?") as the question it stands for (shown after ``»``). Line editing and history come from readline (kept in
``$KYODO_HOME/chat-history``); ``/new`` starts a new conversation, ``/lang th`` answers in Thai (``/lang auto``:
the question's language), ``/help`` lists these, Ctrl-D leaves.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kb.errors import KyodoError
from kb.settings import LANGUAGES, Settings

if TYPE_CHECKING:  # the read path loads models: it is imported only when the command runs
    from kb.records import Answer

HELP = (f"Ask about the case studies in {', '.join(LANGUAGES)}. /new starts a new conversation, "
        f"/lang {'|'.join(LANGUAGES)}|auto sets the answers' language, Ctrl-D leaves.")
HISTORY_LINES = 1000


def register(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser("chat", help="a conversation in the terminal: follow-up questions, /new, /lang th, Ctrl-D")
    chat.add_argument("--lang", choices=LANGUAGES, help="answer in this language (default: the question's)")
    chat.set_defaults(func=cmd_chat)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    import readline

    from kb.question_log import QuestionLog
    from kb.service import KnowledgeBase

    questions = QuestionLog.of(settings)
    history_file = settings.home / "chat-history"
    if history_file.exists():
        readline.read_history_file(history_file)
    kb = KnowledgeBase(settings)
    kb.search("Kitakyushu")  # loads the model and the index before the first prompt
    print(HELP, flush=True)
    thread: list[str] = []
    lang: str | None = args.lang
    try:
        while True:
            try:
                line = input("? ").strip()
            except KeyboardInterrupt:  # Ctrl-C drops the line being typed, as in a shell
                print()
                continue
            if not line:
                continue
            if line.startswith("/"):
                thread, lang = command(line, thread, lang)
                continue
            try:
                answer = kb.ask(line, lang, history=thread)
                questions.record(answer, "cli")
                show(answer)
            except KyodoError as exc:
                print(f"kyodo: {exc}", flush=True)
                continue
            thread.append(line)
    except EOFError:
        print()
    finally:
        settings.home.mkdir(parents=True, exist_ok=True)
        readline.set_history_length(HISTORY_LINES)
        readline.write_history_file(history_file)
    return 0


def command(line: str, thread: list[str], lang: str | None) -> tuple[list[str], str | None]:
    """A ``/`` command: the thread and the answers' language it leaves, with a line saying what it did."""
    name, _, value = line.partition(" ")
    value = value.strip().lower()
    if name == "/new":
        print("New conversation.", flush=True)
        return [], lang
    if name == "/lang" and value in (*LANGUAGES, "auto"):
        print(f"Answers in {value}." if value != "auto" else "Answers in the question's language.", flush=True)
        return thread, None if value == "auto" else value
    if name == "/lang":
        print(f"/lang takes one of {', '.join(LANGUAGES)} or auto (got {value!r}).", flush=True)
    else:
        print(HELP, flush=True)
    return thread, lang


def show(answer: Answer) -> None:
    """The answer with what was searched for a follow-up, its citations and its note."""
    if answer.searched and answer.searched != answer.question:
        print(f"» {answer.searched}")
    print(answer.answer)
    for c in answer.citations:
        print(f"[{c.n}] {c.title} ({c.doc_id}, {c.lang}) — {c.source}")
    if answer.note:
        print(answer.note)
    print(flush=True)
