"""Language-aware chunking: paragraphs first, then sentences within a token budget.

Short paragraphs (headings, photo captions) are grouped with their neighbour. The grouping is
computed once on a case's original file and applied to every translation, so chunk
``p3-4`` is the same passage in ja, en, id and th. A group over the token budget is split by
llama-index's ``SentenceSplitter`` with a sentence splitter for the language (Japanese on
。！？, Thai with PyThaiNLP, others with llama-index's default).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from llama_index.core.node_parser import SentenceSplitter

from kb.records import Chunk, Document
from kb.sentences import sentences

TOKEN_BUDGET = 256
OVERLAP = 32
SHORT = {"ja": 40}
SHORT_DEFAULT = 100


def group_paragraphs(paragraphs: list[str], lang: str) -> list[tuple[int, int]]:
    """Index ranges of paragraphs that form one passage: short ones join the next (the last, the previous).

    >>> group_paragraphs(["Heading", "A long paragraph " * 10, "Caption"], "en")
    [(0, 2)]
    """
    short = SHORT.get(lang, SHORT_DEFAULT)
    groups: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, text in enumerate(paragraphs):
        size += len(text)
        if size >= short or i == len(paragraphs) - 1:
            groups.append((start, i))
            start, size = i + 1, 0
    if len(groups) > 1 and sum(len(p) for p in paragraphs[groups[-1][0]:]) < short:
        groups[-2:] = [(groups[-2][0], groups[-1][1])]
    return groups


@lru_cache(maxsize=8)
def _splitter(lang: str, count: Callable[[str], list]) -> SentenceSplitter:
    return SentenceSplitter(chunk_size=TOKEN_BUDGET, chunk_overlap=OVERLAP, tokenizer=count,
                            paragraph_separator="\n\n", separator=" " if lang in ("en", "id") else "",
                            chunking_tokenizer_fn=lambda text: sentences(text, lang))


def chunk_document(doc: Document, groups: list[tuple[int, int]], tokenize: Callable[[str], list]) -> list[Chunk]:
    """Chunks of one document; ``tokenize`` is the embedding model's tokenizer (for the budget)."""
    chunks: list[Chunk] = []
    for first, last in groups:
        text = "\n\n".join(doc.paragraphs[first:last + 1])
        pieces = [text] if len(tokenize(text)) <= TOKEN_BUDGET else _splitter(doc.lang, tokenize).split_text(text)
        for k, piece in enumerate(pieces):
            suffix = f"s{k}" if len(pieces) > 1 else ""
            chunk_id = f"{doc.doc_id}/{doc.lang}/p{first}-{last}{suffix}"
            chunks.append(Chunk(chunk_id, doc.doc_id, doc.lang, doc.title, piece, first, last, doc.facts, doc.path,
                                passage_text=text))
    return chunks
