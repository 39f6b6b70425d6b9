"""Cut every passage into its quotable sentences and embed them, in every language, for the answer's evidence.

Run by the indexer before a new generation is served, over all documents (a cut or a sentence already
stored costs a lookup, not a split or an embedding), so the read path finds every passage of its top hits
cut (``kb.passage_splits``) and every sentence embedded (``kb.sentence_vectors``).
"""

from __future__ import annotations

from kb.records import Document
from kb.sentence_vectors import SentenceVectors
from kb.vector_cache import Progress


def embed_sentences(documents: list[Document], groups: dict[str, list[tuple[int, int]]],
                    vectors: SentenceVectors, progress: Progress | None = None) -> int:
    """Store the vectors of every passage sentence not stored yet; return how many were embedded."""
    originals = {doc.doc_id: doc for doc in documents if doc.facts.is_original}
    titles: list[str] = []
    passages: list[tuple[str, str, str, str]] = []
    for doc in documents:
        original = originals.get(doc.doc_id, doc)
        aligned = len(original.paragraphs) == len(doc.paragraphs)
        for first, last in groups[doc.key]:
            text = "\n\n".join(doc.paragraphs[first:last + 1])
            source = "\n\n".join(original.paragraphs[first:last + 1]) if aligned else text
            titles.append(doc.title)
            passages.append((text, doc.lang, source, original.lang if aligned else doc.lang))
    cuts = vectors.splits.fill(passages)
    return vectors.fill([(title, s) for title, cut in zip(titles, cuts) for s in cut], progress)
