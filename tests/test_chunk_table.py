"""The chunk table a reader looks chunks, passages and cases up in: written by the indexer, rebuilt by a reader of an
index that lacks it, and telling the same as every chunk read from Chroma."""

from __future__ import annotations

from kb.chunk_table import chunk_table_path, write_chunk_table
from kb.codec import chunk_from
from kb.evidence import IdfTable
from kb.library import _case
from kb.records import Chunk
from kb.retrieve import HybridRetriever, matches
from kb.settings import Settings
from kb.store import open_collection

from indexer.pipeline import build_index


def _chroma_chunks(settings: Settings) -> list[Chunk]:
    got = open_collection(settings).get(include=["metadatas", "documents"])
    return [chunk_from(cid, text, meta) for cid, meta, text in zip(got["ids"], got["metadatas"], got["documents"])]


def test_the_library_read_from_the_chunk_table_holds_what_every_chunk_in_chroma_says(store_corpus: Settings,
                                                                                       embedder) -> None:
    build_index(store_corpus, embedder)
    chunks = _chroma_chunks(store_corpus)
    passage_texts: dict[str, dict[str, str]] = {}
    by_doc: dict[str, list[Chunk]] = {}
    tokens: dict[str, list[list[str]]] = {}
    for chunk in chunks:
        passage_texts.setdefault(chunk.passage, {})[chunk.lang] = chunk.passage_text
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
        tokens.setdefault(chunk.lang, []).append(chunk.tokens.split())

    retriever = HybridRetriever(store_corpus, embedder, [])
    library = retriever.library
    assert dict(library.passage_texts.items()) == passage_texts
    assert list(library.cases) == list(by_doc)
    assert {doc_id: library.cases[doc_id] for doc_id in by_doc} == {d: _case(d, parts) for d, parts in by_doc.items()}
    assert library.idf.idf == IdfTable(tokens).idf
    assert library.texts() == [text for texts in passage_texts.values() for text in texts.values()]
    assert sorted(retriever.chunk_ids()) == sorted(c.chunk_id for c in chunks)
    bago_th = next(c for c in chunks if c.doc_id == "iges-bago-cebu-composting" and c.lang == "th")
    assert retriever.chunk(bago_th.chunk_id) == bago_th
    assert "ปุ๋ยหมัก" in library.passage_texts[bago_th.passage]["th"]
    assert "nowhere#p0-0" not in library.passage_texts and "nowhere" not in library.cases


def test_a_filtered_search_reads_only_matching_cases_from_the_table(full_index: Settings, embedder) -> None:
    retriever = HybridRetriever(full_index, embedder, [])
    where = {"countries": ["TH"], "topics": []}
    passages = retriever.search("ขยะ", "th", k=5, where=where)
    assert passages
    assert all(matches(p.best.chunk.doc_id, p.best.chunk.facts, where) for p in passages)
    assert all("TH" in p.best.chunk.facts.tags("countries") for p in passages)


def test_a_reader_rebuilds_a_missing_or_foreign_chunk_table_and_reindexing_drops_old_ones(store_corpus: Settings,
                                                                                            embedder) -> None:
    build_index(store_corpus, embedder)
    generation = open_collection(store_corpus).name
    path = chunk_table_path(store_corpus, generation)
    assert path.is_file()
    top = HybridRetriever(store_corpus, embedder, []).ranked("ปุ๋ยหมัก ตลาด Bago", "th", mode="keyword")[0][0]

    path.unlink()
    rebuilt = HybridRetriever(store_corpus, embedder, [])
    assert path.is_file() and rebuilt.chunk(top).lang == "th"

    # A table left by another collection of the same name (a Chroma folder deleted and indexed again) is not read.
    write_chunk_table(path, "another-collection", [])
    again = HybridRetriever(store_corpus, embedder, [])
    assert again.chunk(top).lang == "th" and len(again.chunk_ids()) == open_collection(store_corpus).count()

    edited = store_corpus.corpus / "cases/iges-bago-cebu-composting/id.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("1 ton", "3 ton"), encoding="utf-8")
    build_index(store_corpus, embedder)
    edited.write_text(edited.read_text(encoding="utf-8").replace("3 ton", "4 ton"), encoding="utf-8")
    build_index(store_corpus, embedder)
    served = open_collection(store_corpus).name
    assert not path.exists()  # two generations on: dropped with its collection
    assert chunk_table_path(store_corpus, served).is_file()
    assert any("4 ton" in text for text in HybridRetriever(store_corpus, embedder, []).library.texts())
