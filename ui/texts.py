"""Every sentence the web page shows, in Japanese, English, Indonesian and Thai.

``text(key, lang, **values)`` fills placeholders strictly: a missing value is an error, not a blank.
Answers and the abstention message come from ``kb`` (already in the reader's language); this
module holds only the page's own words and the example questions (topic names are ``kb.vocabulary``'s).
"""

from __future__ import annotations

from kb.vocabulary import translate

LANG_NAMES = {"ja": "日本語", "en": "English", "id": "Bahasa Indonesia", "th": "ไทย"}
AUTO = "auto"

TEXTS: dict[str, dict[str, str]] = {
    "subtitle": {
        "ja": "北九州市の環境国際協力の事例集に質問できます。回答には必ず出典の箇所が付きます。",
        "en": "Ask about Kitakyushu City's environmental cooperation case studies. Every answer cites its sources.",
        "id": "Tanyakan tentang studi kasus kerja sama lingkungan Kota Kitakyushu. Setiap jawaban menyebutkan sumbernya.",
        "th": "ถามเกี่ยวกับกรณีศึกษาความร่วมมือด้านสิ่งแวดล้อมของเมืองคิตะกีวชู ทุกคำตอบระบุแหล่งที่มา",
    },
    "language": {"ja": "表示言語", "en": "Page language", "id": "Bahasa halaman", "th": "ภาษาของหน้า"},
    "auto": {"ja": "自動（質問の言語）", "en": "Auto (your question's)", "id": "Otomatis (bahasa pertanyaan)",
             "th": "อัตโนมัติ (ตามภาษาคำถาม)"},
    "tab_ask": {"ja": "質問する", "en": "Ask", "id": "Bertanya", "th": "ถามคำถาม"},
    "tab_cases": {"ja": "事例集", "en": "Case studies", "id": "Studi kasus", "th": "กรณีศึกษา"},
    "question": {"ja": "質問", "en": "Your question", "id": "Pertanyaan Anda", "th": "คำถามของคุณ"},
    "placeholder": {
        "ja": "例：バゴ市では一日何トンの市場ごみをコンポストにしていますか",
        "en": "e.g. How much market waste does Bago compost a day?",
        "id": "mis. Berapa ton sampah pasar yang dikompos Bago setiap hari?",
        "th": "เช่น เมืองบาโกทำปุ๋ยหมักจากขยะตลาดวันละกี่ตัน",
    },
    "ask": {"ja": "質問する", "en": "Ask", "id": "Tanya", "th": "ถาม"},
    "examples": {"ja": "質問の例", "en": "Example questions", "id": "Contoh pertanyaan", "th": "ตัวอย่างคำถาม"},
    "filters": {"ja": "検索を絞り込む", "en": "Narrow the search", "id": "Persempit pencarian", "th": "จำกัดการค้นหา"},
    "countries": {"ja": "国", "en": "Country", "id": "Negara", "th": "ประเทศ"},
    "cities": {"ja": "都市", "en": "City", "id": "Kota", "th": "เมือง"},
    "topics": {"ja": "分野", "en": "Topic", "id": "Topik", "th": "หัวข้อ"},
    "intro": {
        "ja": "質問を入力するか、下の例を選んでください。回答の [1] などの番号を押すと出典に移動します。",
        "en": "Type a question or pick an example below. Click a marker like [1] in an answer to jump to its source.",
        "id": "Ketik pertanyaan atau pilih contoh di bawah. Klik penanda seperti [1] untuk melihat sumbernya.",
        "th": "พิมพ์คำถามหรือเลือกตัวอย่างด้านล่าง คลิกเครื่องหมายเช่น [1] ในคำตอบเพื่อไปยังแหล่งที่มา",
    },
    "thinking": {"ja": "事例集を検索しています…", "en": "Searching the case studies…",
                 "id": "Mencari di studi kasus…", "th": "กำลังค้นหาในกรณีศึกษา…"},
    "writing": {"ja": "回答を作成しています（各文は出典と照合済み）…", "en": "Writing the answer (each sentence checked against the sources)…",
                "id": "Menulis jawaban (setiap kalimat dicocokkan dengan sumber)…",
                "th": "กำลังเขียนคำตอบ (ตรวจแต่ละประโยคกับแหล่งที่มาแล้ว)…"},
    "stop": {"ja": "■ 停止", "en": "■ Stop", "id": "■ Berhenti", "th": "■ หยุด"},
    "stopped": {"ja": "回答の作成を停止しました。未完成のため出典は表示していません。",
                "en": "Stopped: the answer is unfinished, so its sources are not shown.",
                "id": "Dihentikan: jawaban belum selesai, jadi sumbernya tidak ditampilkan.",
                "th": "หยุดแล้ว คำตอบยังไม่เสร็จ จึงไม่แสดงแหล่งที่มา"},
    "loading": {
        "ja": "言語モデルを読み込んでいます（初回のみ、1分ほどかかります）…",
        "en": "Loading the language model (first start only, about a minute)…",
        "id": "Memuat model bahasa (hanya saat pertama, sekitar satu menit)…",
        "th": "กำลังโหลดโมเดลภาษา (เฉพาะครั้งแรก ประมาณหนึ่งนาที)…",
    },
    "indexing": {
        "ja": "事例集の索引を作成しています（初回のみ、数分かかります）…",
        "en": "Building the index of the case studies (first start only, a few minutes)…",
        "id": "Membangun indeks studi kasus (hanya saat pertama, beberapa menit)…",
        "th": "กำลังสร้างดัชนีกรณีศึกษา (เฉพาะครั้งแรก ใช้เวลาสองสามนาที)…",
    },
    "ready": {"ja": "準備ができました", "en": "Ready", "id": "Siap", "th": "พร้อมใช้งาน"},
    "failed": {"ja": "開始できませんでした：{detail}", "en": "Kyodo could not start: {detail}",
               "id": "Kyodo tidak dapat dimulai: {detail}", "th": "Kyodo เริ่มทำงานไม่ได้: {detail}"},
    "empty": {
        "ja": "質問が空です。事例集についての質問を入力してください。",
        "en": "The question is empty: type a question about the case studies.",
        "id": "Pertanyaan kosong: ketik pertanyaan tentang studi kasus.",
        "th": "ยังไม่มีคำถาม โปรดพิมพ์คำถามเกี่ยวกับกรณีศึกษา",
    },
    "no_words": {
        "ja": "質問を言葉で書いてください（日本語・英語・インドネシア語・タイ語）。",
        "en": "Please write your question in words (Japanese, English, Indonesian or Thai).",
        "id": "Tulis pertanyaan Anda dengan kata-kata (bahasa Jepang, Inggris, Indonesia, atau Thai).",
        "th": "โปรดเขียนคำถามเป็นถ้อยคำ (ภาษาญี่ปุ่น อังกฤษ อินโดนีเซีย หรือไทย)",
    },
    "unsupported": {
        "ja": "Kyodo は日本語・英語・インドネシア語・タイ語で回答します。質問は{detected}のようなので、英語で回答しました。",
        "en": "Kyodo answers in Japanese, English, Indonesian and Thai; your question looks like {detected}, "
              "so the answer is in English.",
        "id": "Kyodo menjawab dalam bahasa Jepang, Inggris, Indonesia, dan Thai; pertanyaan Anda tampaknya "
              "berbahasa {detected}, jadi jawabannya dalam bahasa Inggris.",
        "th": "Kyodo ตอบเป็นภาษาญี่ปุ่น อังกฤษ อินโดนีเซีย และไทย คำถามของคุณดูเหมือนเป็นภาษา{detected} "
              "จึงตอบเป็นภาษาอังกฤษ",
    },
    "filtered": {
        "ja": "絞り込み（{filters}）の範囲で検索しました。",
        "en": "Searched only within: {filters}.",
        "id": "Hanya dicari dalam: {filters}.",
        "th": "ค้นหาเฉพาะใน: {filters}",
    },
    "no_index": {
        "ja": "索引がまだありません。管理者に 'kyodo index' の実行を依頼してください。（{detail}）",
        "en": "There is no index yet: ask the administrator to run 'kyodo index'. ({detail})",
        "id": "Indeks belum ada: minta administrator menjalankan 'kyodo index'. ({detail})",
        "th": "ยังไม่มีดัชนี โปรดให้ผู้ดูแลระบบรัน 'kyodo index' ({detail})",
    },
    "error": {
        "ja": "エラーが発生しました：{detail}。もう一度お試しください。",
        "en": "Something went wrong: {detail}. Please try again.",
        "id": "Terjadi kesalahan: {detail}. Silakan coba lagi.",
        "th": "เกิดข้อผิดพลาด: {detail} โปรดลองอีกครั้ง",
    },
    "sources": {"ja": "出典", "en": "Sources", "id": "Sumber", "th": "แหล่งที่มา"},
    # Under the answer to a follow-up ("And in Cebu?"): the question it was taken to stand for.
    "searched_as": {"ja": "検索した質問：{question}", "en": "Searched as: {question}", "id": "Dicari sebagai: {question}",
                    "th": "ค้นหาเป็น: {question}"},
    "new_conversation": {"ja": "新しい会話", "en": "New conversation", "id": "Percakapan baru", "th": "เริ่มบทสนทนาใหม่"},
    "place": {"ja": "場所", "en": "Place", "id": "Tempat", "th": "สถานที่"},
    "year": {"ja": "年", "en": "Year", "id": "Tahun", "th": "ปี"},
    "section": {"ja": "出典箇所", "en": "Source section", "id": "Bagian sumber", "th": "ส่วนของแหล่งที่มา"},
    "original": {"ja": "日本語の原文を見る", "en": "Show the Japanese original", "id": "Lihat teks asli bahasa Jepang",
                 "th": "ดูต้นฉบับภาษาญี่ปุ่น"},
    "is_original": {"ja": "この箇所は原文です。", "en": "This passage is the original.",
                    "id": "Bagian ini adalah teks asli.", "th": "ข้อความนี้คือต้นฉบับ"},
    "answered_in": {"ja": "{seconds} 秒で回答", "en": "answered in {seconds} s", "id": "dijawab dalam {seconds} detik",
                    "th": "ตอบใน {seconds} วินาที"},
    "feedback": {"ja": "この回答は役に立ちましたか？", "en": "Was this answer useful?",
                 "id": "Apakah jawaban ini berguna?", "th": "คำตอบนี้มีประโยชน์หรือไม่"},
    # No emoji: many machines have no emoji font; the thumbs are drawn by style.css (#k-up, #k-down).
    "up": {"ja": "役に立った", "en": "Useful", "id": "Berguna", "th": "มีประโยชน์"},
    "down": {"ja": "役に立たない", "en": "Not useful", "id": "Tidak berguna", "th": "ไม่มีประโยชน์"},
    "comment": {"ja": "コメント（任意）", "en": "Comment (optional)", "id": "Komentar (opsional)",
                "th": "ความคิดเห็น (ไม่บังคับ)"},
    "send": {"ja": "送信", "en": "Send", "id": "Kirim", "th": "ส่ง"},
    "thanks": {"ja": "ありがとうございます。ご意見を保存しました。", "en": "Thank you: your feedback was saved.",
               "id": "Terima kasih: masukan Anda telah disimpan.", "th": "ขอบคุณ บันทึกความคิดเห็นของคุณแล้ว"},
    "no_answer": {"ja": "先に質問してから、その回答を評価してください。", "en": "Ask a question first, then rate its answer.",
                  "id": "Ajukan pertanyaan dulu, lalu nilai jawabannya.", "th": "โปรดถามคำถามก่อน แล้วจึงให้คะแนนคำตอบ"},
    "case": {"ja": "事例", "en": "Case study", "id": "Studi kasus", "th": "กรณีศึกษา"},
    "read_in": {"ja": "表示する言語", "en": "Read in", "id": "Baca dalam", "th": "อ่านเป็นภาษา"},
    "not_translated": {"ja": "この事例は{language}に翻訳されていません。原文を表示しています。",
                       "en": "This case study is not translated into {language}; showing the original.",
                       "id": "Studi kasus ini belum diterjemahkan ke {language}; menampilkan teks asli.",
                       "th": "กรณีศึกษานี้ยังไม่มีฉบับ{language} จึงแสดงต้นฉบับ"},
    "overview": {"ja": "事例集の概要：国・分野・年別の事例数", "en": "Case studies by country, topic and year",
                 "id": "Studi kasus menurut negara, topik, dan tahun", "th": "กรณีศึกษาตามประเทศ หัวข้อ และปี"},
    "by_country": {"ja": "国別", "en": "By country", "id": "Menurut negara", "th": "ตามประเทศ"},
    "by_topic": {"ja": "分野別", "en": "By topic", "id": "Menurut topik", "th": "ตามหัวข้อ"},
    "by_year": {"ja": "年別", "en": "By year", "id": "Menurut tahun", "th": "ตามปี"},
    "count": {"ja": "事例数", "en": "case studies", "id": "studi kasus", "th": "จำนวนกรณีศึกษา"},
    "total": {"ja": "{cases}件の事例、{langs}言語", "en": "{cases} case studies in {langs} languages",
              "id": "{cases} studi kasus dalam {langs} bahasa", "th": "กรณีศึกษา {cases} เรื่อง ใน {langs} ภาษา"},
}

EXAMPLES: dict[str, list[str]] = {
    "ja": ["バゴ市のコンポストセンターは一日何トンの市場ごみを処理していますか",
           "スラバヤ市はどのようにしてごみを減らしましたか",
           "北九州市は大連市でどのような協力をしましたか"],
    "en": ["How much market waste does the Bago compost centre process a day?",
           "How did Surabaya cut its waste?",
           "What did Kitakyushu do to help Dalian's environment?"],
    "id": ["Berapa ton sampah pasar yang dikompos di Bago setiap hari?",
           "Bagaimana Surabaya mengurangi sampah?",
           "Pelatihan apa yang diberikan Kitakyushu untuk kota-kota di Asia?"],
    "th": ["Bago ทำปุ๋ยหมักจากขยะตลาดวันละเท่าไร",
           "สุราบายาลดปริมาณขยะได้อย่างไร",
           "คิตะกีวชูช่วยเมืองต้าเหลียนด้านสิ่งแวดล้อมอย่างไร"],
}


def text(key: str, lang: str, **values: object) -> str:
    """The page text ``key`` in ``lang`` (English when untranslated), placeholders filled strictly.

    >>> text("total", "th", cases=38, langs=4)
    'กรณีศึกษา 38 เรื่อง ใน 4 ภาษา'
    """
    return translate(TEXTS, key, lang, **values)
