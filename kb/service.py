"""The knowledge base as one object: ``ask`` and ``search``, with models and indexes loaded once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from kb.answer import IdfTable, compose
from kb.embedder import Embedder, shared_embedder
from kb.errors import InputError
from kb.generate import Generator, shared_generator
from kb.generative import Generated, GenerativeAnswerer
from kb.glossary import load_glossary
from kb.language import detect_language, resolve_language
from kb.messages import message
from kb.records import Answer, Passage
from kb.retrieve import MODES, HybridRetriever
from kb.settings import Settings

MAX_QUESTION_CHARS = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CLOSEST = 3


def clean_question(question: str) -> str:
    """Strip control characters, undecodable bytes and surrounding space; refuse an empty question."""
    text = CONTROL.sub(" ", question.encode("utf-8", "replace").decode("utf-8")).strip()
    if not text:
        raise InputError("The question is empty: type a question about the case studies")
    return text[:MAX_QUESTION_CHARS]


class KnowledgeBase:
    """Everything the read path needs; safe to share between threads once loaded."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, generator: Generator | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or shared_embedder(settings.embed_model_path)
        # With KYODO_LLM off (the default) no generator is made; otherwise the model loads on the first answer.
        self._generator = generator
        self.glossary = load_glossary(settings.corpus / "glossary.yaml")
        self._retriever: HybridRetriever | None = None
        self._idf: IdfTable | None = None
        self._lock = threading.Lock()

    @property
    def retriever(self) -> HybridRetriever:
        """The loaded index, reloaded when the indexer has switched generations (no restart needed)."""
        with self._lock:
            if self._retriever is None or self._retriever.is_stale():
                retriever = HybridRetriever(self.settings, self.embedder, self.glossary)
                tokens: dict[str, list[list[str]]] = {}
                for chunk in retriever.chunks.values():
                    tokens.setdefault(chunk.lang, []).append(chunk.meta["tokens"].split())
                self._idf = IdfTable(tokens)
                self._retriever = retriever
            return self._retriever

    def search(self, question: str, lang: str | None = None, k: int | None = None,
               mode: str = "hybrid", where: dict[str, list[str]] | None = None) -> tuple[str, list[Passage]]:
        """The question's language and its top ``k`` aligned passages (only from cases ``where`` matches)."""
        if mode not in MODES:
            raise InputError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        text = clean_question(question)
        detection = resolve_language(text, lang)
        return detection.lang, self.retriever.search(text, detection.lang, k or self.settings.top_k, mode, where)

    def ask(self, question: str, lang: str | None = None, k: int | None = None, mode: str = "hybrid",
            where: dict[str, list[str]] | None = None) -> Answer:
        """A cited answer in the question's language, or an honest abstention listing the closest cases.

        ``where`` narrows retrieval by case metadata, e.g. ``{"countries": ["TH"], "topics": ["waste"]}``.
        """
        *_, answer = self.ask_stream(question, lang, k, mode, where)
        return answer

    def ask_stream(self, question: str, lang: str | None = None, k: int | None = None,
                   mode: str = "hybrid", where: dict[str, list[str]] | None = None) -> Iterator[str | Answer]:
        """``ask`` for a UI that shows the answer as it is written: text pieces (``str``), then the ``Answer``.

        Pieces come only when a language model is on (``KYODO_LLM``) and the question is answered;
        each piece is text that has already passed verification, and the pieces joined are the
        final ``Answer.answer`` (up to trailing space) when ``Answer.mode`` is ``"generative"``. When
        the finished text fails verification, the last item is the extractive answer instead
        (``mode="fallback"``, ``note`` says why): replace what was shown with it. The ``Answer`` is
        always the last item and carries the citations. Closing the iterator stops the model. A question in
        a language outside ``KYODO_LLM_LANGUAGES`` never reaches the model: extractive, with a note saying why.
        """
        started = time.perf_counter()
        text = clean_question(question)
        detection = resolve_language(text, lang)
        detected = time.perf_counter()
        retriever = self.retriever
        passages = retriever.search(text, detection.lang, k or self.settings.top_k, mode, where)
        retrieved = time.perf_counter()
        note = "" if detection.supported else message("unsupported", "en", detected=detection.detected)
        top = max((p.best.similarity for p in passages), default=0.0)
        if top < self.settings.abstain_below:
            answer = self._abstain(question, detection.lang, passages, note, retriever)
        else:
            # Only a fixed answer language can differ from the question's; a detected one never does.
            relevance = self._cross_lingual_relevance(text, detection.lang) if lang else None
            draft = compose(text, detection.lang, passages, retriever, self._idf, self.glossary, relevance)
            answer = Answer(question, detection.lang, draft.text, not draft.citations, draft.citations, note=note)
            if not draft.citations:
                answer = self._abstain(question, detection.lang, passages, note, retriever)
            elif self.settings.llm != "off" and detection.lang not in self.settings.llm_languages:
                answer.note = " ".join(filter(None, [note, message("llm_language", detection.lang)]))
            elif self.settings.llm != "off":
                for piece in self.generative.stream(text, detection.lang, passages, retriever):
                    if isinstance(piece, Generated):
                        answer = piece.settle(answer)
                    else:
                        yield piece
        done = time.perf_counter()
        answer.timings_ms = {"detect": 1000 * (detected - started), "retrieve": 1000 * (retrieved - detected),
                             "answer": 1000 * (done - retrieved), "total": 1000 * (done - started)}
        yield answer

    def _cross_lingual_relevance(self, question: str, lang: str) -> Callable[[list[str]], np.ndarray] | None:
        """For a question asked in another language than the fixed answer language (an English question on
        a Thai page): sentence scores by embedding similarity, since the question's words cannot occur in them."""
        asked = detect_language(question)
        if not asked.supported or asked.lang == lang:
            return None
        query = self.embedder.embed_query(question)
        return lambda texts: self.embedder.embed_documents(texts) @ query

    @property
    def generative(self) -> GenerativeAnswerer:
        """The generative answerer over ``KYODO_LLM``'s model (or the generator given to the constructor)."""
        if self._generator is None:
            self._generator = shared_generator(self.settings)
        return GenerativeAnswerer(self._generator, self.glossary)

    def _abstain(self, question: str, lang: str, passages: list[Passage], note: str,
                 retriever: HybridRetriever) -> Answer:
        titles: list[str] = []
        for passage in passages:
            title = retriever.title(passage.best.chunk.doc_id, lang)
            if title not in titles:
                titles.append(title)
        cases = "; ".join(titles[:CLOSEST]) or "-"
        return Answer(question, lang, message("abstain", lang, cases=cases), True, [], note=note)
