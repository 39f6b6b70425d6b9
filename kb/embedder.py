"""The embedding model behind one small interface, loaded lazily once per process."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from kb.errors import ModelMissingError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and documents use different prompts."""

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> list[int]: ...


def document_text(title: str, text: str) -> str:
    """EmbeddingGemma's document format, with the real title instead of its default 'none'."""
    return f"title: {title} | text: {text}"


class SentenceTransformerEmbedder:
    """EmbeddingGemma (or any sentence-transformers model) with its query/document prompts."""

    def __init__(self, model: Path | str, batch_size: int = 16) -> None:
        self.model_ref = model
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                if isinstance(self.model_ref, Path) and not (self.model_ref / "config.json").exists():
                    raise ModelMissingError(f"No embedding model at {self.model_ref}: run 'kyodo models fetch' first")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.model_ref), device="cpu")
            return self._model

    def embed_query(self, text: str) -> np.ndarray:
        return self.model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True)[0]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Texts already in ``document_text`` form, so the model's own document prompt is not added again."""
        return self.model.encode_document(texts, prompt="", batch_size=self.batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True)

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
