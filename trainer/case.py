"""One case study as a pack reads it: its passages and sentences in one language, and the sources it cites.

Built from the served corpus (``kb.library``), so a pack quotes exactly the text Kyodo answers from.
``Sources`` numbers the passages a case's pack cites, [1], [2]… in order of first use, and renumbers
the citations of ``KnowledgeBase.ask`` answers into the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.library import Library
from kb.records import Citation
from kb.sentences import sentences

MARKER = re.compile(r"\[(\d+)\]")
# Headings and photo captions are passages too; they are not sentences to summarise.
MIN_CHARS = {"ja": 20}
MIN_CHARS_DEFAULT = 40
# PyThaiNLP cuts Thai at clause-like spaces; pieces shorter than this join the next one to read as a sentence.
THAI_UNIT = 120
# Prose ends a sentence with a full stop; headings ("(a) Building ...", "イ．...") and photo captions do not.
# Thai has no full stop: there a heading or caption is a short line, or starts with a list letter.
FULL_STOP = re.compile(r"[.。!?！？][\s\"'”’」』)）]*$")
LIST_LETTER = re.compile(r"^\s*(?:\(?[a-z0-9]{1,2}[.)]|\([a-z0-9]{1,2}\))\s")
THAI_PROSE_LINE = 100


@dataclass(frozen=True)
class Sentence:
    """A sentence of the case, its passage (``doc#pA-B``) and its place in the case's reading order."""

    text: str
    passage: str
    position: int


class CaseText:
    """The case ``doc_id`` in ``lang`` (its original where a passage is not translated)."""

    def __init__(self, library: Library, doc_id: str, lang: str) -> None:
        case = library.cases[doc_id]
        self.doc_id = doc_id
        self.case = case
        self.original = case.original
        self.title = library.title(doc_id, lang)
        self.section = library.source(doc_id)
        self.passages = case.keys
        self._texts = {key: library.passage_texts[key] for key in self.passages}
        self.lang = lang if all(lang in self._texts[key] for key in self.passages) else self.original
        self.sentences: list[Sentence] = []
        for key in self.passages:
            pieces = sentences(self.text(key), self.lang)
            for sentence in (joined(self.text(key), pieces, THAI_UNIT) if self.lang == "th" else pieces):
                self.sentences.append(Sentence(sentence, key, len(self.sentences)))

    def text(self, passage: str) -> str:
        return self._texts[passage].get(self.lang) or self._texts[passage][self.original]

    def original_text(self, passage: str) -> str:
        return self._texts[passage][self.original]

    def body(self) -> list[Sentence]:
        """The sentences worth summarising: prose, not headings or captions."""
        least = MIN_CHARS.get(self.lang, MIN_CHARS_DEFAULT)
        return [s for s in self.sentences if len(s.text) >= least and self._prose(s)]

    def _prose(self, sentence: Sentence) -> bool:
        if LIST_LETTER.match(sentence.text):
            return False
        if self.lang != "th":
            return bool(FULL_STOP.search(sentence.text))
        lines = [line for line in self.text(sentence.passage).splitlines() if sentence.text in line]
        return any(len(line) >= THAI_PROSE_LINE for line in lines)


def joined(text: str, pieces: list[str], least: int) -> list[str]:
    """Consecutive ``pieces`` of a line of ``text`` joined until each is ``least`` characters long, sliced from ``text``.

    >>> joined("ab cd efgh ij\\n\\nk l", ["ab", "cd", "efgh", "ij", "k", "l"], 4)
    ['ab cd', 'efgh', 'ij', 'k l']
    """
    spans: list[list[int]] = []
    at = 0
    for piece in pieces:
        start = text.find(piece, at)
        if start < 0:  # not found verbatim: keep the pieces as they are rather than guess
            return pieces
        at = start + len(piece)
        if spans and spans[-1][1] - spans[-1][0] < least and "\n" not in text[spans[-1][1]:start]:
            spans[-1][1] = at
        else:
            spans.append([start, at])
    return [text[a:b] for a, b in spans]


class Sources:
    """The passages one case's pack cites, numbered in order of first use."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def cite(self, doc_id: str, title: str, lang: str, text: str, original: str, section: str,
             sentence: str | None = None) -> int:
        """The number of this passage (added on first use), noting ``sentence`` as quoted from it."""
        for item in self.items:
            if item.doc_id == doc_id and item.text == text:
                break
        else:
            item = Citation(len(self.items) + 1, doc_id, title, lang, text, original, section, [])
            self.items.append(item)
        if sentence and sentence not in item.sentences:
            item.sentences.append(sentence)
        return item.n

    def quote(self, case: CaseText, sentence: Sentence) -> int:
        """Cite the passage of one of the case's own sentences."""
        return self.cite(case.doc_id, case.title, case.lang, case.text(sentence.passage),
                         case.original_text(sentence.passage), case.section, sentence.text)

    def adopt(self, answer: str, citations: list[Citation]) -> tuple[str, list[int]]:
        """An answer's text with its ``[n]`` markers renumbered into this list, and the numbers it now cites."""
        mapping = {c.n: self.cite(c.doc_id, c.title, c.lang, c.text, c.original_text, c.source, None)
                   for c in citations}
        for c in citations:
            for sentence in c.sentences:
                self.cite(c.doc_id, c.title, c.lang, c.text, c.original_text, c.source, sentence)
        text = MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", answer)
        return text, sorted(set(mapping.values()))
