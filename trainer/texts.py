"""The words of a session pack and of batch answers, in Japanese, English, Indonesian and Thai.

``text(key, lang, **values)`` fills placeholders strictly: a missing value is an error, not a blank.
The discussion-question templates are here too: each names the case's place and the session's theme.
A theme that is a topic's name in any language (a trainer typing "composting" for a Thai pack) is
written as that topic's name in the pack's language.
"""

from __future__ import annotations

from kb.vocabulary import topic_name, topic_tag, translate

TEXTS: dict[str, dict[str, str]] = {
    "pack_title": {"ja": "研修用資料：{theme}", "en": "Session pack: {theme}", "id": "Paket sesi: {theme}",
                   "th": "ชุดเอกสารการฝึกอบรม: {theme}"},
    "intro": {
        "ja": "北九州市の環境国際協力の事例集から、Kyodo が検索で選んだ{count}件の事例です。要約と数字は事例の本文からの"
              "引用で、[1] などの番号が出典の箇所を示します。",
        "en": "{count} case studies from Kitakyushu City's environmental cooperation, chosen by Kyodo's search. "
              "Summaries and figures are quoted from the cases; markers like [1] point to the source passage.",
        "id": "{count} studi kasus kerja sama lingkungan Kota Kitakyushu, dipilih oleh pencarian Kyodo. Ringkasan dan "
              "angka dikutip dari studi kasus; penanda seperti [1] menunjuk ke bagian sumbernya.",
        "th": "กรณีศึกษา {count} เรื่องจากความร่วมมือด้านสิ่งแวดล้อมของเมืองคิตะกีวชู ซึ่ง Kyodo คัดเลือกด้วยการค้นหา "
              "บทสรุปและตัวเลขยกมาจากเนื้อหาของกรณีศึกษา เครื่องหมายเช่น [1] ชี้ไปยังข้อความต้นทาง",
    },
    "made": {"ja": "作成：{date}（Kyodo）", "en": "Made by Kyodo on {date}", "id": "Dibuat oleh Kyodo pada {date}",
             "th": "จัดทำโดย Kyodo เมื่อ {date}"},
    "place": {"ja": "場所", "en": "Place", "id": "Tempat", "th": "สถานที่"},
    "years": {"ja": "年", "en": "Years", "id": "Tahun", "th": "ปี"},
    "section": {"ja": "出典箇所", "en": "Source section", "id": "Bagian sumber", "th": "ส่วนของแหล่งที่มา"},
    "summary": {"ja": "要約", "en": "Summary", "id": "Ringkasan", "th": "สรุป"},
    "figures": {"ja": "主な数字", "en": "Key figures", "id": "Angka penting", "th": "ตัวเลขสำคัญ"},
    "no_figures": {"ja": "この事例には数字がありません。", "en": "This case study gives no figures.",
                   "id": "Studi kasus ini tidak memuat angka.", "th": "กรณีศึกษานี้ไม่มีตัวเลข"},
    "questions": {"ja": "話し合いのための質問", "en": "Discussion questions", "id": "Pertanyaan diskusi",
                  "th": "คำถามสำหรับการอภิปราย"},
    "answer": {"ja": "回答", "en": "Answer", "id": "Jawaban", "th": "คำตอบ"},
    "sources": {"ja": "出典", "en": "Sources", "id": "Sumber", "th": "แหล่งที่มา"},
    "original": {"ja": "原文", "en": "Original", "id": "Teks asli", "th": "ต้นฉบับ"},
    "and": {"ja": "・", "en": " and ", "id": " dan ", "th": "และ"},
    "general": {"ja": "環境協力", "en": "environmental cooperation", "id": "kerja sama lingkungan",
                "th": "ความร่วมมือด้านสิ่งแวดล้อม"},
    # Batch answers (CSV and Markdown).
    "batch_title": {"ja": "Kyodo の回答", "en": "Answers from Kyodo", "id": "Jawaban dari Kyodo",
                    "th": "คำตอบจาก Kyodo"},
    "abstained": {"ja": "（事例集に答えがありません）", "en": "(not answered by the case studies)",
                  "id": "(tidak dijawab oleh studi kasus)", "th": "(กรณีศึกษาไม่ได้ตอบคำถามนี้)"},
}

# Discussion questions, asked through KnowledgeBase.ask; a question is kept only if its answer checks out.
QUESTIONS: dict[str, dict[str, str]] = {
    "what": {"ja": "{place}では{theme}についてどのような取り組みが行われましたか。",
             "en": "What was done in {place} on {theme}?",
             "id": "Apa yang dilakukan di {place} terkait {theme}?",
             "th": "{place}ดำเนินการอะไรบ้างในด้าน{theme}"},
    "figure": {"ja": "{place}の{theme}：「{cloze}」の空欄に入る数字は何ですか。",
               "en": "{theme} in {place}: what is the missing figure in “{cloze}”?",
               "id": "{theme} di {place}: angka berapa yang hilang dalam “{cloze}”?",
               "th": "{theme}ใน{place}: ตัวเลขที่หายไปใน “{cloze}” คืออะไร"},
    "results": {"ja": "{place}ではどのような成果があり、その取り組みは他の都市に広がりましたか。",
                "en": "What results did {place} achieve, and did the approach spread to other cities?",
                "id": "Hasil apa yang dicapai {place}, dan apakah pendekatannya menyebar ke kota lain?",
                "th": "{place}ได้ผลสำเร็จอะไรบ้าง และแนวทางนี้ขยายผลไปยังเมืองอื่นหรือไม่"},
    "problem": {"ja": "{place}はどのような課題を抱えていましたか。",
                "en": "What problem was {place} facing?",
                "id": "Masalah apa yang dihadapi {place}?",
                "th": "{place}เผชิญกับปัญหาอะไร"},
    "next": {"ja": "{place}では今後どのような取り組みや支援が続きますか。",
             "en": "What comes next in {place}, and what support will continue?",
             "id": "Apa langkah selanjutnya di {place}, dan dukungan apa yang akan berlanjut?",
             "th": "ขั้นต่อไปของ{place}คืออะไร และจะมีการสนับสนุนอะไรต่อไป"},
    "partners": {"ja": "{place}の取り組みは誰が、どの団体と協力して進めましたか。",
                 "en": "Who carried out the work in {place}, and with which partners?",
                 "id": "Siapa yang melaksanakan kegiatan di {place}, dan bersama mitra mana?",
                 "th": "ใครเป็นผู้ดำเนินงานใน{place} และร่วมมือกับองค์กรใดบ้าง"},
    "apply": {"ja": "{place}の{theme}の経験から、自分の都市に取り入れられることは何ですか。",
              "en": "What could your city adopt from the experience of {place} with {theme}?",
              "id": "Apa yang dapat diterapkan kota Anda dari pengalaman {place} dalam {theme}?",
              "th": "เมืองของคุณนำประสบการณ์ด้าน{theme}ของ{place}มาปรับใช้อะไรได้บ้าง"},
}
BLANK = "＿＿"


def theme_words(theme: str, lang: str) -> str:
    """``theme`` as running text in ``lang``: a topic's name translated, any other theme as written.

    >>> theme_words("composting", "th"), theme_words("Pengomposan", "en"), theme_words("sampah pasar", "th")
    ('การทำปุ๋ยหมัก', 'composting', 'sampah pasar')
    """
    tag = topic_tag(theme)
    if tag is None:
        return theme
    name = topic_name(tag, lang)
    return name[:1].lower() + name[1:] if lang in ("en", "id") else name


def _themed(values: dict[str, object], lang: str) -> dict[str, object]:
    if "theme" in values:
        return values | {"theme": theme_words(str(values["theme"]), lang)}
    return values


def text(key: str, lang: str, **values: object) -> str:
    """The pack text ``key`` in ``lang`` (English when untranslated), placeholders filled strictly.

    >>> text("pack_title", "th", theme="composting")
    'ชุดเอกสารการฝึกอบรม: การทำปุ๋ยหมัก'
    """
    return translate(TEXTS, key, lang, **_themed(values, lang))


def question(kind: str, lang: str, **values: object) -> str:
    """A discussion question of ``kind`` in ``lang``.

    >>> question("what", "en", place="Bago and Cebu", theme="composting")
    'What was done in Bago and Cebu on composting?'
    >>> question("what", "th", place="บาโก", theme="composting")
    'บาโกดำเนินการอะไรบ้างในด้านการทำปุ๋ยหมัก'
    """
    return translate(QUESTIONS, kind, lang, **_themed(values, lang))
