"""The knowledge base as one object: ``ask`` and ``search``, with models and indexes loaded once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from kb.answer import compose
from kb.embedder import Embedder, shared_embedder
from kb.errors import InputError
from kb.generate import Generator, shared_generator
from kb.generative import Generated, GenerativeAnswerer
from kb.evidence import Candidate, gather
from kb.followup import searched_question
from kb.glossary import Term, forms_in, load_glossary, name_spans, terms_in
from kb.language import detect_language, resolve_language
from kb.library import Library
from kb.mentions import Mentions
from kb.messages import TRUNCATED, message
from kb.places import keep_copy_in
from kb.question import CODE, Question, analyse
from kb.records import Answer, Note, Passage
from kb.retrieve import MODES, HybridRetriever
from kb.sentence_vectors import SentenceVectors
from kb.settings import Settings
from kb.tokens import tokenize

MAX_QUESTION_CHARS = 2000
# Words a question may hold besides the names it asks about and still be "about the name" ("MCED5 where?").
NAME_QUESTION_WORDS = 2
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CLOSEST = 3


def clean_question(question: str) -> str:
    """Strip control characters, undecodable bytes and surrounding space; refuse an empty question; keep the
    first ``MAX_QUESTION_CHARS`` characters."""
    return _whole_question(question)[:MAX_QUESTION_CHARS]


def _whole_question(question: str) -> str:
    text = CONTROL.sub(" ", question.encode("utf-8", "replace").decode("utf-8")).strip()
    if not text:
        raise InputError("The question is empty: type a question about the case studies")
    return text


def _little_but_names(text: str, lang: str, glossary: list[Term]) -> bool:
    """A question that is little more than names the cases use ("Bago?", "MCED5 開催地？"): its cosine to a passage
    is low for want of words, not of an answer, so the similarity floor does not decline it.

    >>> _little_but_names("Bago?", "en", [Term({"en": ["Bago"]})]), _little_but_names("Who is Bago's mayor?", "en", [Term({"en": ["Bago"]})])
    (True, False)
    """
    spans = [(start, end) for start, end, _ in name_spans(text, glossary)] + [m.span() for m in CODE.finditer(text)]
    if not spans:
        return False
    rest = "".join(" " if any(start <= i < end for start, end in spans) else char for i, char in enumerate(text))
    return len(tokenize(rest, lang)) <= NAME_QUESTION_WORDS


class KnowledgeBase:
    """Everything the read path needs; safe to share between threads once loaded."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, generator: Generator | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or shared_embedder(settings.embed_model_path)
        # With KYODO_LLM off (the default) no generator is made; otherwise the model loads on the first answer.
        self._generator = generator
        self.glossary = load_glossary(settings.corpus / "glossary.yaml")
        keep_copy_in(settings.home / "cache")
        self._retriever: HybridRetriever | None = None
        self._mentions: Mentions | None = None
        self.sentence_vectors = SentenceVectors(settings.vectors_path, self.embedder, settings.embed_model_key)
        self._lock = threading.Lock()

    @property
    def retriever(self) -> HybridRetriever:
        """The loaded index, reloaded when the indexer has switched generations (no restart needed)."""
        with self._lock:
            if self._retriever is None or self._retriever.is_stale():
                retriever = HybridRetriever(self.settings, self.embedder, self.glossary)
                self._mentions = Mentions(retriever.library.texts())
                self._retriever = retriever
            return self._retriever

    @property
    def library(self) -> Library:
        """The corpus of the index being served (titles, cases, passage texts), reloaded with it."""
        return self.retriever.library

    def search(self, question: str, lang: str | None = None, k: int | None = None,
               mode: str = "hybrid", where: dict[str, list[str]] | None = None) -> tuple[str, list[Passage]]:
        """The question's language and its top ``k`` aligned passages (only from cases ``where`` matches)."""
        if mode not in MODES:
            raise InputError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        text = clean_question(question)
        detection = resolve_language(text, lang)
        return detection.lang, self.retriever.search(text, detection.lang, k or self.settings.top_k, mode, where)

    def ask(self, question: str, lang: str | None = None, k: int | None = None, mode: str = "hybrid",
            where: dict[str, list[str]] | None = None, history: list[str] | None = None) -> Answer:
        """A cited answer in the question's language, or an honest abstention listing the closest cases.

        ``where`` narrows retrieval by case metadata, e.g. ``{"countries": ["TH"], "topics": ["waste"]}``.
        ``history``: the conversation's previous questions, oldest first; a follow-up ("And in Cebu?") is searched
        as the question it stands for (``kb.followup``), which ``Answer.searched`` gives.
        """
        *_, answer = self.ask_stream(question, lang, k, mode, where, history=history)
        return answer

    def ask_stream(self, question: str, lang: str | None = None, k: int | None = None,
                   mode: str = "hybrid", where: dict[str, list[str]] | None = None,
                   unsure_lang: str | None = None, history: list[str] | None = None) -> Iterator[str | Answer]:
        """``ask`` for a UI that shows the answer as it is written: text pieces (``str``), then the ``Answer``.

        Pieces come only when a language model is on (``KYODO_LLM``) and the question is answered;
        each piece is text that has already passed verification, and the pieces joined are the
        final ``Answer.answer`` (up to trailing space) when ``Answer.mode`` is ``"generative"``. When
        the finished text fails verification, the last item is the extractive answer instead
        (``mode="fallback"``, ``note`` says why): replace what was shown with it. The ``Answer`` is
        always the last item and carries the citations. Closing the iterator stops the model. A question in
        a language outside ``KYODO_LLM_LANGUAGES`` never reaches the model: extractive, with a note saying why.
        ``unsure_lang`` (the page's language) answers a question whose language is a guess ("And in Cebu?").
        """
        started = time.perf_counter()
        whole = _whole_question(question)
        text = whole[:MAX_QUESTION_CHARS]
        detection = detect_language(text)
        fixed = lang or (unsure_lang if not detection.confident else None)
        # A follow-up is searched as the question it stands for; the answer still names the question as typed.
        previous = [clean_question(turn) for turn in history or [] if turn.strip()]
        chosen = resolve_language(text, fixed) if fixed else detection
        # One look at the served generation per question (each is a Chroma read).
        retriever = self.retriever
        searched, chosen = searched_question(text, previous, chosen, self.glossary, retriever.library.idf.idf)
        answer_lang = chosen.lang
        truncated = len(whole) > MAX_QUESTION_CHARS
        notes = [Note(TRUNCATED, {"chars": f"{len(whole):,}", "limit": f"{MAX_QUESTION_CHARS:,}"})] if truncated else []
        if not chosen.supported:
            notes.append(Note("unsupported", {"detected": chosen.detected}))
        # The question's own language sets its type rules; it differs from the answer's only when that was fixed.
        asked_in = detection if fixed else chosen
        question = analyse(searched, asked_in.lang if asked_in.supported else answer_lang)
        detected = time.perf_counter()
        passages = retriever.search(searched, answer_lang, k or self.settings.top_k, mode, where)
        retrieved = time.perf_counter()
        top = max((p.best.similarity for p in passages), default=0.0)
        unknown = [place.name(answer_lang) for place in question.places if not self._mentions.mentions(place)]
        unknown += [code for code in question.codes if not self._mentions.writes(code)]
        if unknown:
            answer = self._abstain(question, answer_lang, passages, retriever.library,
                                   message("unknown_place", answer_lang, place=unknown[0]))
        elif top < self.settings.abstain_below and not _little_but_names(text, answer_lang, self.glossary):
            answer = self._abstain(question, answer_lang, passages, retriever.library)
        else:
            answer, evidence = self._compose(question, answer_lang, passages, retriever)
            if answer.abstained:
                pass
            elif self.settings.llm != "off" and answer_lang not in self.settings.llm_languages:
                notes.append(Note("llm_language"))
            elif self.settings.llm != "off":
                for piece in self.generative.stream(searched, answer_lang, passages, retriever.library, evidence,
                                                    question.asked):
                    if isinstance(piece, Generated):
                        answer = piece.settle(answer)
                    else:
                        yield piece
        done = time.perf_counter()
        timings = {"detect": 1000 * (detected - started), "retrieve": 1000 * (retrieved - detected),
                   "answer": 1000 * (done - retrieved), "total": 1000 * (done - started)}
        first = passages[0].best if passages else None
        yield replace(answer, question=text, searched=searched, detection=detection, truncated=truncated,
                      notes=(*notes, *answer.notes), timings_ms=timings, top_case=first.chunk.doc_id if first else "",
                      top_similarity=float(first.similarity) if first else 0.0)

    def _compose(self, question: Question, lang: str, passages: list[Passage],
                 retriever: HybridRetriever) -> tuple[Answer, list[Candidate]]:
        """The cited answer from the top passages' sentences (a partial or full abstention when they lack it),
        and those sentences as evidence."""
        query = np.asarray(retriever.query_vector(question.text))
        terms = terms_in(question.text, self.glossary)
        names = tuple(forms_in(terms, lang))
        library = retriever.library
        evidence = gather(question, lang, passages, library, library.idf, self.sentence_vectors, query, names,
                          self._mentions, tuple(terms))
        draft = compose(question, evidence, library, names, self.settings.answer_min_similarity)
        if not draft.citations:
            return self._abstain(question, lang, passages, library), evidence
        return Answer(question.text, lang, draft.text, draft.partial, draft.citations, partial=draft.partial,
                      asked=question.asked), evidence

    @property
    def generative(self) -> GenerativeAnswerer:
        """The generative answerer over ``KYODO_LLM``'s model (or the generator given to the constructor)."""
        if self._generator is None:
            self._generator = shared_generator(self.settings)
        return GenerativeAnswerer(self._generator, self.glossary)

    def _abstain(self, question: Question, lang: str, passages: list[Passage], library: Library,
                 reason: str = "") -> Answer:
        titles: list[str] = []
        for passage in passages:
            title = library.title(passage.best.chunk.doc_id, lang)
            if title not in titles:
                titles.append(title)
        cases = "; ".join(titles[:CLOSEST]) or "-"
        text = " ".join(filter(None, [reason, message("abstain" if not reason else "closest", lang, cases=cases)]))
        return Answer(question.text, lang, text, True, [], asked=question.asked)
