"""Incremental, crash-safe indexing: read the corpus, chunk changed documents, embed them, store in Chroma.

llama-index's ``IngestionPipeline`` with a document store skips documents whose hash is
unchanged and replaces changed ones; Kyodo removes documents whose file is gone (but keeps
those whose file merely failed to read this time, so a broken edit never empties the index),
and serves a new generation only once it is complete (see ``kb.store``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from chromadb import Collection
from llama_index.core import Document as LlamaDocument
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.schema import BaseNode, MetadataMode, NodeRelationship, TextNode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from indexer.chunking import OVERLAP, TOKEN_BUDGET, chunk_document, group_paragraphs
from indexer.lock import index_lock
from indexer.readers import corpus_files, corpus_key, read_document, stray_files
from indexer.sentences import embed_sentences
from kb.chunk_table import ChunkTable, chunk_table_path, drop_chunk_tables, iter_chunks, write_chunk_table
from kb.codec import chunk_metadata, document_from, document_metadata
from kb.embedder import Embedder
from kb.errors import CorpusError
from kb.keyword import drop_keyword_indexes, save_keyword_index
from kb.records import Document
from kb.sentence_vectors import SentenceVectors
from kb.settings import Settings
from kb.store import active_generation, drop_generations, new_generation, open_client, read_pages, set_active_generation
from kb.tokens import tokenize
from kb.vector_cache import Progress as StageProgress, VectorCache

EMBED_KEYS = ("title",)
Progress = Callable[[str, int, int], None]  # (stage, texts embedded so far, texts to embed in that stage)
# Part of every document's hash: change it when chunking or chunk metadata changes, to re-embed all.
CHUNKING_VERSION = f"3/{TOKEN_BUDGET}/{OVERLAP}"


@dataclass
class IndexReport:
    """What one run changed; ``failed`` holds (file, reason) for every file that was skipped."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    sentences: int = 0  # sentences embedded for answer evidence (0 when all were stored already)
    embedded: int = 0  # chunks embedded (the others' vectors were stored already, ``kb.vector_cache``)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, removed {self.removed}, "
                f"failed {len(self.failed)}; {self.chunks} chunks in the index ({self.seconds:.1f} s)")


def read_corpus(corpus: Path) -> tuple[list[Document], list[tuple[str, str]]]:
    """Every readable document, and (file, reason) for those that are not or lie outside cases/ and documents/."""
    documents, failed = [], []
    for path in corpus_files(corpus):
        try:
            documents.append(read_document(path, corpus))
        except CorpusError as exc:
            failed.append((str(path), str(exc)))
    return documents, failed + [(str(path), reason) for path, reason in stray_files(corpus)]


def paragraph_groups(documents: list[Document]) -> dict[str, list[tuple[int, int]]]:
    """Passage grouping per document key, taken from each case's original so that languages align."""
    by_id: dict[str, list[Document]] = {}
    for doc in documents:
        by_id.setdefault(doc.doc_id, []).append(doc)
    groups = {}
    for versions in by_id.values():
        original = next((d for d in versions if d.facts.is_original), versions[0])
        shared = group_paragraphs(original.paragraphs, original.lang)
        for doc in versions:
            aligned = len(doc.paragraphs) == len(original.paragraphs)
            groups[doc.key] = shared if aligned else group_paragraphs(doc.paragraphs, doc.lang)
    return groups


def to_llama(doc: Document, groups: list[tuple[int, int]]) -> LlamaDocument:
    """A llama-index document keyed ``<doc_id>/<lang>``; our id goes in ``doc`` (llama-index owns ``doc_id``)."""
    # The metadata is part of the document's hash: its keys and their order are kept as they have always been.
    metadata = {**document_metadata(doc), "paragraphs": json.dumps(doc.paragraphs, ensure_ascii=False),
                "groups": json.dumps(groups), "chunking": CHUNKING_VERSION}
    return LlamaDocument(id_=doc.key, text="\n\n".join(doc.paragraphs), metadata=metadata)


class ChunkTransform(TransformComponent):
    """Turns llama-index documents into chunk nodes with stable ids, BM25 tokens and aligned-passage keys."""

    _count_tokens: Any = PrivateAttr()

    def __init__(self, count_tokens: Callable[[str], list], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._count_tokens = count_tokens

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            paragraphs, groups = json.loads(node.metadata["paragraphs"]), [tuple(g) for g in json.loads(node.metadata["groups"])]
            doc = document_from(node.metadata, paragraphs)
            for chunk in chunk_document(doc, groups, self._count_tokens):
                chunk_meta = chunk_metadata(replace(chunk, tokens=" ".join(tokenize(chunk.text, chunk.lang))))
                text_node = TextNode(
                    id_=chunk.chunk_id, text=chunk.text, metadata=chunk_meta,
                    excluded_embed_metadata_keys=[k for k in chunk_meta if k not in EMBED_KEYS],
                    excluded_llm_metadata_keys=list(chunk_meta),
                    metadata_template="{key}: {value}", text_template="{metadata_str} | text: {content}",
                )
                text_node.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
                out.append(text_node)
        return out


class EmbedChunks(TransformComponent):
    """Sets each chunk node's vector from the ``chunks`` vector cache, embedding only texts not stored yet."""

    _cache: Any = PrivateAttr()
    _progress: Any = PrivateAttr()

    def __init__(self, cache: VectorCache, progress: StageProgress | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cache, self._progress = cache, progress

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        # The text llama-index's own embedding step would embed: "title: … | text: …" (EMBED_KEYS).
        texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
        for node, vector in zip(nodes, self._cache.vectors(texts, progress=self._progress)):
            node.embedding = vector.tolist()
        return nodes


def _copy(source: Collection, target: Collection, batch: int = 2000) -> None:
    """Copy every record, vectors included, so unchanged documents are not embedded again."""
    total = source.count()
    for offset in range(0, total, batch):
        got = source.get(limit=batch, offset=offset, include=["embeddings", "metadatas", "documents"])
        target.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"], documents=got["documents"])


def _stage(progress: Progress | None, name: str) -> StageProgress | None:
    return partial(progress, name) if progress else None


def _docstore_path(settings: Settings, generation: str) -> Path:
    return settings.home / "docstores" / f"{generation}.json"


def build_index(settings: Settings, embedder: Embedder, corpus: Path | None = None,
                progress: Progress | None = None) -> IndexReport:
    """Bring the index in line with the corpus, crash-safely; ``progress`` is told of each embedding stage.

    Changes are written into a new generation (a copy of the served one plus the changed
    documents) and served only once complete, by flipping the active pointer. Unchanged
    documents are neither chunked nor embedded; a run that changes nothing writes nothing.
    A chunk or sentence whose text was embedded before (by any build sharing the vector file)
    costs a lookup, not an embedding.
    """
    started = time.perf_counter()
    corpus = corpus or settings.corpus
    if not corpus.is_dir():
        raise CorpusError(f"No corpus folder at {corpus} (pass --corpus DIR or set KYODO_CORPUS)")
    with index_lock(settings.home):
        documents, failed = read_corpus(corpus)
        groups = paragraph_groups(documents)
        llama_docs = [to_llama(doc, groups[doc.key]) for doc in documents]
        report = IndexReport(failed=failed)
        client = open_client(settings)
        active = active_generation(client)
        stored = _docstore_path(settings, active) if active else None
        docstore = SimpleDocumentStore.from_persist_path(str(stored)) if stored and stored.exists() else SimpleDocumentStore()
        known = {key: digest for digest, key in docstore.get_all_document_hashes().items()}
        for doc in llama_docs:
            previous = known.get(doc.id_)
            if previous is None:
                report.added += 1
            elif previous != doc.hash:
                report.updated += 1
            else:
                report.unchanged += 1
        failed_paths = {corpus_key(Path(path), corpus) for path, _ in failed}
        present = {doc.id_ for doc in llama_docs}
        removed = [key for key in set(known) - present
                   # a file that is still there but broken keeps serving its last good version
                   if (docstore.get_document(key, raise_error=False) or LlamaDocument()).metadata.get("path") not in failed_paths]
        report.removed = len(removed)
        # Before any new generation is served, so its answers find their sentences embedded (a cache: idempotent).
        report.sentences = embed_sentences(documents, groups, SentenceVectors(settings.vectors_path, embedder,
                                                                                settings.embed_model_key),
                                           _stage(progress, "sentences"))
        if active and not (report.added or report.updated or report.removed):
            dropped = drop_generations(client, keep={active})
            drop_keyword_indexes(settings, dropped)
            drop_chunk_tables(settings, dropped)
            report.chunks = client.get_collection(active).count()
            report.seconds = time.perf_counter() - started
            return report

        generation = new_generation(client)
        if active:
            _copy(client.get_collection(active), generation)
        vector_store = ChromaVectorStore(chroma_collection=generation)
        chunks = VectorCache(settings.vectors_path, embedder, settings.embed_model_key, "chunks")
        pipeline = IngestionPipeline(
            transformations=[ChunkTransform(embedder.count_tokens), EmbedChunks(chunks, _stage(progress, "chunks"))],
            vector_store=vector_store, docstore=docstore, docstore_strategy=DocstoreStrategy.UPSERTS,
        )
        if report.added or report.updated:
            pipeline.run(documents=llama_docs)
        for key in removed:
            vector_store.delete(key)
            docstore.delete_document(key, raise_error=False)
        target = _docstore_path(settings, generation.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        docstore.persist(str(target.with_suffix(".tmp")))
        os.replace(target.with_suffix(".tmp"), target)
        # Readers look chunks up in the chunk table and map the keyword index instead of building them: both are
        # complete before the generation is served.
        table_path = chunk_table_path(settings, generation.name)
        write_chunk_table(table_path, str(generation.id), iter_chunks(read_pages(generation, ["metadatas", "documents"])))
        table = ChunkTable(table_path)
        save_keyword_index(settings, generation.name, table.ids(), table.tokens())
        table.close()
        set_active_generation(client, generation.name)
        # The previous generation stays one more round for readers that have not reloaded yet.
        dropped = drop_generations(client, keep={generation.name, active or generation.name})
        for name in dropped:
            _docstore_path(settings, name).unlink(missing_ok=True)
        drop_keyword_indexes(settings, dropped)
        drop_chunk_tables(settings, dropped)
        report.chunks, report.embedded = generation.count(), chunks.embedded
        report.seconds = time.perf_counter() - started
        return report
