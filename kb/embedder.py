"""The embedding model behind one small interface, loaded lazily once per process.

Queries are encoded by ONNX Runtime from the int8 export ``kyodo models fetch`` writes into the model folder
(``kb.query_encoder.OnnxQueryEncoder``), so answering a question imports no torch. Without an export, torch encodes
them (``kb.query_encoder.QueryEncoder``), in bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX): faster
than float32, at a cosine >= 0.9996 to its vectors, with the same gold hit@1 and MRR in every language.
Documents stay float32 on torch (sentence-transformers), so stored vectors do not depend on the machine that embedded
them. Either query encoder runs without sentence-transformers when the model folder allows it. No progress bars: the
indexer reports its own stages, and a log or a pipe gets none of the model loader's bars.
"""

from __future__ import annotations

import os
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from kb.errors import ModelMissingError
from kb.query_encoder import OnnxQueryEncoder, QueryEncoder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
log = logging.getLogger("kyodo.embedder")
SIMILARITY_PROMPT = "task: sentence similarity | query: "  # EmbeddingGemma's STS prompt


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and documents use different prompts."""

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_similar(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> list[int]: ...


def document_text(title: str, text: str) -> str:
    """EmbeddingGemma's document format, with the real title instead of its default 'none'."""
    return f"title: {title} | text: {text}"


def native_query_dtype() -> str:
    """``bfloat16`` when the CPU has AVX512-BF16 or AMX-BF16 instructions, else ``float32``.

    Read from ``/proc/cpuinfo``'s flags (Linux; elsewhere ``float32``): importing torch to ask it costs ~1.5 s."""
    try:
        flags = {flag for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")
                 for flag in line.split(":", 1)[1].split()}
    except OSError:
        return "float32"
    return "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"


def precision_note(query_dtype: str, export: dict | None = None) -> str:
    """Which runtime and precision encode what, and why (``kyodo models`` and the start-up log say it); ``export``
    is the ONNX export's record (``kb.query_encoder.export_record``) when queries use it."""
    if export is not None:
        return (f"queries are encoded in {export['precision']} ({export['detail']}) by ONNX Runtime "
                f"{export['onnxruntime']} from {export['file']}, documents in float32 by torch")
    why = "native on this CPU" if query_dtype == "bfloat16" else "this CPU has no AVX512-BF16 or AMX-BF16"
    return (f"queries are encoded in {query_dtype} ({why}) by torch, no ONNX export (run 'kyodo models fetch'), "
            "documents in float32")


def query_threads() -> int:
    """ONNX Runtime's threads for one query: ``OMP_NUM_THREADS`` (the variable torch obeys), else 1.

    One thread a query measured fastest on 2 shared cores, and a server answering several users at once runs them
    side by side instead of splitting each over threads that contend."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


class SentenceTransformerEmbedder:
    """EmbeddingGemma (or any sentence-transformers model) with its query/document prompts.

    ``query_dtype`` (``float32`` or ``bfloat16``; default: ``native_query_dtype()``) is the query encoder's;
    each encoder loads on its first use, so answering from a filled index loads only the query one."""

    def __init__(self, model: Path | str, batch_size: int = 16, query_dtype: str | None = None) -> None:
        self.model_ref = model
        self.batch_size = batch_size
        self._query_dtype = query_dtype
        self._models: dict[str, object] = {}
        self._lock = threading.Lock()

    def _load(self, dtype: str):
        with self._lock:
            if dtype not in self._models:
                if isinstance(self.model_ref, Path) and not (self.model_ref / "config.json").exists():
                    raise ModelMissingError(f"No embedding model at {self.model_ref}: run 'kyodo models fetch' first")
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                if not sys.stderr.isatty():
                    transformers_logging.disable_progress_bar()  # "Loading weights" bars in logs
                started = time.perf_counter()
                self._models[dtype] = SentenceTransformer(str(self.model_ref), device="cpu",
                                                          model_kwargs={"dtype": getattr(torch, dtype)})
                log.info("%s loaded in %s (%.1f s): %s", self.model_ref, dtype, time.perf_counter() - started,
                         precision_note(self.query_dtype))
            return self._models[dtype]

    @property
    def model(self):
        """The float32 model: documents and the tokenizer."""
        return self._load("float32")

    @property
    def query_dtype(self) -> str:
        if self._query_dtype is None:
            self._query_dtype = native_query_dtype()
        return self._query_dtype

    @property
    def query_model(self):
        return self._load(self.query_dtype)

    @property
    def query_runtime(self) -> str:
        """What encodes queries, in short (``kyodo bench`` names it): ``ONNX Runtime int8`` or ``torch bfloat16``."""
        encoder = self._query_encoder()
        if isinstance(encoder, OnnxQueryEncoder):
            return f"ONNX Runtime {encoder.record['precision']}"
        return f"torch {self.query_dtype}"

    def _query_encoder(self) -> OnnxQueryEncoder | QueryEncoder | None:
        """The query encoder without sentence-transformers (``kb.query_encoder``), when the model folder allows it:
        the ONNX export where ``kyodo models fetch`` wrote one, else torch."""
        with self._lock:
            if "query" not in self._models:
                folder = self.model_ref
                encoder = None
                if isinstance(folder, Path) and (folder / "config.json").exists():
                    started = time.perf_counter()
                    encoder = OnnxQueryEncoder.load(folder, query_threads())
                    if encoder is None:
                        log.info("%s has no ONNX export of the query encoder: torch encodes queries", folder)
                        encoder = QueryEncoder.load(folder, self.query_dtype)
                    record = encoder.record if isinstance(encoder, OnnxQueryEncoder) else None
                    log.info("%s query encoder loaded in %.1f s: %s", folder, time.perf_counter() - started,
                             precision_note(self.query_dtype, record))
                self._models["query"] = encoder
            return self._models["query"]

    def embed_query(self, text: str) -> np.ndarray:
        if (encoder := self._query_encoder()) is not None:
            return encoder.encode(text)
        # Normalised in float32: a bfloat16 unit vector is off by ~1e-3 in length.
        vector = self.query_model.encode_query([text], convert_to_tensor=True, show_progress_bar=False)[0].float().numpy()
        return vector / np.linalg.norm(vector)

    def embed_similar(self, texts: list[str]) -> np.ndarray:
        """Questions compared with each other (the gap report's clusters): the query encoder with the model's own
        sentence-similarity prompt, which keeps one question's four languages together better than the search one."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self.query_model.encode(texts, prompt=SIMILARITY_PROMPT, batch_size=self.batch_size,
                                          convert_to_tensor=True, show_progress_bar=False).float().numpy()
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # in float32, as embed_query

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Texts already in ``document_text`` form, so the model's own document prompt is not added again."""
        return self.model.encode_document(texts, prompt="", batch_size=self.batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False)

    def count_tokens(self, text: str) -> list[int]:
        """The model's token ids for ``text`` (used as the chunker's token budget)."""
        return self.model.tokenizer(text, add_special_tokens=False)["input_ids"]


_SHARED: dict[str, SentenceTransformerEmbedder] = {}


def shared_embedder(model: Path | str) -> SentenceTransformerEmbedder:
    """One embedder per model per process, so the app and batch runs load the weights once."""
    key = str(model)
    if key not in _SHARED:
        _SHARED[key] = SentenceTransformerEmbedder(model)
    return _SHARED[key]
