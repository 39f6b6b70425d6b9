"""The Ask tab with a language model on: the answer streams into the page, Stop stops the model.

The model here is scripted (``PacedGenerator``), on purpose: the real local model takes minutes per
answer on CI's 2 cores, and a fixed script reaches the streamed, fallback and stopped paths on every
run. The rest is real: the served app, the full index, retrieval, verification, gradio_client.
The real model is tested once, in ``test_generate.py``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from gradio_client import Client

from kb.prompt import Prompt
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings
from tests.ui_server import Served, serving
from ui.backend import Backend

QUESTION = "How much market waste does the Bago compost centre process a day?"
THAI_QUESTION = "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"
FIRST = "The compost centre in Bago takes in market waste [{n}]."
SECOND = " It composts about 1 tonne of it each day [{n}]."
DRAFT = re.compile(r'<div class="k-answer k-draft">(.*?)</div>', re.DOTALL)


class PacedGenerator:
    """Writes a scripted reply 4 characters at a time, ``delay`` seconds apart, like a slow local model.

    ``{n}`` in the reply becomes the number of the prompt's passage about Bago's 1 tonne a day, as a
    faithful model would cite it. Records how much it wrote and whether its stream was closed.
    """

    def __init__(self) -> None:
        self.reply = FIRST + SECOND
        self.delay = 0.0
        self.pieces = 0
        self.closed = threading.Event()

    def generate(self, prompt: Prompt, max_tokens: int) -> Iterator[str]:
        blocks = re.findall(r'<passage n="(\d+)"[^>]*>(.*?)</passage>', prompt.user, re.DOTALL)
        n = next(n for n, text in blocks if re.search(r"1 (ton|ตัน)", text))
        text = self.reply.format(n=n)
        self.pieces, self.closed = 0, threading.Event()
        try:
            for start in range(0, len(text), 4):
                time.sleep(self.delay)
                self.pieces += 1
                yield text[start:start + 4]
        finally:
            self.closed.set()


@pytest.fixture(scope="module")
def generator() -> PacedGenerator:
    return PacedGenerator()


@pytest.fixture(scope="module")
def served(full_index: Settings, embedder, generator: PacedGenerator) -> Iterator[Served]:
    settings = replace(full_index, llm="local", llm_languages=LANGUAGES)  # whatever the default, all four here
    backend = Backend(settings, kb=KnowledgeBase(settings, embedder, generator))
    with serving(settings, backend) as running:
        yield running


@pytest.fixture
def paced(generator: PacedGenerator) -> Iterator[Callable[[str, float], PacedGenerator]]:
    def script(reply: str, delay: float) -> PacedGenerator:
        generator.reply, generator.delay = reply, delay
        return generator

    yield script
    script(FIRST + SECOND, 0.0)


def threads(job) -> list[str]:
    """The thread HTML of every output the job has streamed so far (the first output of /ask)."""
    return [output[0] for output in job.outputs() if output and output[0]]


def test_the_answer_appears_sentence_by_sentence_then_gets_its_citation_cards(served: Served, paced) -> None:
    paced(FIRST + SECOND, 0.03)
    job = Client(served.url, verbose=False).submit(QUESTION, "auto", [], [], [], api_name="/ask")
    thread, _question, answer, *_ = job.result(timeout=120)
    drafts = [DRAFT.search(html).group(1) for html in threads(job) if DRAFT.search(html)]
    assert drafts, "nothing was streamed before the final answer"
    assert drafts[0].startswith("The compost centre in Bago takes in market waste [")
    assert "1 tonne" not in drafts[0], "the first sentence must show before the second is written"
    assert all('class="k-card"' not in html for html in threads(job)[:-1]), "cards come with the final answer"
    assert answer["mode"] == "generative" and answer["citations"][0]["doc_id"] == "iges-bago-cebu-composting"
    assert "It composts about 1 tonne of it each day" in answer["answer"]
    assert 'class="k-card"' in thread and 'class="k-marker"' in thread and "k-draft" not in thread


def test_an_answer_that_fails_verification_is_replaced_by_the_extractive_one_with_its_note(
        served: Served, paced) -> None:
    paced(FIRST + " It composts 37 tonnes of it each day [{n}].", 0.02)
    job = Client(served.url, verbose=False).submit(QUESTION, "auto", [], [], [], api_name="/ask")
    thread, _question, answer, *_ = job.result(timeout=120)
    assert any("takes in market waste" in html for html in threads(job)[:-1]), "the verified sentence streamed first"
    extractive = served.backend.kb.ask(QUESTION)
    assert answer["mode"] == "fallback" and answer["answer"] == extractive.answer
    shown = re.search(r'<div class="k-answer"[^>]*>(.*?)</div>', thread, re.DOTALL).group(1)
    assert "takes in market waste" not in shown and "37" not in shown, f"the streamed text is replaced: {shown}"
    assert any("could not be verified (number 37 is not in the cited passages" in note for note in answer["notes"])
    assert "could not be verified" in thread and 'class="k-card"' in thread


def test_a_thai_question_streams_a_thai_answer(served: Served, paced) -> None:
    paced("ศูนย์ปุ๋ยหมักของ Bago รับขยะจากตลาด [{n}] และทำปุ๋ยหมักได้วันละ 1 ตัน [{n}]", 0.02)
    job = Client(served.url, verbose=False).submit(THAI_QUESTION, "auto", [], [], [], api_name="/ask")
    thread, _question, answer, *_ = job.result(timeout=120)
    assert any("ศูนย์ปุ๋ยหมักของ Bago" in html for html in threads(job)[:-1])
    assert answer["language"] == "th" and answer["mode"] == "generative" and "1 ตัน" in answer["answer"]


def test_cancelling_the_job_closes_the_stream_and_stops_the_model(served: Served, paced) -> None:
    generator = paced(FIRST + SECOND * 40, 0.05)  # about 30 s of writing if nobody stops it
    client = Client(served.url, verbose=False)
    job = client.submit(QUESTION, "auto", [], [], [], api_name="/ask")
    deadline = time.monotonic() + 60
    while not any(DRAFT.search(html) for html in threads(job)):
        assert time.monotonic() < deadline and not job.done(), "no streamed text within 60 s"
        time.sleep(0.05)
    job.cancel()
    assert generator.closed.wait(10), "the model's stream was not closed after the job was cancelled"
    written = generator.pieces
    time.sleep(0.5)
    assert generator.pieces == written < len(FIRST + SECOND * 40) // 4, "the model kept writing after Stop"
    paced(FIRST + SECOND, 0.0)
    _, _question, after, *_ = client.predict(QUESTION, "auto", [], [], [], api_name="/ask")
    assert after["mode"] == "generative", "the next question is answered after a Stop"
