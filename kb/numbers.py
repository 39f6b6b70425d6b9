"""Numbers in text, normalised so that a figure can be matched across languages.

Japanese era years become Gregorian (平成20年 → 2008, 昭和55年 → 1980), and so do Thai Buddhist-era
years, which Thai readers write (พ.ศ. 2551, ปี 2551 → 2008; the cases write ค.ศ.), 万 is expanded
(1,170万 → 11700000), month numbers are dropped (month names differ per language),
thousands separators are removed ("5,000", "5.000" → 5000) and Thai digits become Arabic.
"""

from __future__ import annotations

import re
import unicodedata

ERAS = {"平成": 1988, "昭和": 1925, "令和": 2018}
ERA_YEAR = re.compile(r"(平成|昭和|令和)\s*(元|\d+)\s*年")
# A year 25xx after พ.ศ. or a Thai word for year is Buddhist era: 543 years ahead of the Gregorian.
BUDDHIST_YEAR = re.compile(r"(พ\.\s?ศ\.|ปี(?:งบประมาณ)?)\s*(25\d\d)(?!\d)")
BUDDHIST_ERA = 543
MAN = re.compile(r"(\d[\d,]*)\s*万")
MONTH = re.compile(r"(?<![\d,.])\d{1,2}\s*(?:月|ヶ月|か月)")
NUMBER = re.compile(r"\d+(?:[,.]\d+)*")
THOUSANDS = re.compile(r"\d{1,3}(?:([,.])\d{3})(?:\1\d{3})*")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def normalise(token: str) -> str:
    """One number token in canonical form: '5,000' → '5000', '04' → '4', '1.5' stays.

    >>> normalise("11.700.000"), normalise("2,000"), normalise("'04".strip("'")), normalise("1.5")
    ('11700000', '2000', '4', '1.5')
    """
    if THOUSANDS.fullmatch(token):
        token = re.sub(r"[,.]", "", token)
    token = token.replace(",", ".")
    if token.isdigit():
        return str(int(token))
    return token


def numbers(text: str) -> set[str]:
    """The set of normalised numbers that a reader would need to find in a translation.

    >>> sorted(numbers("平成20年5月、5,000人、1,170万トン、平成元年"))
    ['11700000', '1989', '2008', '5000']
    >>> numbers("ในปีงบประมาณ 2551"), numbers("พ.ศ. 2563"), numbers("2,540 ตัน")
    ({'2008'}, {'2020'}, {'2540'})
    """
    text = unicodedata.normalize("NFKC", text).translate(THAI_DIGITS)
    found: set[str] = set()

    def era(match: re.Match[str]) -> str:
        year = 1 if match.group(2) == "元" else int(match.group(2))
        found.add(str(ERAS[match.group(1)] + year))
        return " "

    def man(match: re.Match[str]) -> str:
        found.add(str(int(match.group(1).replace(",", "")) * 10_000))
        return " "

    def buddhist(match: re.Match[str]) -> str:
        found.add(str(int(match.group(2)) - BUDDHIST_ERA))
        return " "

    text = ERA_YEAR.sub(era, text)
    text = BUDDHIST_YEAR.sub(buddhist, text)
    text = MAN.sub(man, text)
    text = MONTH.sub(" ", text)
    found.update(normalise(token) for token in NUMBER.findall(text))
    return found
