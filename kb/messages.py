"""User-facing sentences of the read path in each supported language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "abstain": {
        "ja": "この質問に答える内容は事例集にありません。近い事例：{cases}",
        "en": "The case studies do not cover this question. The closest case studies are: {cases}",
        "id": "Studi kasus tidak membahas pertanyaan ini. Studi kasus yang paling dekat: {cases}",
        "th": "กรณีศึกษาไม่ได้กล่าวถึงคำถามนี้ กรณีศึกษาที่ใกล้เคียงที่สุด ได้แก่ {cases}",
    },
    # Shown with the extractive answer when a model is on but measured worse than quoting in this language.
    "llm_language": {
        "ja": "日本語の質問には生成した回答を使いません。評価で出典の文を引用する回答より成績が低かったため、出典の文をそのまま示します。",
        "en": "Generated answers are not used for English questions because they measured worse than quoting "
              "the passages, so this answer quotes the passages.",
        "id": "Jawaban yang dihasilkan tidak dipakai untuk pertanyaan berbahasa Indonesia karena hasil evaluasinya "
              "lebih buruk daripada mengutip bagian sumber, jadi jawaban ini mengutip bagian sumber.",
        "th": "ไม่ใช้คำตอบที่สร้างขึ้นสำหรับคำถามภาษาไทย เพราะผลการประเมินแย่กว่าการยกประโยคจากแหล่งข้อมูล "
              "จึงแสดงประโยคที่ยกมาจากแหล่งข้อมูลแทน",
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
