"""The generative answer: the model writes from the numbered passages; only text that verifies is shown.

Text streams out a verified prefix at a time: at each sentence end the whole answer so far is
checked (``kb.verify``) and released only if it passes, so a reader never sees an unchecked
claim. The finished answer is checked once more; if it fails, or the model fails, the caller
keeps the extractive answer and says why (``Generated.settle``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from kb.answer import Catalog
from kb.evidence import Candidate
from kb.generate import Generator, LLMError
from kb.glossary import Term
from kb.prompt import answer_prompt
from kb.records import Answer, Citation, Note, Passage
from kb.verify import Verdict, cited, verify

# Answers are 1-4 sentences; Thai and Japanese need about twice the tokens of English for one.
MAX_TOKENS = 320
# The extractive answer reads the top 3 passages too; each one more costs ~5 s of prompt on 2 cores.
PASSAGES = 3
# The evidence sentences the model reads (the best by ``Candidate.score``): a fraction of three whole passages.
EXCERPT_SENTENCES = 6
# A "." ends a sentence only once the next piece shows a space: "2." may still become "2.000".
SENTENCE_END = re.compile(r"[\]。!?！？\n]|\.(?=\s)")


@dataclass(frozen=True)
class Generated:
    """The model's whole answer, its verdict and the citations it makes (numbered as in the prompt)."""

    text: str
    verdict: Verdict
    citations: list[Citation]

    def settle(self, extractive: Answer) -> Answer:
        """This answer when it verified (mode ``generative``), else ``extractive`` with a note (``fallback``)."""
        if self.verdict.ok:
            return replace(extractive, answer=self.text, citations=self.citations, mode="generative")
        note = Note("fallback", {"reason": self.verdict.reason})
        return replace(extractive, notes=(*extractive.notes, note), mode="fallback")


class GenerativeAnswerer:
    """Prompt, generate, verify: ``stream`` yields verified text, then one ``Generated``."""

    def __init__(self, generator: Generator, glossary: list[Term], max_tokens: int = MAX_TOKENS,
                 passages: int = PASSAGES) -> None:
        self.generator = generator
        self.glossary = glossary
        self.max_tokens = max_tokens
        self.passages = passages

    def stream(self, question: str, lang: str, passages: list[Passage], catalog: Catalog,
               evidence: list[Candidate] | None = None, asked: str = "fact") -> Iterator[str | Generated]:
        """Verified pieces of the answer as the model writes them, then the ``Generated`` record.

        With ``evidence`` (``kb.evidence.gather``) the model reads only the best sentences, under their passages'
        titles, and is told what the question asks for (``asked``); without it, the top passages whole.
        Closing the iterator early (a stop button) stops the model.
        """
        given, excerpts = (passages[: self.passages], None) if evidence is None else _excerpts(evidence)
        titles = [catalog.title(p.best.chunk.doc_id, p.text_in(lang)[0]) for p in given]
        sources = [[*p.texts.values(), *(catalog.title(p.best.chunk.doc_id, code) for code in p.texts)] for p in given]
        text, shown = "", 0
        pieces = self.generator.generate(answer_prompt(question, lang, given, titles, asked, excerpts), self.max_tokens)
        try:
            for piece in pieces:
                text = (text + piece).lstrip()  # offsets of what was shown stay valid: only leading space goes
                end = _last_sentence_end(text)
                if end > shown and verify(text[:end], lang, sources, self.glossary, question).ok:
                    yield text[shown:end]
                    shown = end
        except LLMError as exc:
            yield Generated(text, Verdict(False, str(exc), ()), [])
            return
        finally:
            close = getattr(pieces, "close", None)
            if close:
                close()
        text = text.rstrip()
        verdict = verify(text, lang, sources, self.glossary, question)
        if verdict.ok and len(text) > shown:
            yield text[shown:]
        yield Generated(text, verdict, _citations(text, lang, given, catalog) if verdict.ok else [])


def _excerpts(evidence: list[Candidate]) -> tuple[list[Passage], list[list[str]]]:
    """The passages of the best ``EXCERPT_SENTENCES`` candidates in rank order, each with its chosen sentences."""
    best = sorted(evidence, key=lambda c: -c.score)[:EXCERPT_SENTENCES]
    chosen: dict[str, list[Candidate]] = {}
    for candidate in sorted(best, key=lambda c: (c.rank, c.position)):
        chosen.setdefault(candidate.passage.key, []).append(candidate)
    return ([group[0].passage for group in chosen.values()],
            [[c.sentence for c in group] for group in chosen.values()])


def _last_sentence_end(text: str) -> int:
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    return ends[-1] if ends else 0


def _citations(text: str, lang: str, given: list[Passage], catalog: Catalog) -> list[Citation]:
    """One citation per passage the answer cites, keeping the prompt's numbers so the text needs no rewriting."""
    citations = []
    for n in sorted(cited(text)):
        passage = given[n - 1]
        text_lang, passage_text = passage.text_in(lang)
        doc_id = passage.best.chunk.doc_id
        citations.append(Citation(n, doc_id, catalog.title(doc_id, text_lang), text_lang, passage_text,
                                  catalog.original_text(passage), catalog.source(doc_id), []))
    return citations
