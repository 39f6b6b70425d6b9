"""Open Chroma: the embedded persistent client by default, a Chroma server when ``KYODO_CHROMA_URL`` is set.

Telemetry is off and no embedding function is ever used: Kyodo passes its own vectors.
"""

from __future__ import annotations

from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from kb.errors import IndexMissingError
from kb.settings import Settings

COLLECTION = "kyodo_chunks"


def open_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                   ssl=url.scheme == "https", settings=chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def open_collection(settings: Settings, create: bool = False) -> chromadb.Collection:
    """The chunk collection (cosine space); without ``create``, a missing one is an ``IndexMissingError``."""
    if not create and not settings.chroma_url and not settings.chroma_dir.exists():
        raise IndexMissingError(f"No index at {settings.chroma_dir}: run 'kyodo index' first")
    client = open_client(settings)
    if create:
        return client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    try:
        collection = client.get_collection(COLLECTION, embedding_function=None)
    except Exception as exc:  # chromadb raises NotFoundError or ValueError depending on the client
        raise IndexMissingError(f"No index in {settings.chroma_url or settings.chroma_dir}: run 'kyodo index' first") from exc
    if collection.count() == 0:
        raise IndexMissingError(f"The index in {settings.chroma_url or settings.chroma_dir} is empty: run 'kyodo index' first")
    return collection
