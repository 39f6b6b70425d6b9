"""User-facing sentences of the read path in each supported language."""

from __future__ import annotations

from kb.vocabulary import translate

# The note on a question cut to its first MAX_QUESTION_CHARS characters (kb.service).
TRUNCATED = "too_long"
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
    TRUNCATED: {
        "ja": "質問が長すぎます（{chars}文字）。最初の{limit}文字だけで回答しました。",
        "en": "Your question is {chars} characters long; only its first {limit} were used.",
        "id": "Pertanyaan Anda sepanjang {chars} karakter; hanya {limit} karakter pertama yang dipakai.",
        "th": "คำถามยาว {chars} ตัวอักษร จึงใช้เพียง {limit} ตัวอักษรแรก",
    },
    # The model's answer failed kb.verify ({reason}), so the extractive answer is shown (kb.generative).
    "fallback": {
        "ja": "生成した回答を検証できなかったため（{reason}）、出典の文をそのまま示します。",
        "en": "The generated answer could not be verified ({reason}), so this answer quotes the passages instead.",
        "id": "Jawaban yang dihasilkan tidak dapat diverifikasi ({reason}), jadi jawaban ini mengutip bagian sumber.",
        "th": "ไม่สามารถตรวจสอบคำตอบที่สร้างขึ้นได้ ({reason}) จึงแสดงประโยคที่ยกมาจากแหล่งข้อมูลแทน",
    },
    "unsupported": {
        "en": "Kyodo answers in Japanese, English, Indonesian and Thai; your question looks like '{detected}', "
              "so this answer is in English.",
    },
    # A case the question is about was found, but not the kind of fact it asks for ({missing}: "missing" below).
    "partial": {
        "ja": "事例集には{case}についての記述があります [1] が、{missing}は書かれていません。",
        "en": "The case studies describe {case} [1] but do not say {missing}.",
        "id": "Studi kasus menjelaskan {case} [1], tetapi tidak menyebutkan {missing}.",
        "th": "กรณีศึกษากล่าวถึง{case} [1] แต่ไม่ได้ระบุ{missing}",
    },
    "closest": {
        "ja": "近い事例：{cases}",
        "en": "The closest case studies are: {cases}",
        "id": "Studi kasus yang paling dekat: {cases}",
        "th": "กรณีศึกษาที่ใกล้เคียงที่สุด ได้แก่ {cases}",
    },
    "unknown_place": {
        "ja": "事例集には{place}についての記述はありません。",
        "en": "The case studies do not mention {place}.",
        "id": "Studi kasus tidak menyebut {place}.",
        "th": "กรณีศึกษาไม่ได้กล่าวถึง{place}",
    },
}

# What a partial answer says is missing, by the type of fact the question asks for (kb.question).
MISSING: dict[str, dict[str, str]] = {
    "count": {"ja": "お尋ねの数", "en": "the number you asked about", "id": "jumlah yang ditanyakan",
              "th": "จำนวนที่ถาม"},
    "money": {"ja": "費用や金額", "en": "what it cost", "id": "biayanya", "th": "ค่าใช้จ่ายหรือจำนวนเงิน"},
    "percent": {"ja": "割合", "en": "the percentage", "id": "persentasenya", "th": "สัดส่วนหรือร้อยละ"},
    "duration": {"ja": "期間", "en": "how long it took", "id": "berapa lama", "th": "ระยะเวลา"},
    "year": {"ja": "時期", "en": "when", "id": "kapan", "th": "ช่วงเวลา"},
    "person": {"ja": "人物の名前", "en": "the person's name", "id": "nama orangnya", "th": "ชื่อบุคคล"},
    "organisation": {"ja": "団体の名前", "en": "which organisation", "id": "organisasinya", "th": "ชื่อองค์กร"},
    "company": {"ja": "会社名", "en": "the company's name", "id": "nama perusahaannya", "th": "ชื่อบริษัท"},
    "agent": {"ja": "誰が行ったか", "en": "who did it", "id": "siapa yang melakukannya", "th": "ผู้ดำเนินการ"},
    "place": {"ja": "場所", "en": "where", "id": "tempatnya", "th": "สถานที่"},
    "fact": {"ja": "お尋ねの内容", "en": "what you asked", "id": "hal yang ditanyakan", "th": "สิ่งที่ถาม"},
    # A year the question names that the cited case does not mention ({year} is filled in).
    "in_year": {"ja": "{year}年のこと", "en": "anything about {year}", "id": "apa pun tentang tahun {year}",
                "th": "ข้อมูลของปี {year}"},
    # The question asks what happened after a year ({year}); the cited case names no later one.
    "after_year": {"ja": "{year}年より後のこと", "en": "what happened after {year}", "id": "apa yang terjadi setelah tahun {year}",
                   "th": "สิ่งที่เกิดขึ้นหลังปี {year}"},
}


def message(key: str, lang: str, **values: str) -> str:
    """The message in ``lang`` (English when it has no translation), with ``values`` filled in strictly."""
    return translate(MESSAGES, key, lang, **values)
