"""Embed every quotable sentence of every passage, in every language, for the answer's evidence.

Run by the indexer before a new generation is served, over all documents (a sentence already in
``kb.sentence_vectors``' table costs a lookup, not an embedding), so the read path finds every
sentence of its top passages stored.
"""

from __future__ import annotations

from kb.evidence import split_passage
from kb.records import Document
from kb.sentence_vectors import SentenceVectors
from kb.vector_cache import Progress


def embed_sentences(documents: list[Document], groups: dict[str, list[tuple[int, int]]],
                    vectors: SentenceVectors, progress: Progress | None = None) -> int:
    """Store the vectors of every passage sentence not stored yet; return how many were embedded."""
    originals = {doc.doc_id: doc for doc in documents if doc.facts.is_original}
    pairs: list[tuple[str, str]] = []
    for doc in documents:
        original = originals.get(doc.doc_id, doc)
        aligned = len(original.paragraphs) == len(doc.paragraphs)
        for first, last in groups[doc.key]:
            text = "\n\n".join(doc.paragraphs[first:last + 1])
            source = "\n\n".join(original.paragraphs[first:last + 1]) if aligned else text
            pairs.extend((doc.title, s) for s in split_passage(text, doc.lang, source,
                                                               original.lang if aligned else doc.lang))
    return vectors.fill(pairs, progress)
