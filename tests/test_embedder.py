"""The query encoders (ONNX Runtime from the int8 export; torch in bfloat16 where the CPU has it) and the float32
document encoder share one vector space."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from evals.gold import cases, load_gold
from kb.embedder import SentenceTransformerEmbedder, document_text
from kb.errors import ModelMissingError
from kb.models import export_query_encoder
from kb.query_encoder import EXPORT, EXPORT_RECORD, OnnxQueryEncoder, QueryEncoder, QueryTokens
from kb.settings import Settings

# One passage per case and language, on different subjects, each asked as its own question.
PASSAGES = [
    ("Bago City composting", "In Bago City, a compost centre was set up in April 2008; it composts 1 tonne of market "
                             "waste a day."),
    ("北九州市の国際研修", "KITAは平成20年度に研修員434名を受け入れました。"),
    ("Pengelolaan sampah Surabaya", "Surabaya mengurangi sampah dengan membagikan keranjang kompos Takakura kepada "
                                    "rumah tangga."),
    ("แผนแม่บทต้าเหลียน", "เมืองต้าเหลียนได้รับรางวัล Global 500 จากโครงการสิ่งแวดล้อมแห่งสหประชาชาติ"),
    ("Air quality in Chelyabinsk", "Chelyabinsk measured sulphur dioxide at its steel works to plan cleaner "
                                   "combustion."),
    ("大連市の水道", "大連市では漏水を減らすため、水道管の更新と水圧管理を進めました。"),
]


def _ranks(queries: np.ndarray, documents: np.ndarray) -> list[list[int]]:
    return [list(np.argsort(-row)) for row in queries @ documents.T]


def _onnx(model_path: Path) -> OnnxQueryEncoder:
    encoder = OnnxQueryEncoder.load(model_path)
    if encoder is None:
        pytest.fail(f"No ONNX export in {model_path}: run 'kyodo models fetch' (make models does) before the tests")
    return encoder


def _model_without_export(model_path: Path, folder: Path) -> Path:
    """The model folder's files linked under ``folder``, its ``onnx/`` export left out."""
    folder.mkdir()
    for entry in model_path.iterdir():
        if entry.name != EXPORT.parent.name:
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.mark.parametrize("fast", ["onnx", "bfloat16"])
def test_queries_from_either_fast_encoder_rank_documents_as_float32_does(embedder: SentenceTransformerEmbedder,
                                                                         model_path: Path, fast: str) -> None:
    encoder = _onnx(model_path) if fast == "onnx" else QueryEncoder.load(model_path, "bfloat16")
    exact_encoder = QueryEncoder.load(model_path, "float32")
    assert encoder is not None and exact_encoder is not None
    documents = embedder.embed_documents([document_text(title, text) for title, text in PASSAGES])
    quick = np.stack([encoder.encode(text) for _, text in PASSAGES])
    exact = np.stack([exact_encoder.encode(text) for _, text in PASSAGES])
    assert np.allclose(np.linalg.norm(quick, axis=1), 1.0, atol=1e-5)
    assert (np.sum(quick * exact, axis=1) >= 0.99).all(), np.sum(quick * exact, axis=1)
    own = np.sum(quick * documents, axis=1)
    assert (own >= 0.7).all(), f"a question's cosine to its own passage: {own}"
    assert all(ranking[0] == n for n, ranking in enumerate(_ranks(quick, documents)))
    # Every score near float32's (int8 weights move it ~2x as far as bfloat16), so the order changes only between
    # documents that near-tie.
    assert np.abs(quick @ documents.T - exact @ documents.T).max() < {"onnx": 0.015, "bfloat16": 0.005}[fast]


def test_onnx_query_vectors_are_sentence_transformers_float32_ones(embedder: SentenceTransformerEmbedder,
                                                                   model_path: Path) -> None:
    questions = [case.question for case in cases(load_gold())][::6]  # 84 gold questions, ja/en/id/th
    encoder = _onnx(model_path)
    mine = np.stack([encoder.encode(q) for q in questions])
    theirs = embedder.model.encode_query(questions, normalize_embeddings=True, show_progress_bar=False)
    cosines = np.sum(mine * theirs, axis=1)
    assert cosines.min() >= 0.99, f"expected >= 0.99, got {cosines.min():.4f} for {questions[int(cosines.argmin())]!r}"


def test_the_embedder_encodes_queries_with_onnx_when_exported_and_torch_when_not(
        model_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(SentenceTransformerEmbedder(model_path)._query_encoder(), OnnxQueryEncoder)
    bare = _model_without_export(model_path, tmp_path / "model")
    with caplog.at_level(logging.INFO, logger="kyodo.embedder"):
        assert isinstance(SentenceTransformerEmbedder(bare)._query_encoder(), QueryEncoder)
    assert f"{bare} has no ONNX export of the query encoder: torch encodes queries" in caplog.text
    assert "by torch, no ONNX export (run 'kyodo models fetch')" in caplog.text


def test_a_half_written_export_is_refused_naming_the_file_and_the_fix(model_path: Path, tmp_path: Path) -> None:
    bare = _model_without_export(model_path, tmp_path / "model")
    (bare / EXPORT.parent).mkdir()
    shutil.copyfile(model_path / EXPORT_RECORD, bare / EXPORT_RECORD)
    with (model_path / EXPORT).open("rb") as whole:
        (bare / EXPORT).write_bytes(whole.read(1 << 20))
    with pytest.raises(ModelMissingError, match=r"query_int8\.onnx: sha256 .* run 'kyodo models fetch'"):
        OnnxQueryEncoder.load(bare)
    (bare / EXPORT_RECORD).unlink()  # no record: no export (a fetch killed before it), torch encodes
    assert OnnxQueryEncoder.load(bare) is None


def test_fetching_again_leaves_a_verified_export_as_it_is(model_path: Path) -> None:
    before = (model_path / EXPORT).stat().st_mtime_ns
    said: list[str] = []
    assert export_query_encoder(model_path, said.append) == model_path / EXPORT
    assert said == [f"Query encoder export already present and verified at {model_path / EXPORT}"]
    assert (model_path / EXPORT).stat().st_mtime_ns == before


def test_kyodo_ask_on_the_onnx_export_never_imports_torch(full_index: Settings, model_path: Path) -> None:
    _onnx(model_path)
    env = {**os.environ, "KYODO_HOME": str(full_index.home), "KYODO_CORPUS": str(full_index.corpus),
           "KYODO_EMBED_MODEL": str(model_path), "KYODO_QUESTION_LOG": "off"}
    script = ("import json, sys\nfrom cli.main import main\ncode = main(['ask', 'Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร', "
              "'--json'])\nprint(json.dumps([code] + sorted(m for m in ('torch', 'transformers', "
              "'sentence_transformers') if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    answer, imported = done.stdout[:done.stdout.rindex("\n[")], json.loads(done.stdout.splitlines()[-1])
    assert imported == [0], f"expected exit 0 and none of torch/transformers/sentence_transformers, got {imported}"
    assert json.loads(answer)["citations"], answer[:400]


def test_kyodo_models_says_which_precision_encodes_queries(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    flags = {flag for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")
             for flag in line.split(":", 1)[1].split()}
    native = "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"
    monkeypatch.setenv("KYODO_EMBED_MODEL", "google/embeddinggemma-300m")  # nothing to fetch, no export
    assert main(["models", "fetch"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"queries are encoded in {native} (")


def test_kyodo_models_says_onnx_runtime_encodes_queries_from_the_export(model_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _onnx(model_path)
    monkeypatch.setenv("KYODO_HOME", str(model_path.parent.parent))
    monkeypatch.delenv("KYODO_EMBED_MODEL", raising=False)
    if Settings.from_env().embed_model_path != model_path:
        pytest.skip(f"the tests' model {model_path} is not the fetched one")
    assert main(["models", "fetch"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("queries are encoded in int8 (int8 weights of the "
                                                               "attention and gate/up projections, float32 down "
                                                               "projections and Dense layers) by ONNX Runtime ")


def test_the_query_encoder_on_transformers_alone_gives_sentence_transformers_vectors(
        embedder: SentenceTransformerEmbedder, model_path: Path) -> None:
    lean = QueryEncoder.load(model_path, "float32")
    assert lean is not None, "EmbeddingGemma's folder is the plain pipeline kb.query_encoder runs"
    questions = [text for _, text in PASSAGES] + ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "KITA?"]
    mine = np.stack([lean.encode(q) for q in questions])
    theirs = embedder.model.encode_query(questions, normalize_embeddings=True, show_progress_bar=False)
    assert (np.sum(mine * theirs, axis=1) >= 0.9999).all(), np.sum(mine * theirs, axis=1)


def test_the_query_encoder_reads_the_tokens_the_model_s_own_tokenizer_gives(embedder: SentenceTransformerEmbedder,
                                                                            model_path: Path, tmp_path: Path) -> None:
    tokens = QueryTokens(model_path)
    assert tokens.kind == "sentencepiece", "EmbeddingGemma's folder has tokenizer.model and adds BOS and EOS"
    without = tmp_path / "model"  # the same folder less tokenizer.model: tokenizers reads tokenizer.json
    without.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json",
                 "config_sentence_transformers.json"):
        (without / name).symlink_to(model_path / name)
    parsed = QueryTokens(without)
    assert parsed.kind == "tokenizers"
    model = embedder.model
    longest = model.max_seq_length
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "cases"
    questions = ([text for _, text in PASSAGES] + [case.question for case in cases(load_gold())]
                 + [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*/*.md"))]
                 + ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "  KITA?\t", "", "a\r\nb", "ｆｕｌｌ ｗｉｄｔｈ café 😀",
                    "バゴ市 " * longest])
    for question in questions:
        theirs = model.tokenizer(model.prompts["query"] + question, truncation=True, max_length=longest)["input_ids"]
        assert tokens.token_ids(question) == theirs, question[:40]
        assert parsed.token_ids(question) == theirs, question[:40]
    assert len(tokens.token_ids("バゴ市 " * longest)) == longest
    # The one difference: a control token spelled in a question stays text for sentencepiece.
    assert parsed.token_ids("<bos>")[-2] == tokens.token_ids("")[0] != tokens.token_ids("<bos>")[-2]


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_embeddinggemma_in_plain_torch_gives_transformers_hidden_states_bit_for_bit(model_path: Path, dtype: str) -> None:
    import json

    import torch
    from transformers import AutoModel

    from kb.gemma import GemmaText

    config = json.loads((model_path / "config.json").read_text())
    assert GemmaText.supports(config)
    lean = QueryEncoder.load(model_path, dtype)
    assert lean is not None
    theirs = AutoModel.from_pretrained(str(model_path), dtype=getattr(torch, dtype)).eval()
    mine = GemmaText(model_path, config, getattr(torch, dtype))
    # Over 257 tokens, the sliding layers' window cuts in: the long question checks its width.
    for question in [text for _, text in PASSAGES[:3]] + ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "Bago " * 400]:
        ids = lean.token_ids(question)
        with torch.inference_mode():
            expected = theirs(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long))
            assert torch.equal(mine.hidden(ids), expected.last_hidden_state), (question[:40], len(ids))


def test_a_model_folder_that_is_not_the_plain_pipeline_is_left_to_sentence_transformers(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text('[{"idx": 0, "name": "0", "path": "", "type": '
                                           '"sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", '
                                           '"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]')
    assert QueryEncoder.load(tmp_path, "float32") is None
