"""The evaluation suite: gold data checked against the corpus, metric arithmetic, and a gate that can fail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cli.main import main
from evals.gate import check, load_thresholds
from evals.gold import EvalDataError, cases, load_gold, spread
from evals.metrics import citation_precision, fact_recall, hit_at, ndcg_at, reciprocal_rank
from evals.records import GENERATIVE, SYSTEMS, Run
from evals.run import evaluate
from evals.score import score_case, summarise, summarise_all
from evals.systems import KyodoSystem
from kb.records import Answer
from kb.service import KnowledgeBase
from kb.settings import LANGUAGES, Settings

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "corpus" / "cases"
GOLD = load_gold()
# Answered right in every language by kyodo-hybrid, with wide similarity margins, plus one clearly off-topic item.
GOOD_SUBSET = ("global-500-award-years", "asian-city-network-founded", "oos-world-cup-2022")
UNRELATED = "How was the water quality of Kandy's lake monitored?"


def test_every_gold_document_id_is_a_case_folder() -> None:
    missing = [(item.item_id, doc) for item in GOLD for doc in item.gold if not (CASES / doc).is_dir()]
    assert not missing, f"expected every gold id to be a folder in corpus/cases, got unknown {missing}"


def test_every_fact_variant_occurs_in_a_gold_document_in_its_language() -> None:
    absent = []
    for item in GOLD:
        for fact in item.facts:
            for lang, variants in fact.items():
                texts = [(CASES / doc / f"{lang}.md").read_text(encoding="utf-8") for doc in item.gold
                         if (CASES / doc / f"{lang}.md").exists()]
                absent += [(item.item_id, lang, v) for v in variants if not any(v in text for text in texts)]
    assert not absent, f"expected each fact variant in a gold case's file, got missing {absent}"


def test_gold_has_enough_items_and_out_of_scope_questions_in_every_language() -> None:
    assert len(GOLD) >= 60
    assert sum(item.abstain for item in GOLD) >= 10
    assert all(item.questions[lang].strip() for item in GOLD for lang in LANGUAGES)


def test_gold_item_without_gold_case_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text("- {id: bago-x, kind: fact, gold: [], abstain: false, facts: [],\n"
                    "   questions: {ja: 'バゴ?', en: 'Bago?', id: 'Bago?', th: 'บาโก?'}}\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="'bago-x' is in scope but lists no gold case"):
        load_gold(path)


def test_hit_at_k_counts_a_gold_document_within_the_cut() -> None:
    ranking = ["dalian-oda-master-plan", "iclei", "iges-bago-cebu-composting"]
    assert hit_at(ranking, {"iges-bago-cebu-composting"}, 1) == 0.0
    assert hit_at(ranking, {"iges-bago-cebu-composting"}, 3) == 1.0
    assert hit_at([], {"iclei"}, 5) == 0.0


def test_reciprocal_rank_uses_the_first_gold_document() -> None:
    assert reciprocal_rank(["a", "g1", "g2"], {"g1", "g2"}) == 0.5
    assert reciprocal_rank(["a", "b"], {"g"}) == 0.0


def test_ndcg_is_one_for_ideal_order_and_discounts_late_hits() -> None:
    assert ndcg_at(["g1", "g2", "x"], {"g1", "g2"}, 10) == 1.0
    assert ndcg_at(["x", "g1"], {"g1"}, 10) == pytest.approx(1 / 1.584962500721156)
    assert ndcg_at(["x", "g1"], {"g1"}, 1) == 0.0
    # Two gold documents, only one found first: 1 / (1 + 1/log2(3)).
    assert ndcg_at(["g1", "x"], {"g1", "g2"}, 10) == pytest.approx(1 / (1 + 1 / 1.584962500721156))


def test_fact_recall_matches_numbers_across_separators_and_scripts() -> None:
    assert fact_recall("เมืองเซบูแจกตะกร้า 2000 ใบ [1]", [["2,000 ใบ"]]) == 1.0
    assert fact_recall("Keranjang dibagikan 2.000 keranjang [1]", [["2.000 keranjang"], ["Kota Cebu"]]) == 0.5
    assert fact_recall("バゴ市は一日１トンをコンポスト化 [1]", [["1 トン"]]) == 1.0
    assert fact_recall("It has 1434 trainees", [["434 trainees"]]) == 0.0
    assert fact_recall("anything", []) is None


def test_citation_precision_is_the_share_of_gold_citations() -> None:
    assert citation_precision(["iclei", "iclei", "unescap"], {"iclei"}) == pytest.approx(2 / 3)
    assert citation_precision([], {"iclei"}) is None


def test_a_sample_takes_every_kind_in_turn_and_the_same_items_each_time() -> None:
    kinds = list(dict.fromkeys(item.kind for item in GOLD))
    picked = spread(GOLD, len(kinds) + 2)
    assert [i.item_id for i in picked] == [i.item_id for i in spread(GOLD, len(kinds) + 2)]
    assert {i.kind for i in picked} == set(kinds), f"expected every kind in {picked}"
    assert [i.item_id for i in spread(GOLD, len(GOLD))] == [i.item_id for i in GOLD]
    assert {i.kind for i in GOLD[: len(kinds) + 2]} == {"fact"}, "the first items are all facts: why --sample exists"


def test_verification_failed_is_the_share_of_answered_questions_whose_model_text_failed() -> None:
    [case] = cases([item for item in GOLD if item.item_id == "bago-daily-compost"], ("en",))

    def run(mode: str, abstained: bool = False) -> Run:
        return Run(Answer(case.question, "en", "Bago composts 1 tonne a day [1]", abstained, [], mode=mode), [], 0.5, 1.0)
    model = [score_case(GENERATIVE, case, run(mode)) for mode in ("generative", "fallback", "fallback", "generative")]
    model.append(score_case(GENERATIVE, case, run("extractive", abstained=True)))  # abstained: no model ran
    assert summarise(model)["verification_failed"] == 0.5
    assert summarise([score_case("kyodo-hybrid", case, run("extractive"))])["verification_failed"] is None
    assert GENERATIVE not in SYSTEMS, "the local model takes ~30 s a question: never in the default (CI) run"


class WrongDocuments:
    """A deliberately broken system: whatever is asked, it retrieves and answers for an unrelated question."""

    name = "broken-retriever"

    def __init__(self, kb: KnowledgeBase) -> None:
        self.inner = KyodoSystem(kb, "hybrid", self.name)

    def run(self, question: str) -> Run:
        return self.inner.run(UNRELATED)


@pytest.fixture(scope="module")
def subset_scores(full_index: Settings) -> dict:
    kb = KnowledgeBase(full_index)
    gold = cases([item for item in GOLD if item.item_id in GOOD_SUBSET])
    return summarise_all(evaluate(gold, [KyodoSystem(kb, "hybrid", "kyodo-hybrid"), WrongDocuments(kb)]))


def test_gate_passes_kyodo_on_questions_it_answers(subset_scores: dict) -> None:
    assert check(subset_scores, load_thresholds()) == []


def test_gate_fails_a_retriever_that_returns_the_wrong_document(subset_scores: dict) -> None:
    failures = check(subset_scores, replace(load_thresholds(), system="broken-retriever"))
    for lang in LANGUAGES:
        assert f"broken-retriever [{lang}] hit@1: expected ≥ " in "\n".join(failures)
    assert any(line.endswith("got 0.000") and "abstention_recall" in line for line in failures)


def test_eval_command_with_an_unmet_gate_exits_1_naming_the_metric(full_index: Settings, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("KYODO_HOME", str(full_index.home))
    monkeypatch.setenv("KYODO_CORPUS", str(full_index.corpus))
    monkeypatch.setenv("KYODO_EMBED_MODEL", full_index.embed_model)
    strict = tmp_path / "thresholds.yaml"
    strict.write_text("system: kyodo-hybrid\nminimums:\n  th: {hit@1: 1.01}\n", encoding="utf-8")
    code = main(["eval", "--out", str(tmp_path / "out"), "--systems", "kyodo-hybrid", "--limit", "2",
                 "--gate", str(strict)])
    out = capsys.readouterr().out
    assert code == 1
    assert "gate: kyodo-hybrid [th] hit@1: expected ≥ 1.01, got " in out
    assert "| th | kyodo-hybrid |" in out
    [run] = [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]
    assert {"report.md", "results.json", "chart.png"} <= {p.name for p in run.iterdir()}
