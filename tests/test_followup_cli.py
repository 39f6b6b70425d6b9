"""Follow-up questions through the command: ``ask --after``, batch items with ``"history"``, and ``kyodo chat`` driven
through a pseudo-terminal, on three real cases indexed with the real model."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.main import main
from indexer.pipeline import build_index
from kb.embedder import SentenceTransformerEmbedder
from kb.settings import Settings

BAGO_EN = "How much market waste does Bago compost a day?"
BAGO_TH = "ศูนย์ปุ๋ยหมักของเมืองบาโกทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน"
CEBU_BASKETS = "How many household compost baskets were given out in Cebu City?"
# What the chat shows once it has answered: the pattern, then a new prompt waiting for input.
PROMPTED = r"(?:{})[\s\S]*\n\? $"


@pytest.fixture
def env(small_corpus: Settings, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch) -> Settings:
    build_index(small_corpus, embedder)
    monkeypatch.setenv("KYODO_HOME", str(small_corpus.home))
    monkeypatch.setenv("KYODO_CORPUS", str(small_corpus.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", small_corpus.embed_model)
    return small_corpus


def test_ask_after_answers_the_follow_up_in_english_and_thai(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "And in Cebu?", "--after", BAGO_EN, "--json"]) == 0
    english = json.loads(capsys.readouterr().out)
    assert (english["question"], english["searched"]) == ("And in Cebu?", "How much market waste does Cebu compost a day?")
    assert english["language"] == "en" and english["citations"][0]["doc_id"] == "iges-bago-cebu-composting"
    assert main(["ask", "แล้วเซบูล่ะ", "--after", "How did Surabaya cut its waste?", "--after", BAGO_TH]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "» ศูนย์ปุ๋ยหมักของเซบูทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน", printed
    assert main(["ask", "How did Bago start its compost centre?", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["searched"] == alone["question"]


def test_batch_items_carry_their_history_and_a_bad_one_is_named(env: Settings, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": 1, "question": "Who distributed them?", "history": [CEBU_BASKETS]}),
        json.dumps({"id": 2, "question": "Who distributed them?"}),
        json.dumps({"id": 3, "question": "And in Cebu?", "history": BAGO_EN}),
    ]) + "\n", encoding="utf-8")
    assert main(["ask", "--batch", str(batch)]) == 1
    first, second, bad = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["searched"].startswith("Who distributed them? (Cebu City") and "Pagtambayayong" in first["answer"]
    assert second["searched"] == "Who distributed them?"
    assert bad["error"].startswith(f'{batch}:3: "history" is "How much market waste'), bad
    assert main(["ask", "--batch", str(batch), "--after", BAGO_EN]) == 1
    assert capsys.readouterr().err.strip().endswith('--after is for one question: give each batch item its "history" '
                                                    "instead")


def read_until(fd: int, pattern: str, seconds: float = 240) -> str:
    """What the terminal shows until ``pattern`` appears (a regular expression), or fail saying what it showed."""
    seen, deadline = "", time.monotonic() + seconds
    while not re.search(pattern, seen):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            pytest.fail(f"expected {pattern!r} on the terminal, got {seen[-2000:]!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the other side closed
            pytest.fail(f"expected {pattern!r} on the terminal, which closed after {seen[-2000:]!r}")
        seen += chunk.decode("utf-8", "replace")
    return seen


def test_chat_holds_a_conversation_in_a_terminal(env: Settings) -> None:
    controller, terminal = pty.openpty()
    chat = subprocess.Popen([sys.executable, "-m", "cli.main", "chat"], stdin=terminal, stdout=terminal,
                            stderr=terminal, env={**os.environ, "OMP_NUM_THREADS": "1"}, close_fds=True)
    os.close(terminal)
    try:
        read_until(controller, PROMPTED.format(r"Ctrl-D leaves\."))

        def say(line: str, until: str) -> str:
            """Type ``line``; what the chat shows until ``until`` and its next prompt."""
            os.write(controller, (line + "\n").encode("utf-8"))
            return read_until(controller, PROMPTED.format(until))

        say(BAGO_TH, r"\[1\] .*iges-bago-cebu-composting")
        shown = say("แล้วเซบูล่ะ", r"\[1\] .*iges-bago-cebu-composting")
        assert "» ศูนย์ปุ๋ยหมักของเซบูทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน" in shown
        shown = say("/lang en", r"Answers in en\.")
        shown = say("Who funded it?", "»")
        assert "» Who funded it? (เซบู" in shown and not re.search("[\u0e00-\u0e7f]", shown.split("\n", 2)[-1]), shown
        say("/new", r"New conversation\.")
        shown = say("Who distributed them?", r"\[1\]|closest")
        assert "»" not in shown, "a new conversation keeps nothing of the old one"
        os.write(controller, b"\x04")  # Ctrl-D
        assert chat.wait(timeout=30) == 0
    finally:
        if chat.poll() is None:
            chat.kill()
        os.close(controller)
    assert (env.home / "chat-history").read_text(encoding="utf-8").count("แล้วเซบูล่ะ") == 1
