"""EmbeddingGemma's transformer (a bidirectional Gemma 3 text model) as a few torch functions, for one query at a time.

Why: importing transformers' Gemma 3 model pulls in torch's compiler and distributed packages, sympy and jinja2,
~2-3 s that a first question waits for and never uses. This runs the same operations in the same order and dtypes as
transformers 5's ``Gemma3TextModel`` with its default SDPA attention (RMS norms in float32 scaled by ``1 + weight``,
rotary embeddings per layer type, query/key norms, a boolean attention mask within the sliding window, tanh GELU), so
its output is bit for bit the same (``tests/test_embedder.py`` compares them). Deliberately left out: batches,
padding, caches, training, causal attention and any other Gemma configuration (``GemmaText.supports`` says which
folders it runs; the caller falls back to transformers for the rest).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open

from kb.query_encoder import EMBEDDING, float32_rows


class GemmaText:
    """``hidden(ids)``: the last hidden states of one sequence of token ids, as ``Gemma3TextModel`` gives them."""

    def __init__(self, folder: Path, config: dict, dtype: torch.dtype) -> None:
        path = folder / "model.safetensors"
        with safe_open(str(path), framework="pt") as weights:
            self._weights = {name: weights.get_tensor(name).to(dtype) for name in weights.keys() if name != EMBEDDING}
            # The embedding table is two thirds of the model and a question reads a few dozen of its rows: they are
            # read from the file when asked for (float32 rows cast alone equal the rows of the cast table).
            rows = float32_rows(path)
            self._embedding = rows if rows is not None else weights.get_tensor(EMBEDDING).to(dtype)
        self._config = config
        self._dtype = dtype
        self._eps = config["rms_norm_eps"]
        self._head_dim = config["head_dim"]
        self._groups = config["num_attention_heads"] // config["num_key_value_heads"]
        self._scale = config["query_pre_attn_scalar"] ** -0.5
        # A bidirectional model's window reaches half the configured width each way (transformers' Gemma3TextConfig).
        self._window = config["sliding_window"] // 2 + 1
        # Built in float32 at model creation, as transformers does, then cast like its embedding buffer.
        self._embed_scale = torch.tensor(config["hidden_size"] ** 0.5).to(dtype)
        thetas = config.get("rope_parameters") or {"sliding_attention": {"rope_theta": config["rope_local_base_freq"]},
                                                   "full_attention": {"rope_theta": config["rope_theta"]}}
        dim = self._head_dim
        # In a fixed order (not a set's, which varies by process): the ONNX export is then the same file every time.
        self._inv_freq = {kind: 1.0 / (thetas[kind]["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float) / dim))
                          for kind in sorted(set(config["layer_types"]))}

    @staticmethod
    def supports(config: dict) -> bool:
        """Whether ``config`` (a folder's ``config.json``) is the model this module runs."""
        rope = config.get("rope_parameters") or {}
        return (config.get("model_type") == "gemma3_text" and config.get("use_bidirectional_attention") is True
                and not config.get("attention_bias") and config.get("attn_logit_softcapping") is None
                and config.get("hidden_activation") == "gelu_pytorch_tanh"
                and all(kind in ("sliding_attention", "full_attention") for kind in config.get("layer_types", ["?"]))
                and all(p.get("rope_type", "default") == "default" for p in rope.values() if isinstance(p, dict)))

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        out = x.float()
        out = out * torch.rsqrt(out.pow(2).mean(-1, keepdim=True) + self._eps)
        return (out * (1.0 + self._weights[name].float())).type_as(x)

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self._weights[name])

    def hidden(self, ids: list[int]) -> torch.Tensor:
        """Shape (1, len(ids), hidden size)."""
        if isinstance(self._embedding, np.ndarray):
            rows = torch.from_numpy(np.ascontiguousarray(self._embedding[ids])).to(self._dtype).unsqueeze(0)
        else:
            rows = F.embedding(torch.tensor([ids]), self._embedding)
        return self.layers(rows)

    def layers(self, rows: torch.Tensor) -> torch.Tensor:
        """The hidden states of the embedding rows ``rows`` (1, n, hidden size), unscaled as the table holds them.

        The length is read from the tensor, so ``export_onnx`` traces it with a dynamic sequence length."""
        x = rows * self._embed_scale
        n = x.shape[1]
        positions = torch.arange(n).unsqueeze(0)
        distance = (positions[0][:, None] - positions[0][None, :]).abs()
        masks = {"full_attention": torch.ones(1, 1, n, n, dtype=torch.bool),
                 "sliding_attention": (distance < self._window).view(1, 1, n, n)}
        rotary = {}
        for kind, inv_freq in self._inv_freq.items():
            freqs = positions[..., None].float() * inv_freq.float()
            angles = torch.cat((freqs, freqs), dim=-1)
            rotary[kind] = (angles.cos().to(x.dtype).unsqueeze(1), angles.sin().to(x.dtype).unsqueeze(1))
        for i, kind in enumerate(self._config["layer_types"]):
            p = f"layers.{i}."
            residual = x
            h = self._norm(x, p + "input_layernorm.weight")
            h = self._attention(h, p, rotary[kind], masks[kind])
            x = residual + self._norm(h, p + "post_attention_layernorm.weight")
            residual = x
            h = self._norm(x, p + "pre_feedforward_layernorm.weight")
            h = F.gelu(self._linear(h, p + "mlp.gate_proj.weight"), approximate="tanh") * self._linear(h, p + "mlp.up_proj.weight")
            x = residual + self._norm(self._linear(h, p + "mlp.down_proj.weight"), p + "post_feedforward_layernorm.weight")
        return self._norm(x, "norm.weight")

    def _attention(self, h: torch.Tensor, p: str, rotary: tuple[torch.Tensor, torch.Tensor],
                   mask: torch.Tensor) -> torch.Tensor:
        batch, n, _ = h.shape
        shape = (batch, n, -1, self._head_dim)
        q = self._norm(self._linear(h, p + "self_attn.q_proj.weight").view(shape).transpose(1, 2), p + "self_attn.q_norm.weight")
        k = self._norm(self._linear(h, p + "self_attn.k_proj.weight").view(shape).transpose(1, 2), p + "self_attn.k_norm.weight")
        v = self._linear(h, p + "self_attn.v_proj.weight").view(shape).transpose(1, 2)
        cos, sin = rotary
        q = q * cos + _rotate_half(q) * sin
        k = k * cos + _rotate_half(k) * sin
        k, v = _repeat(k, self._groups), _repeat(v, self._groups)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0, scale=self._scale, is_causal=False)
        out = out.transpose(1, 2).contiguous().reshape(batch, n, -1).contiguous()
        return self._linear(out, p + "self_attn.o_proj.weight")


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _repeat(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Each key/value head repeated for the query heads that share it (transformers' ``repeat_kv``)."""
    if groups == 1:
        return x
    batch, heads, n, dim = x.shape
    return x[:, :, None, :, :].expand(batch, heads, groups, n, dim).reshape(batch, heads * groups, n, dim)


class _QuerySide(torch.nn.Module):
    """The query side after the embedding lookup, as one traceable module: ``kb.query_encoder.QueryEncoder.encode``."""

    def __init__(self, model: GemmaText, dense: list[torch.Tensor]) -> None:
        super().__init__()
        self._model = model
        for n, weight in enumerate(dense):
            self.register_buffer(f"dense{n}", weight)
        self._count = len(dense)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        vector = self._model.layers(rows).mean(1)  # one unpadded sequence: every token counts
        for n in range(self._count):
            vector = F.linear(vector, getattr(self, f"dense{n}"))
        return F.normalize(vector, dim=-1)


def export_onnx(folder: Path, config: dict, dense: list[Path], path: Path) -> None:
    """Write the query side in float32 to ``path`` as ONNX: input ``rows`` (1, tokens, hidden size), the question's
    rows of the embedding table; output ``vector`` (1, dimensions), L2-normalised. The lookup stays outside: the table
    is two thirds of the model and a question reads a few rows (``kb.query_encoder.float32_rows``).

    TorchScript exporter (opset 17), tracing ``GemmaText.layers``, whose length is read from the input, so the graph
    takes any number of tokens; deterministic for a given torch, so the same weights give the same file."""
    import warnings

    from safetensors.torch import load_file

    weights = [load_file(str(p / "model.safetensors"))["linear.weight"].float() for p in dense]
    side = _QuerySide(GemmaText(folder, config, torch.float32), weights).eval()
    example = torch.zeros(1, 8, config["hidden_size"])
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(side, (example,), str(path), input_names=["rows"], output_names=["vector"],
                          dynamic_axes={"rows": {1: "tokens"}}, opset_version=17, dynamo=False)
