"""The query side of a sentence-transformers model folder, run without sentence-transformers: tokenizer, transformer,
mean pooling, the Dense layers and normalisation, with the folder's own query prompt.

Why: importing sentence-transformers imports scikit-learn, pandas and SciPy's statistics, seconds that a first
question would wait for; the query path needs none of it. Only the plain pipeline EmbeddingGemma's folder describes
is taken (``modules.json``: Transformer, mean Pooling with the prompt included, bias-free identity Dense layers,
Normalize); any other folder is left to sentence-transformers (``QueryEncoder.load`` returns ``None``). Its vectors
match sentence-transformers' own to a cosine of 0.9999 (``tests/test_embedder.py``). Documents stay with
sentence-transformers: the indexer's batches gain nothing from this. The tokenizer is read by ``sentencepiece`` or
``tokenizers`` itself (``QueryTokens``): the same token ids as ``AutoTokenizer``, without transformers rebuilding the
33 MB vocabulary in Python first (~2.1 s on an idle machine). EmbeddingGemma's transformer itself runs in ``kb.gemma`` (plain torch, the same output bit for bit),
so a question never imports transformers either; another model folder loads with transformers' ``AutoModel``.

``OnnxQueryEncoder`` runs the same query side from the ONNX export ``kyodo models fetch`` writes (``kb.models``:
``onnx/query_int8.onnx`` in the model folder, its sha256 in ``onnx/query_int8.json``) with ONNX Runtime, so a question
imports no torch at all; the embedding table's rows are still read from ``model.safetensors`` (mapped, not loaded).
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np

from kb.errors import ModelMissingError
from kb.wheels import sha256_of

PIPELINE = ["Transformer", "Pooling", "Dense", "Normalize"]
IDENTITY = "torch.nn.modules.linear.Identity"
TOKENIZER = "tokenizer.json"
SENTENCEPIECE = "tokenizer.model"
EMBEDDING = "embed_tokens.weight"
EXPORT = Path("onnx") / "query_int8.onnx"  # in the model folder; kb.models writes it
EXPORT_RECORD = EXPORT.with_suffix(".json")


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


class QueryTokens:
    """``token_ids(question)``: the model's input for a question, read without transformers.

    A folder with a SentencePiece ``tokenizer.model`` whose ``tokenizer_config.json`` adds BOS and EOS (EmbeddingGemma)
    is read with ``sentencepiece`` (~0.1 s); else ``tokenizers`` parses ``tokenizer.json`` (33 MB, ~1.1 s). Both give
    the same ids on every gold question and corpus file (``tests/test_embedder.py``), with one difference: a question
    that spells a control token ("<bos>") keeps it as text.
    """

    def __init__(self, folder: Path) -> None:
        self._prompt = _json(folder / "config_sentence_transformers.json").get("prompts", {}).get("query", "")
        self._length = int(_json(folder / "sentence_bert_config.json").get("max_seq_length", 512))
        config = _json(folder / "tokenizer_config.json")
        if (folder / SENTENCEPIECE).is_file() and config.get("add_bos_token") and config.get("add_eos_token"):
            from sentencepiece import SentencePieceProcessor

            pieces = SentencePieceProcessor(model_file=str(folder / SENTENCEPIECE))
            self.kind = "sentencepiece"
            self._encode = lambda text: [pieces.bos_id(), *pieces.encode(text)[:self._length - 2], pieces.eos_id()]
        else:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
            tokenizer.no_padding()
            tokenizer.enable_truncation(self._length)
            self.kind = "tokenizers"
            self._encode = lambda text: tokenizer.encode(text).ids

    def token_ids(self, text: str) -> list[int]:
        """Its query prompt and the text, truncated to the model's length."""
        return self._encode(self._prompt + text)


class QueryEncoder:
    """``encode(question)``: the L2-normalised query vector, as ``SentenceTransformer.encode_query`` gives it."""

    def __init__(self, folder: Path, dense: list[Path], dtype: str) -> None:
        import torch
        from safetensors.torch import load_file

        from kb.gemma import GemmaText

        self._torch = torch
        kind = getattr(torch, dtype)
        self.token_ids = QueryTokens(folder).token_ids
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

    @classmethod
    def load(cls, folder: Path, dtype: str) -> QueryEncoder | None:
        """The encoder for ``folder`` in ``dtype`` (``float32``, ``bfloat16``), or ``None`` when it is not the plain
        pipeline (sentence-transformers then encodes)."""
        dense = _plain(folder)
        return None if dense is None else cls(folder, dense, dtype)

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


def float32_rows(path: Path) -> np.ndarray | None:
    """The embedding table of the safetensors file ``path`` mapped read-only, when stored in float32 (else ``None``)."""
    with path.open("rb") as file:
        size = struct.unpack("<Q", file.read(8))[0]
        entry = json.loads(file.read(size)).get(EMBEDDING, {})
    if entry.get("dtype") != "F32":
        return None
    return np.memmap(path, dtype=np.float32, mode="r", offset=8 + size + entry["data_offsets"][0],
                     shape=tuple(entry["shape"]))


def export_record(folder: Path) -> dict | None:
    """What ``onnx/query_int8.json`` says of the folder's ONNX export (file, sha256, precision), or ``None`` when the
    folder has none (an export is complete only once this record is written, after the model file)."""
    record = _json(folder / EXPORT_RECORD)
    return record if record.get("sha256") and (folder / EXPORT).is_file() else None


def verified_export(folder: Path, record: dict) -> Path:
    """The export's path, once its sha256 is the one its record holds; ``ModelMissingError`` names the file and the
    fix when they differ (a half-written or changed file)."""
    path = folder / EXPORT
    if (digest := sha256_of(path)) != record["sha256"]:
        raise ModelMissingError(f"{path}: sha256 {digest[:12]}... is not the {record['sha256'][:12]}... that "
                                f"{EXPORT_RECORD} records (a half-written or changed export): run 'kyodo models fetch' "
                                "to export it again")
    return path


class OnnxQueryEncoder:
    """``encode(question)``: the query vector from the folder's ONNX export, on ONNX Runtime (no torch imported)."""

    def __init__(self, folder: Path, record: dict, threads: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # kyodo models fetch saved the graph optimised: optimising it again at every start would only cost time.
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Opened by path, not from the bytes just hashed: ORT then holds 330 MB instead of 530 MB.
        self._session = onnxruntime.InferenceSession(str(verified_export(folder, record)), options,
                                                     providers=["CPUExecutionProvider"])
        self._rows = float32_rows(folder / "model.safetensors")
        if self._rows is None:
            raise ModelMissingError(f"{folder / 'model.safetensors'}: its embedding table is not float32 "
                                    "(run 'kyodo models fetch' for the verified model)")
        self.token_ids = QueryTokens(folder).token_ids
        self.record = record

    @classmethod
    def load(cls, folder: Path, threads: int = 1) -> OnnxQueryEncoder | None:
        """The encoder of the folder's export, or ``None`` when it has none (the torch ``QueryEncoder`` then runs)."""
        record = export_record(folder)
        return None if record is None else cls(folder, record, threads)

    def encode(self, text: str) -> np.ndarray:
        rows = np.ascontiguousarray(self._rows[self.token_ids(text)])[None]
        vector = self._session.run(None, {"rows": rows})[0][0].astype(np.float32)
        return vector / np.linalg.norm(vector)
