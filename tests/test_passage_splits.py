"""Passage sentences cut by the indexer and stored: the read path finds them, and never serves a stale cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import passage_splits
from kb.passage_splits import PassageSplits, split_passage
from kb.service import KnowledgeBase
from kb.settings import Settings

PASSAGE = ("KITA was established in 1980. Since then it has trained officials from Asia.",
           "en", "KITAは昭和55年に設立されました。以来、アジアの職員を研修しています。", "ja")


def test_a_stored_cut_is_read_back_and_a_cut_by_other_code_is_not(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "vectors.sqlite3"
    cut = []
    monkeypatch.setattr(passage_splits, "split_passage", lambda *texts: cut.append(texts) or split_passage(*texts))
    assert PassageSplits(table).fill([PASSAGE, PASSAGE]) == [split_passage(*PASSAGE)] * 2
    assert cut == [PASSAGE]  # cut once, and stored
    monkeypatch.setattr(passage_splits, "split_passage", lambda *texts: pytest.fail("cut again"))
    assert PassageSplits(table).fill([PASSAGE]) == [split_passage(*PASSAGE)]
    assert PassageSplits(table).split(*PASSAGE) == split_passage(*PASSAGE)
    assert len(split_passage(*PASSAGE)) == 2
    monkeypatch.setattr(passage_splits, "_code", lambda: "other splitting code")
    monkeypatch.setattr(passage_splits, "split_passage", lambda *texts: ("cut now",))
    assert PassageSplits(table).split(*PASSAGE) == ("cut now",)


def test_answers_from_an_index_find_every_passage_already_cut(full_index: Settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    kb = KnowledgeBase(full_index)
    monkeypatch.setattr(passage_splits, "split_passage", lambda *texts: pytest.fail(f"cut at answer time: {texts}"))
    for question in ["How many trainees did KITA accept in FY2008?", "Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร",
                     "Bagaimana pemantauan kualitas air di Kandy?", "チェリャビンスク市の廃棄物処理"]:
        assert not kb.ask(question).abstained, question
