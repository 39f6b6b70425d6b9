"""Indexing that is killed or run twice at once never leaves a broken index serving."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from indexer.lock import index_lock
from indexer.pipeline import build_index
from kb.errors import IndexBusyError
from kb.service import KnowledgeBase
from kb.settings import Settings
from kb.store import open_client, open_collection
from tests.conftest import CORPUS

NEW_CASES = ("iclei", "unescap", "jica-kyushu", "kita-chelyabinsk-waste")


def _indexer(settings: Settings) -> subprocess.Popen:
    env = {**os.environ, "KYODO_HOME": str(settings.home), "KYODO_CORPUS": str(settings.corpus),
           "KYODO_EMBED_MODEL": settings.embed_model, "KYODO_CHROMA_URL": settings.chroma_url or ""}
    return subprocess.Popen([sys.executable, "-m", "cli.main", "index"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_rebuilds_keep_serving_the_previous_index(small_corpus: Settings, embedder) -> None:
    build_index(small_corpus, embedder)
    served = open_collection(small_corpus).count()
    for case in NEW_CASES:
        shutil.copytree(CORPUS / "cases" / case, small_corpus.corpus / "cases" / case)
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        process = _indexer(small_corpus)
        time.sleep(rng.uniform(3.0, 14.0))
        if process.poll() is not None:
            break  # it finished before the kill: nothing more to interrupt
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        kb = KnowledgeBase(small_corpus, embedder)
        assert open_collection(small_corpus).count() == served
        answer = kb.ask("Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร")
        assert not answer.abstained and answer.citations[0].doc_id == "iges-bago-cebu-composting"
    assert kills >= 2
    report = build_index(small_corpus, embedder)
    assert (report.added, report.updated, report.unchanged, report.removed) == (16, 0, 12, 0)
    names = [c.name for c in open_client(small_corpus).list_collections() if c.name.startswith("kyodo_chunks_")]
    assert len(names) <= 2  # the served generation and the one before it; interrupted ones are gone
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
