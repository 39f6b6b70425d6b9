"""Names in a Thai question that no list holds: a place after its title, a code in Thai letters.

GeoNames gives few Thai names for cities (no ดานัง, no ดาเวา), and Thai writes no spaces or
capitals to show where a name is. A title does: the words after เมือง, นคร, จังหวัด, ประเทศ ...
name a place. The name runs from the word after the title through the words the Thai dictionary
does not know (ดา + เวา); a code is a word with a hyphen and digits (โควิด-19). Whether the cases
write them is the caller's question. Deliberately left out: names with no title before them.
"""

from __future__ import annotations

import re
from functools import lru_cache

TITLES = ("เมือง", "นคร", "จังหวัด", "ประเทศ", "กรุง", "มณฑล", "เกาะ")
# Words after a title that are no name: "เมืองนี้", "เมืองใด", "ประเทศต่าง ๆ".
NOT_NAMES = ("นี้", "นั้น", "ใด", "ไหน", "อะไร", "ต่าง", "ต่าง ๆ", "อื่น", "อื่น ๆ", "ที่", "ของ", "ใน", "และ", "หรือ",
             "ทั้ง", "เหล่า", "ดังกล่าว", "เดียวกัน", "หลวง")
THAI_WORD = re.compile(r"^[\u0e01-\u0e4e]{2,}$")
MAX_EXTRA_WORDS = 2


def thai_names(text: str, lang: str) -> list[str]:
    """The place names after a title and the codes in a Thai question (nothing for other languages).

    >>> thai_names("เมืองดานังนำขยะมาทำปุ๋ยหมักวันละกี่ตัน", "th"), thai_names("ที่เมืองดาเวามีการแจกตะกร้า", "th")
    (['ดานัง'], ['ดาเวา'])
    >>> thai_names("คิตะกีวชูช่วยเมืองต่าง ๆ รับมือกับโควิด-19 อย่างไร", "th"), thai_names("เมืองใดในจีน", "th")
    (['โควิด-19'], [])
    """
    if lang != "th":
        return []
    from pythainlp.tokenize import word_tokenize

    words = word_tokenize(text, engine="newmm", keep_whitespace=False)
    found: list[str] = []
    for i, word in enumerate(words):
        if word in TITLES and i + 1 < len(words) and THAI_WORD.match(words[i + 1]) and words[i + 1] not in NOT_NAMES:
            name = words[i + 1]
            for extra in words[i + 2:i + 2 + MAX_EXTRA_WORDS]:
                if not THAI_WORD.match(extra) or extra in _dictionary():
                    break
                name += extra
            found.append(name)
        elif word == "-" and 0 < i < len(words) - 1 and THAI_WORD.match(words[i - 1]) and words[i + 1].isdigit():
            found.append(f"{words[i - 1]}-{words[i + 1]}")
    return found


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())
