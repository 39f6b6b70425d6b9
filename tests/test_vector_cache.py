"""Document vectors by content: an unchanged chunk or sentence is never embedded twice, across builds and homes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer.pipeline import build_index
from kb.settings import DEFAULT_EMBED_MODEL, Settings
from kb.store import open_collection
from kb.vector_cache import BATCH, VectorCache
from tests.conftest import SEED

BAGO = "iges-bago-cebu-composting"


def _vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(768).astype(np.float32)
    return vector / np.linalg.norm(vector)


class CountingEmbedder:
    """A stand-in model for the plumbing: a different vector for every text, and a list of what it embedded."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.embedded: list[str] = []
        self.fail_after = fail_after

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and len(self.embedded) >= self.fail_after:
            raise RuntimeError("killed")
        self.embedded += texts
        return np.stack([_vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return _vector(text)

    def count_tokens(self, text: str) -> list[str]:
        return text.split()


def _texts(n: int) -> list[str]:
    return [f"title: Bago | text: ตลาดบาโกส่งขยะ {i} ตันต่อวัน" for i in range(n)]


def test_a_stored_text_is_not_embedded_again_and_chunks_come_back_exactly(tmp_path: Path) -> None:
    model = CountingEmbedder()
    texts = _texts(3) + ["title: 北九州 | text: 研修員434名を受け入れました。"]
    first = VectorCache(tmp_path / "v.sqlite3", model, "m").vectors(texts)
    again = VectorCache(tmp_path / "v.sqlite3", model, "m").vectors(texts + texts[:1])
    assert model.embedded == texts  # the second object, in a new process as far as it knows, embedded nothing
    assert np.array_equal(first, np.stack([_vector(t) for t in texts]))  # float32: exactly what the model gave
    assert np.array_equal(again, np.concatenate([first, first[:1]]))


def test_the_model_and_every_character_of_the_text_are_part_of_the_key(tmp_path: Path) -> None:
    model = CountingEmbedder()
    VectorCache(tmp_path / "v.sqlite3", model, "model-a").fill(["title: Bago | text: 1 ton a day"])
    assert VectorCache(tmp_path / "v.sqlite3", model, "model-b").fill(["title: Bago | text: 1 ton a day"]) == 1
    assert VectorCache(tmp_path / "v.sqlite3", model, "model-a").fill(["title: Bago | text: 1 tons a day"]) == 1
    assert VectorCache(tmp_path / "v.sqlite3", model, "model-a").fill(["title: Bago | text: 1 ton a day"]) == 0


def test_sentences_are_stored_in_half_precision_apart_from_chunks(tmp_path: Path) -> None:
    model = CountingEmbedder()
    texts = _texts(2)
    VectorCache(tmp_path / "v.sqlite3", model, "m", "chunks").fill(texts)
    sentences = VectorCache(tmp_path / "v.sqlite3", model, "m", "sentences")
    assert sentences.fill(texts) == 2  # its own table
    stored = VectorCache(tmp_path / "v.sqlite3", model, "m", "sentences").vectors(texts)
    exact = np.stack([_vector(t) for t in texts])
    assert not np.array_equal(stored, exact) and np.abs(stored - exact).max() < 1e-3


def test_a_killed_fill_keeps_the_batches_it_committed(tmp_path: Path) -> None:
    texts = _texts(BATCH + 5)
    with pytest.raises(RuntimeError, match="killed"):
        VectorCache(tmp_path / "v.sqlite3", CountingEmbedder(fail_after=BATCH), "m").fill(texts)
    assert VectorCache(tmp_path / "v.sqlite3", CountingEmbedder(), "m").fill(texts) == 5


def test_lookups_on_the_read_path_write_nothing(tmp_path: Path) -> None:
    model = CountingEmbedder()
    cache = VectorCache(tmp_path / "v.sqlite3", model, "m", "sentences")
    cache.vectors(_texts(2), store=False)
    cache.vectors(_texts(2), store=False)
    assert len(model.embedded) == 2  # kept for the process
    assert VectorCache(tmp_path / "v.sqlite3", model, "m", "sentences").fill(_texts(2)) == 2  # but not in the file


def test_the_bundled_model_has_one_key_by_name_relative_or_absolute_path(tmp_path: Path) -> None:
    """So test indexes (the model by absolute path) reuse what ``kyodo index`` (by name) stored."""
    folder = tmp_path / "home" / "models" / DEFAULT_EMBED_MODEL
    folder.mkdir(parents=True)
    by_name = Settings(home=tmp_path / "home")
    assert by_name.embed_model_key == str(folder.resolve())
    assert replace(by_name, home=Path("elsewhere"), embed_model=str(folder)).embed_model_key == by_name.embed_model_key
    assert replace(by_name, embed_model="google/embeddinggemma-300m").embed_model_key == "google/embeddinggemma-300m"


def _stored(settings: Settings) -> dict[str, np.ndarray]:
    got = open_collection(settings).get(include=["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"])))


def test_an_index_in_a_new_home_embeds_nothing_the_shared_file_holds(small_corpus: Settings, tmp_path: Path) -> None:
    model = CountingEmbedder()
    own = replace(small_corpus, vectors_file=tmp_path / "own.sqlite3")
    stages: list[tuple[str, int, int]] = []
    first = build_index(own, model, progress=lambda *told: stages.append(told))
    assert first.embedded == first.chunks > 0 and first.sentences > 0
    assert {stage for stage, _, _ in stages} == {"sentences", "chunks"}
    assert stages[-1] == ("chunks", first.chunks, first.chunks)

    model.embedded.clear()
    elsewhere = replace(own, home=tmp_path / "home2")
    second = build_index(elsewhere, model)
    assert (second.added, second.embedded, second.sentences, model.embedded) == (12, 0, 0, [])
    before, after = _stored(own), _stored(elsewhere)
    assert before.keys() == after.keys() and all(np.array_equal(before[k], after[k]) for k in before)

    # One paragraph edited: only the chunk that holds it is embedded again, not the rest of its document.
    english = elsewhere.corpus / "cases" / BAGO / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("household compost baskets", "household compost bins"), encoding="utf-8")
    third = build_index(elsewhere, model)
    assert (third.updated, third.embedded) == (1, 1)


class NoEmbedding:
    """The real model's tokenizer (so chunks are the real ones), and a failure for anything it would embed."""

    def __init__(self, embedder) -> None:
        self.count_tokens = embedder.count_tokens

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"{len(texts)} texts embedded, e.g. {texts[0][:80]!r}")


def test_test_indexes_are_seeded_from_the_project_file(small_corpus: Settings, embedder) -> None:
    """``make index`` fills data/vectors.sqlite3; the session's copy of it spares every test index its embedding."""
    if not SEED.exists():
        pytest.skip("no data/vectors.sqlite3 to seed from: run 'kyodo index' first")
    report = build_index(small_corpus, NoEmbedding(embedder))
    assert (report.added, report.embedded, report.sentences) == (12, 0, 0)
