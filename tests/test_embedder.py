"""The query encoder (bfloat16 where the CPU has it) and the float32 document encoder share one vector space."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from kb.embedder import SentenceTransformerEmbedder, document_text
from kb.query_encoder import QueryEncoder

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


def test_queries_in_either_precision_rank_documents_alike(embedder: SentenceTransformerEmbedder,
                                                          model_path: Path) -> None:
    other = SentenceTransformerEmbedder(model_path, query_dtype="float32" if embedder.query_dtype == "bfloat16"
                                        else "bfloat16")
    bf16, fp32 = (other, embedder) if other.query_dtype == "bfloat16" else (embedder, other)
    documents = embedder.embed_documents([document_text(title, text) for title, text in PASSAGES])
    fast = np.stack([bf16.embed_query(text) for _, text in PASSAGES])
    exact = np.stack([fp32.embed_query(text) for _, text in PASSAGES])
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (np.sum(fast * exact, axis=1) >= 0.999).all(), np.sum(fast * exact, axis=1)
    own = np.sum(fast * documents, axis=1)
    assert (own >= 0.7).all(), f"a question's cosine to its own passage: {own}"
    assert all(ranking[0] == n for n, ranking in enumerate(_ranks(fast, documents)))
    # Every score within 0.005 of float32's, so the order changes only between documents that near-tie.
    assert np.abs(fast @ documents.T - exact @ documents.T).max() < 0.005


def test_kyodo_models_says_which_precision_encodes_queries(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    flags = {flag for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")
             for flag in line.split(":", 1)[1].split()}
    native = "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"
    monkeypatch.setenv("KYODO_EMBED_MODEL", "google/embeddinggemma-300m")  # nothing to fetch
    assert main(["models", "fetch"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"queries are encoded in {native} (")


def test_the_query_encoder_on_transformers_alone_gives_sentence_transformers_vectors(
        embedder: SentenceTransformerEmbedder, model_path: Path) -> None:
    lean = QueryEncoder.load(model_path, "float32")
    assert lean is not None, "EmbeddingGemma's folder is the plain pipeline kb.query_encoder runs"
    questions = [text for _, text in PASSAGES] + ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "KITA?"]
    mine = np.stack([lean.encode(q) for q in questions])
    theirs = embedder.model.encode_query(questions, normalize_embeddings=True, show_progress_bar=False)
    assert (np.sum(mine * theirs, axis=1) >= 0.9999).all(), np.sum(mine * theirs, axis=1)


def test_the_query_encoder_reads_the_tokens_the_model_s_own_tokenizer_gives(embedder: SentenceTransformerEmbedder,
                                                                            model_path: Path) -> None:
    lean = QueryEncoder.load(model_path, "float32")
    assert lean is not None
    model = embedder.model
    longest = model.max_seq_length
    questions = [text for _, text in PASSAGES] + ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร", "  KITA?\t", "",
                                                  "ｆｕｌｌ ｗｉｄｔｈ café", "バゴ市 " * longest]
    for question in questions:
        theirs = model.tokenizer(model.prompts["query"] + question, truncation=True, max_length=longest)["input_ids"]
        assert lean.token_ids(question) == theirs, question[:40]
    assert len(lean.token_ids("バゴ市 " * longest)) == longest


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
