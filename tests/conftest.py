"""Shared fixtures: the real embedding model, and real Chroma indexes under pytest's temp dirs."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bench.measure import free_port
from indexer.pipeline import build_index
from kb.embedder import SentenceTransformerEmbedder, shared_embedder
from kb.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED = Settings.from_env().vectors_path  # the project's vector file (``make index`` fills it), read before the tests


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = Settings.from_env().embed_model_path
    if not (Path(path) / "config.json").exists():
        pytest.fail(f"No embedding model at {path}: run 'kyodo models fetch' (make test does) before the tests")
    return Path(path).resolve()


@pytest.fixture(scope="session")
def embedder(model_path: Path) -> SentenceTransformerEmbedder:
    return shared_embedder(model_path)


@pytest.fixture(scope="session")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One vector file (chunks and sentences) for the session, seeded from the project's (``make index`` fills it).

    It is a cache keyed by model and text, so sharing it changes no answer; it only spares every test
    index from embedding the same chunks and sentences again.
    """
    path = tmp_path_factory.mktemp("vectors") / "vectors.sqlite3"
    if SEED.exists():
        shutil.copyfile(SEED, path)
    return path


@pytest.fixture(scope="session", autouse=True)
def vectors_for_commands(vectors: Path) -> Iterator[None]:
    """Settings from the environment, and the ``kyodo`` processes tests start, use the session's vector file too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KYODO_VECTORS", str(vectors))
        yield


@pytest.fixture(scope="session")
def full_index(tmp_path_factory: pytest.TempPathFactory, model_path: Path, embedder, vectors: Path) -> Settings:
    """The whole shipped corpus indexed once per test session into a temporary Chroma."""
    settings = Settings(home=tmp_path_factory.mktemp("kyodo_home"), corpus=CORPUS, embed_model=str(model_path),
                        vectors_file=vectors)
    build_index(settings, embedder)
    return settings


@pytest.fixture
def small_corpus(tmp_path: Path, model_path: Path, vectors: Path) -> Settings:
    """Three real cases and the glossary copied under tmp_path, with an empty home beside them."""
    corpus = tmp_path / "corpus"
    for case in ("iges-bago-cebu-composting", "dalian-oda-master-plan", "kita-international-training"):
        shutil.copytree(CORPUS / "cases" / case, corpus / "cases" / case)
    shutil.copy(CORPUS / "glossary.yaml", corpus / "glossary.yaml")
    return replace(Settings(), home=tmp_path / "home", corpus=corpus, embed_model=str(model_path),
                   vectors_file=vectors)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on a free loopback port, for the server-mode (scale-out) tests."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma_server")),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"chroma run did not start on port {port} within 30 s")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["embedded", "server"])
def store_corpus(request: pytest.FixtureRequest, small_corpus: Settings) -> Settings:
    """The small corpus against the embedded client and against a Chroma server (own database per test)."""
    if request.param == "embedded":
        return small_corpus
    base = request.getfixturevalue("chroma_server")
    return replace(small_corpus, chroma_url=f"{base}/t{uuid.uuid4().hex[:12]}")
