"""Headings, photo captions and list labels: lines of a passage that are never quoted as an answer.

A label is recognised by its form in the document's original language ("イ．フィリピンでの廃棄物管理の推進",
"(平成20年度の主な事業内容)", "植林風景": a short line with no sentence in it). Every translation in the corpus
keeps the original's lines one for one (``kyodo validate`` checks it), so the same line numbers are
labels in every language: "b. Promoting Waste Management in the Philippines" is a label because its
Japanese line is. A bullet item ("- 12 companies took part") is content, not a label.
"""

from __future__ import annotations

import re

# A list or section marker at the start: 第4節, 1., (1), ア., (ア), a., (b).
MARKER = re.compile(r"^\s*(?:第\d+節|\d{1,2}[.．)]|[(（]\d{1,2}[)）]|[ア-ン][.．]|[(（][ア-ン][)）]|[a-h][.)]|\([a-h]\))\s*")
BRACKETED = re.compile(r"^\s*[-–•]?\s*[【(（\[].*[】)）\]]\s*$")
SENTENCE_END = {"ja": re.compile(r"[。！？]"), "default": re.compile(r"[.!?](?:\s|$)")}
# Thai writes no full stop: a Thai line without a sentence in it can only be told by its length.
LONGEST = {"ja": 60, "th": 120, "default": 150}


def is_label(line: str, lang: str) -> bool:
    """True when ``line`` (in ``lang``) is a heading, caption or list label rather than a sentence.

    >>> is_label("イ．フィリピンでの廃棄物管理の推進", "ja"), is_label("植林風景", "ja"), is_label("- 【平成14年】", "ja")
    (True, True, True)
    >>> is_label(" - 2006中国国際環境保護博覧会への出展 4社参加、商談181件", "ja"), is_label("バゴ市では一日1トンを堆肥化している。", "ja")
    (False, False)
    >>> is_label("b. Promoting Waste Management in the Philippines", "en"), is_label("Bago composts 1 tonne a day.", "en")
    (True, False)
    """
    text = line.strip()
    if not text:
        return False
    if BRACKETED.match(text):
        return True
    if text[0] in "-–•":
        return False
    body = MARKER.sub("", text, count=1)
    ends = SENTENCE_END.get(lang, SENTENCE_END["default"])
    return not ends.search(body) and len(body) <= LONGEST.get(lang, LONGEST["default"])


def label_lines(original: str, lang: str) -> frozenset[int]:
    """Indexes of the label lines of a passage (lines as in ``text.split("\\n")``), judged on its original."""
    return frozenset(i for i, line in enumerate(original.split("\n")) if is_label(line, lang))
