"""User-facing sentences of the read path in each supported language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "abstain": {
        "ja": "この質問に答える内容は事例集にありません。近い事例：{cases}",
        "en": "The case studies do not cover this question. The closest case studies are: {cases}",
        "id": "Studi kasus tidak membahas pertanyaan ini. Studi kasus yang paling dekat: {cases}",
        "th": "กรณีศึกษาไม่ได้กล่าวถึงคำถามนี้ กรณีศึกษาที่ใกล้เคียงที่สุด ได้แก่ {cases}",
    },
    "unsupported": {
        "en": "Kyodo answers in Japanese, English, Indonesian and Thai; your question looks like '{detected}', "
              "so this answer is in English.",
    },
}


def message(key: str, lang: str, **values: str) -> str:
    """The message in ``lang`` (English when it has no translation), with ``values`` filled in strictly."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**values)
