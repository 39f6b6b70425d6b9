"""Check a generated answer before it is shown: citations, numbers, proper names and language.

A generated answer is never trusted. Every ``[n]`` must name a passage that was given; every
number (normalised by ``kb.numbers``) and every glossary name in the answer must occur in a
passage it cites, in any of that passage's languages; and the answer must be in the question's
language. Names outside the glossary and paraphrased claims are not checked: this catches
invented figures and places, not every possible error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.glossary import Term, names_in
from kb.language import detect_language
from kb.numbers import numbers
from kb.tokens import tokenize

MARKER = re.compile(r"\[\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*\]")
# "1. ..." at the start of a line numbers a list item; it is not a figure the answer claims.
ENUMERATION = re.compile(r"^\s*\d{1,2}[.)]\s+", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """Whether an answer may be shown, why not (naming the bad value), and the passages it cites."""

    ok: bool
    reason: str
    cited: tuple[int, ...]


def cited(text: str) -> tuple[int, ...]:
    """Passage numbers cited in ``text``, in order of first use.

    >>> cited("1 tonne a day [2]. Since 2008 [1, 2][3].")
    (2, 1, 3)
    """
    found = (int(n) for group in MARKER.findall(text) for n in re.split(r"[,，、]", group))
    return tuple(dict.fromkeys(found))


def claims(text: str) -> str:
    """The answer without its citation markers and list numbering: the text whose facts are checked."""
    return ENUMERATION.sub("", MARKER.sub(" ", text))


def _mentions(text: str, term: Term) -> bool:
    return bool(names_in(text, next(iter(term.forms)), [term]))


def verify(text: str, lang: str, sources: list[list[str]], glossary: list[Term], question: str = "") -> Verdict:
    """Check ``text`` against ``sources``: ``sources[n - 1]`` holds every text of passage ``[n]``.

    With ``question``, an answer that only repeats the question's words (a small model's echo) fails too.

    >>> verify("Bago composts 1 tonne a day [1].", "en", [["Bago composts 1 tonne a day."]], []).ok
    True
    >>> verify("Bago composts 5 tonnes a day [1].", "en", [["Bago composts 1 tonne a day."]], []).reason
    'number 5 is not in the cited passages [1]'
    """
    numbers_cited = cited(text)
    if not text.strip():
        return Verdict(False, "the answer is empty", ())
    if not numbers_cited:
        return Verdict(False, "the answer cites no passage", ())
    if bad := [n for n in numbers_cited if not 1 <= n <= len(sources)]:
        return Verdict(False, f"[{bad[0]}] is not one of the {len(sources)} passages given", numbers_cited)
    marks = "".join(f"[{n}]" for n in numbers_cited)
    body = claims(text)
    if not re.search(r"[^\W\d_]", body):
        return Verdict(False, "the answer has no words besides its citations", numbers_cited)
    detection = detect_language(body)
    # French comes back as lang "en", supported False; a guess (English names and loanwords, "compost centre
    # composts tonnes" reads as French) is not a reason to throw a grounded answer away.
    if detection.lang != lang or not (detection.supported or not detection.confident):
        return Verdict(False, f"the answer is in {detection.detected!r}, not {lang!r}", numbers_cited)
    if question and set(tokenize(body, lang)) <= set(tokenize(question, lang)):
        return Verdict(False, "the answer only repeats the question", numbers_cited)
    evidence = "\n".join(t for n in numbers_cited for t in sources[n - 1])
    if invented := sorted(numbers(body) - numbers(evidence)):
        return Verdict(False, f"number {invented[0]} is not in the cited passages {marks}", numbers_cited)
    for term in glossary:
        if _mentions(body, term) and not _mentions(evidence, term):
            name = names_in(body, lang, [term]) or [next(iter(term.forms.values()))[0]]
            return Verdict(False, f"name {name[0]!r} is not in the cited passages {marks}", numbers_cited)
    return Verdict(True, "", numbers_cited)
