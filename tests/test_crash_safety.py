"""Indexing that is killed or run twice at once never leaves a broken index serving."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from chromadb import ClientAPI, Collection

from indexer.lock import index_lock
from indexer.pipeline import build_index
from kb.errors import IndexBusyError
from kb.service import KnowledgeBase
from kb.settings import Settings
from kb.store import PREFIX, active_generation, open_client, open_collection
from tests.conftest import CORPUS

NEW_CASES = ("iclei", "unescap", "jica-kyushu", "kita-chelyabinsk-waste")
BAGO_TH = "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร"


def _indexer(settings: Settings, log: Path) -> subprocess.Popen:
    env = {**os.environ, "KYODO_HOME": str(settings.home), "KYODO_CORPUS": str(settings.corpus),
           "KYODO_EMBED_MODEL": settings.embed_model, "KYODO_CHROMA_URL": settings.chroma_url or "",
           "KYODO_VECTORS": str(settings.vectors_path)}
    # Output to a file, not a pipe: nobody reads a pipe while polling, and a full one would stall the indexer.
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "cli.main", "index"], env=env, stdout=out, stderr=out)


def _generations(client: ClientAPI) -> dict[str, Collection]:
    return {c.name: c for c in client.list_collections() if c.name.startswith(PREFIX)}


def _kill_when(settings: Settings, ready: Callable[[int], bool], then_wait: float = 0.0) -> str:
    """Run ``kyodo index`` and SIGKILL it ``then_wait`` seconds after Chroma shows a generation it created whose
    record count satisfies ``ready``; the name of that generation. Triggered by the indexer's own progress."""
    client = open_client(settings)
    before = set(_generations(client))
    log = settings.home.parent / "indexer.log"
    process = _indexer(settings, log)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            new = {name: c for name, c in _generations(client).items() if name not in before}
            if (name := next((n for n, c in new.items() if ready(c.count())), None)) is not None:
                time.sleep(then_wait)
                assert process.poll() is None, f"the indexer finished within {then_wait:.1f} s: kill it sooner"
                process.send_signal(signal.SIGKILL)
                return name
            assert process.poll() is None, f"the indexer ended before the kill: {log.read_text()[-2000:]}"
            assert "it/s]" not in log.read_text(), f"progress bars in a log: {log.read_text()[-300:]}"
            time.sleep(0.05)
        raise AssertionError("the indexer created no new generation within 600 s")
    finally:
        process.kill()
        process.wait()


def test_indexer_killed_while_writing_a_generation_leaves_the_previous_one_serving(small_corpus: Settings,
                                                                                   embedder) -> None:
    # A vector file of its own without the chunks: with the session's, every chunk would be stored already and
    # the indexer would have nothing to embed, so nothing to be killed in the middle of. Sentences stay stored.
    own = small_corpus.home.parent / "vectors.sqlite3"
    if small_corpus.vectors_path.exists():
        shutil.copyfile(small_corpus.vectors_path, own)
    with sqlite3.connect(own) as db:
        db.execute("DROP TABLE IF EXISTS chunks")
    small_corpus = replace(small_corpus, vectors_file=own)
    started = time.monotonic()
    build_index(small_corpus, embedder)
    embedding_12 = time.monotonic() - started  # this machine's pace (12 documents); the rebuild embeds 16
    client = open_client(small_corpus)
    served, served_count = active_generation(client), open_collection(small_corpus).count()
    for case in NEW_CASES:
        shutil.copytree(CORPUS / "cases" / case, small_corpus.corpus / "cases" / case)
    # Killed as soon as the new generation exists, and a quarter of this machine's embedding time after the
    # served chunks were copied into it (embedding the new documents is then under way): inside its writing both times.
    killed = []
    for stage, (ready, wait) in enumerate([(lambda count: True, 0.0),
                                           (lambda count: count >= served_count, embedding_12 / 4)], 1):
        killed.append(name := _kill_when(small_corpus, ready, wait))
        assert name in _generations(client), f"kill {stage}: generation {name} vanished"
        assert active_generation(client) == served, f"kill {stage}: the half-written {name} is being served"
        assert open_collection(small_corpus).count() == served_count
        answer = KnowledgeBase(small_corpus, embedder).ask(BAGO_TH)
        assert not answer.abstained and answer.citations[0].doc_id == "iges-bago-cebu-composting"
    partial = {name: client.get_collection(name).count() for name in killed}
    report = build_index(small_corpus, embedder)
    assert (report.added, report.updated, report.unchanged, report.removed) == (16, 0, 12, 0)
    assert all(count < report.chunks for count in partial.values()), f"killed generations were complete: {partial}"
    assert partial[killed[1]] >= served_count, "the second kill landed before the served chunks were copied"
    names = set(_generations(client))
    assert len(names) <= 2 and not names & set(killed)  # the served one and the one before; interrupted ones are gone
    assert KnowledgeBase(small_corpus, embedder).search("ICLEI ニューヨーク 設立")[1][0].best.chunk.doc_id == "iclei"


def test_a_second_indexer_refuses_with_a_clear_message(small_corpus: Settings, embedder) -> None:
    with index_lock(small_corpus.home):
        with pytest.raises(IndexBusyError, match=r"another indexer \(pid \d+\) is updating .*wait for it to finish"):
            build_index(small_corpus, embedder)
    assert build_index(small_corpus, embedder).added == 12


def test_running_knowledge_base_picks_up_a_new_generation_without_restart(store_corpus: Settings, embedder) -> None:
    build_index(store_corpus, embedder)
    kb = KnowledgeBase(store_corpus, embedder)
    assert kb.search("ICLEI ニューヨーク 設立")[1][0].best.chunk.doc_id != "iclei"
    shutil.copytree(CORPUS / "cases" / "iclei", store_corpus.corpus / "cases" / "iclei")
    build_index(store_corpus, embedder)
    assert kb.search("ICLEI ニューヨーク 設立")[1][0].best.chunk.doc_id == "iclei"
