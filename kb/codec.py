"""How documents and chunks are stored as Chroma (and llama-index) metadata, and read back.

The one contract between the indexer, which writes it, and the reader: Chroma keeps only flat strings and
numbers, so tag lists are comma-joined, and a field a document does not have is left out (a translation
names ``translated_from``; the original does not). The layout is that of every index built so far: changing
it means re-indexing (``indexer.pipeline.CHUNKING_VERSION``).
"""

from __future__ import annotations

from collections.abc import Mapping

from kb.records import Chunk, Document, Facts

TAGS = ("cities", "countries", "topics", "years")


def facts_metadata(facts: Facts) -> dict[str, str]:
    """``facts`` as flat strings, in the order the document hash has always seen them.

    >>> facts_metadata(Facts(source="第4節", cities=("Bago", "Cebu"), years=()))
    {'source': '第4節', 'cities': 'Bago,Cebu', 'years': ''}
    """
    meta = {name: value for name in ("source", "translated_from") if (value := getattr(facts, name)) is not None}
    meta.update({name: ",".join(value) for name in TAGS if (value := getattr(facts, name)) is not None})
    return meta


def facts_from(meta: Mapping[str, object]) -> Facts:
    """The facts stored in ``meta`` (a field it lacks stays ``None``).

    >>> facts_from({"cities": "Bago,Cebu", "years": "", "doc": "bago"})
    Facts(source=None, translated_from=None, cities=('Bago', 'Cebu'), countries=None, topics=None, years=())
    """
    def text(name: str) -> str | None:
        return None if meta.get(name) is None else str(meta[name])

    def tags(name: str) -> tuple[str, ...] | None:
        value = text(name)
        return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())

    return Facts(text("source"), text("translated_from"), *(tags(name) for name in TAGS))


def document_metadata(doc: Document) -> dict[str, str]:
    """A document's metadata as the indexer hashes and stores it (its paragraphs go separately)."""
    return {**facts_metadata(doc.facts), "doc": doc.doc_id, "lang": doc.lang, "title": doc.title, "path": doc.path}


def document_from(meta: Mapping[str, object], paragraphs: list[str]) -> Document:
    return Document(str(meta["doc"]), str(meta["lang"]), str(meta["title"]), paragraphs, str(meta["path"]),
                    facts_from(meta))


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    """Everything the reader needs about a chunk besides its text and vector."""
    return {**facts_metadata(chunk.facts), "doc": chunk.doc_id, "lang": chunk.lang, "title": chunk.title,
            "path": chunk.path, "first": chunk.first, "last": chunk.last, "passage": chunk.passage,
            "passage_text": chunk.passage_text, "tokens": chunk.tokens}


def chunk_from(chunk_id: str, text: str, meta: Mapping[str, object]) -> Chunk:
    """The chunk stored as ``chunk_id`` with ``text`` and ``meta``; ``chunk_metadata``'s inverse."""
    return Chunk(chunk_id, str(meta["doc"]), str(meta["lang"]), str(meta["title"]), text, int(meta["first"]),
                 int(meta["last"]), facts_from(meta), str(meta.get("path", "")),
                 str(meta.get("passage_text", text)), str(meta.get("tokens", "")))
