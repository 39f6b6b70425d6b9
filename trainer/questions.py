"""Discussion questions for one case, answered and checked by Kyodo's own ``KnowledgeBase.ask``.

Questions come from templates (``trainer.texts.QUESTIONS``): what was done, fill in a key figure,
the problem, results, partners, next steps, what to adopt. Each is asked with retrieval limited to
the case, in the participants' language (extractive, or generative when ``KYODO_LLM`` is on). A question is kept
only when its answer is not an abstention, cites only this case, quotes sentences that occur in
the passages it cites, and, for a figure question, contains the figure. Answers that add no
sentence beyond earlier ones are kept only to reach ``MIN_QUESTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.numbers import numbers
from kb.records import Answer
from kb.service import KnowledgeBase
from trainer.case import CaseText, Sources
from kb.figures import Figure, cloze
from trainer.texts import BLANK, question

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
FIGURE_QUESTIONS = 2


@dataclass(frozen=True)
class Discussion:
    """A question, its answer with markers numbered into the case's sources, and how it was answered."""

    kind: str
    question: str
    answer: str
    citations: list[int]
    mode: str
    figure: str = ""


def candidates(lang: str, place: str, theme: str, figures: list[Figure]) -> list[tuple[str, str, str]]:
    """(kind, question, expected figure) in the order they are tried."""
    asked = [("what", question("what", lang, place=place, theme=theme), "")]
    for figure in figures[:FIGURE_QUESTIONS]:
        text = question("figure", lang, place=place, theme=theme, cloze=cloze(figure, BLANK))
        asked.append(("figure", text[:1].upper() + text[1:], figure.number))
    asked += [(kind, question(kind, lang, place=place, theme=theme), "")
              for kind in ("problem", "results", "partners", "next", "apply")]
    return asked


def checks_out(answer: Answer, case: CaseText, figure: str) -> bool:
    """Whether an answer may go into the pack as the answer to a question about ``case``."""
    if answer.abstained or not answer.citations:
        return False
    if any(c.doc_id != case.doc_id for c in answer.citations):
        return False
    if any(sentence not in c.text for c in answer.citations for sentence in c.sentences):
        return False
    return not figure or figure in numbers(answer.answer)


def ask(kb: KnowledgeBase, case: CaseText, text: str, lang: str) -> Answer:
    """``text`` answered from ``case`` alone; asked again after the case's title when the bare question abstains.

    Under the case's heading a reader knows which case is meant; the retriever does not, and a bare
    "What problem was Surabaya facing?" can fall below the abstention threshold. The title is not
    added first because its words would then pick the same sentences for every question.
    """
    where = {"doc": [case.doc_id]}
    answer = kb.ask(text, lang, where=where)
    return kb.ask(f"{case.title}: {text}", lang, where=where) if answer.abstained else answer


def discuss(kb: KnowledgeBase, case: CaseText, lang: str, place: str, theme: str, figures: list[Figure],
            sources: Sources) -> list[Discussion]:
    """Three to five checked questions and answers (fewer only when fewer pass the checks)."""
    kept: list[tuple[str, str, str, Answer]] = []
    spare: list[tuple[str, str, str, Answer]] = []
    covered: set[str] = set()
    for kind, text, figure in candidates(lang, place, theme, figures):
        if len(kept) == MAX_QUESTIONS:
            break
        answer = ask(kb, case, text, lang)
        if not checks_out(answer, case, figure):
            continue
        quoted = {s for c in answer.citations for s in c.sentences} or {answer.answer}
        if quoted <= covered:
            spare.append((kind, text, figure, answer))
            continue
        covered |= quoted
        kept.append((kind, text, figure, answer))
    # A short case has few sentences: fill up with answers that repeat earlier sentences, new wordings first.
    spare.sort(key=lambda item: any(item[3].answer == other[3].answer for other in kept))
    kept += spare[:max(0, MIN_QUESTIONS - len(kept))]
    result = []
    for kind, text, figure, answer in kept:
        renumbered, cited = sources.adopt(answer.answer, answer.citations)
        result.append(Discussion(kind, text, renumbered, cited, answer.mode, figure))
    return result
