"""The query side of a sentence-transformers model folder, run without sentence-transformers: tokenizer, transformer,
mean pooling, the Dense layers and normalisation, with the folder's own query prompt.

Why: importing sentence-transformers imports scikit-learn, pandas and SciPy's statistics, seconds that a first
question would wait for; the query path needs none of it. Only the plain pipeline EmbeddingGemma's folder describes
is taken (``modules.json``: Transformer, mean Pooling with the prompt included, bias-free identity Dense layers,
Normalize); any other folder is left to sentence-transformers (``QueryEncoder.load`` returns ``None``). Its vectors
match sentence-transformers' own to a cosine of 0.9999 (``tests/test_embedder.py``). Documents stay with
sentence-transformers: the indexer's batches gain nothing from this. The folder's ``tokenizer.json`` is read by
``tokenizers`` itself: the same token ids as ``AutoTokenizer`` (on every gold question and corpus paragraph), in
about half the time (~1.1 s against ~2.1 s on an idle machine), since transformers rebuilds the 33 MB vocabulary in
Python first. EmbeddingGemma's transformer itself runs in ``kb.gemma`` (plain torch, the same output bit for bit),
so a question never imports transformers either; another model folder loads with transformers' ``AutoModel``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

PIPELINE = ["Transformer", "Pooling", "Dense", "Normalize"]
IDENTITY = "torch.nn.modules.linear.Identity"
TOKENIZER = "tokenizer.json"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _plain(folder: Path) -> list[Path] | None:
    """The Dense layers' folders when ``folder`` is the plain pipeline this module can run, else ``None``."""
    modules = _json(folder / "modules.json")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules] if isinstance(modules, list) else []
    if [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]] != PIPELINE or not (folder / TOKENIZER).is_file():
        return None
    pooling = _json(folder / modules[1]["path"] / "config.json")
    if not (pooling.get("pooling_mode_mean_tokens") and pooling.get("include_prompt", True)) or any(
            pooling.get(key) for key in pooling if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"):
        return None
    dense = [folder / m["path"] for m in modules if str(m.get("type", "")).endswith("Dense")]
    configs = [_json(path / "config.json") for path in dense]
    if any(c.get("bias", True) or c.get("activation_function") != IDENTITY for c in configs):
        return None
    return dense


class QueryEncoder:
    """``encode(question)``: the L2-normalised query vector, as ``SentenceTransformer.encode_query`` gives it."""

    def __init__(self, folder: Path, dense: list[Path], dtype: str) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        from kb.gemma import GemmaText

        self._torch = torch
        kind = getattr(torch, dtype)
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(int(_json(folder / "sentence_bert_config.json").get("max_seq_length", 512)))
        config = _json(folder / "config.json")
        if GemmaText.supports(config):  # EmbeddingGemma: without importing transformers (kb.gemma)
            self._hidden = GemmaText(folder, config, kind).hidden
        else:
            from transformers import AutoModel
            from transformers.utils import logging as transformers_logging

            if not sys.stderr.isatty():
                transformers_logging.disable_progress_bar()  # "Loading weights" bars in logs
            model = AutoModel.from_pretrained(str(folder), dtype=kind).eval()
            self._hidden = lambda ids: model(input_ids=torch.tensor([ids]),
                                             attention_mask=torch.ones(1, len(ids), dtype=torch.long)).last_hidden_state
        self._dense = [load_file(str(path / "model.safetensors"))["linear.weight"].to(kind).T for path in dense]
        self._prompt = _json(folder / "config_sentence_transformers.json").get("prompts", {}).get("query", "")

    @classmethod
    def load(cls, folder: Path, dtype: str) -> QueryEncoder | None:
        """The encoder for ``folder`` in ``dtype`` (``float32``, ``bfloat16``), or ``None`` when it is not the plain
        pipeline (sentence-transformers then encodes)."""
        dense = _plain(folder)
        return None if dense is None else cls(folder, dense, dtype)

    def token_ids(self, text: str) -> list[int]:
        """The model's input for the question ``text``: its query prompt and the text, truncated to the model's length."""
        return self._tokenizer.encode(self._prompt + text).ids

    def encode(self, text: str) -> np.ndarray:
        with self._torch.inference_mode():
            tokens = self._hidden(self.token_ids(text))
            mask = self._torch.ones(tokens.shape[:2], dtype=self._torch.long).unsqueeze(-1).to(tokens.dtype)
            vector = (tokens * mask).sum(1) / mask.sum(1)
            for weight in self._dense:
                vector = vector @ weight
            # Normalised in float32: a bfloat16 unit vector is off by ~1e-3 in length.
            vector = vector[0].float().numpy()
        return vector / np.linalg.norm(vector)
