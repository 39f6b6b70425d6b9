"""Open Chroma: the embedded persistent client by default, a Chroma server when ``KYODO_CHROMA_URL`` is set.

The index lives in generations: each rebuild writes a new collection ``kyodo_chunks_<n>`` and
then flips the one-record pointer collection ``kyodo_active`` to it. Readers follow the pointer,
so a half-written generation is never served. Telemetry is off and no embedding function is
ever used: Kyodo passes its own vectors.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from kb.chunk_table import ChunkTable, chunk_table_path, iter_chunks, open_chunk_table, write_chunk_table
from kb.errors import IndexEmptyError, IndexMissingError
from kb.settings import Settings

PREFIX = "kyodo_chunks_"
POINTER = "kyodo_active"
POINTER_ID = "active"
DEFAULT_DATABASE = "default_database"
EMPTY_INDEX = "The index is empty: put documents in corpus/documents/ and run 'kyodo index'"


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """Embedded client under ``KYODO_HOME``, or a server client; ``http://host:port/NAME`` uses database NAME."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        host, port, ssl = url.hostname or "localhost", url.port or 8000, url.scheme == "https"
        database = url.path.strip("/") or DEFAULT_DATABASE
        if database != DEFAULT_DATABASE:
            _ensure_database(host, port, ssl, database)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings, database=database)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def _ensure_database(host: str, port: int, ssl: bool, name: str) -> None:
    admin = chromadb.AdminClient(ChromaSettings(chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host,
                                                chroma_server_http_port=port, chroma_server_ssl_enabled=ssl,
                                                anonymized_telemetry=False))
    try:
        admin.get_database(name)
    except Exception:  # the HTTP client reports a missing database as a generic error
        admin.create_database(name)


def pointer_collection(client: chromadb.ClientAPI) -> chromadb.Collection:
    """The one-record collection that names the generation being served."""
    return client.get_or_create_collection(POINTER, embedding_function=None)


def active_generation(client: chromadb.ClientAPI, pointer: chromadb.Collection | None = None) -> str | None:
    """Name of the collection being served, or None before the first complete index; ``pointer``, when a reader
    holds it open, saves a round trip per question."""
    got = (pointer if pointer is not None else pointer_collection(client)).get(ids=[POINTER_ID], include=["metadatas"])
    return got["metadatas"][0]["collection"] if got["ids"] else None


def set_active_generation(client: chromadb.ClientAPI, name: str) -> None:
    """Serve ``name`` from now on: one record upsert, atomic in Chroma's SQLite."""
    pointer_collection(client).upsert(ids=[POINTER_ID], documents=[name], metadatas=[{"collection": name}],
                            embeddings=[[0.0]])


def new_generation(client: chromadb.ClientAPI) -> chromadb.Collection:
    """A fresh, empty collection (cosine space) numbered after every existing one."""
    numbers = [int(c.name[len(PREFIX):]) for c in client.list_collections() if c.name[len(PREFIX):].isdigit()
               and c.name.startswith(PREFIX)]
    name = f"{PREFIX}{max(numbers, default=0) + 1}"
    return client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)


def drop_generations(client: chromadb.ClientAPI, keep: set[str]) -> list[str]:
    """Delete every generation not in ``keep`` (leftovers of interrupted runs, superseded ones)."""
    dropped = []
    for collection in client.list_collections():
        if collection.name.startswith(PREFIX) and collection.name not in keep:
            client.delete_collection(collection.name)
            dropped.append(collection.name)
    return dropped


def open_collection(settings: Settings) -> chromadb.Collection:
    """The collection being served; ``IndexMissingError`` when there is none yet, ``IndexEmptyError`` when it
    holds no chunks (BM25 cannot be built over nothing)."""
    where = settings.chroma_url or settings.chroma_dir
    if not settings.chroma_url and not settings.chroma_dir.exists():
        raise IndexMissingError(f"No index at {where}: run 'kyodo index' first")
    client = open_client(settings)
    name = active_generation(client)
    if name is None:
        raise IndexMissingError(f"No index at {where}: run 'kyodo index' first")
    collection = client.get_collection(name, embedding_function=None)
    if collection.count() == 0:
        raise IndexEmptyError(EMPTY_INDEX)
    return collection


def read_pages(collection: chromadb.Collection, include: list[str], batch: int = 5000) -> Iterator[dict[str, list]]:
    """Every record of ``collection`` as ``get`` results of at most ``batch`` records each: one unpaged ``get`` of
    ~100k records fails in the embedded client with SQLite's "too many SQL variables"."""
    for offset in range(0, collection.count(), batch):
        yield collection.get(limit=batch, offset=offset, include=include)


def chunk_table(settings: Settings, collection: chromadb.Collection) -> ChunkTable:
    """The generation's chunk table; one written without it (an index older than the table) gets it built from
    Chroma and saved, once."""
    path = chunk_table_path(settings, collection.name)
    table = open_chunk_table(path, str(collection.id))
    if table is None:
        write_chunk_table(path, str(collection.id), iter_chunks(read_pages(collection, ["metadatas", "documents"])))
        table = ChunkTable(path)
    return table
