"""Figures in text, and the check that keeps summaries faithful: every number a summary states must
appear in the source exactly as written (not merely as a substring of a longer number)."""
from __future__ import annotations

import re

# 6762.07  1,013  10.7%  -3.5  ２０２１ (full-width digits are folded to ASCII before matching)
NUMBER = re.compile(r"(?<![\d.,])[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?(?![\d])")
# Chinese-numeral quantities that carry meaning in news: 三年, 十四五, 两千亿 (only runs of 2+ chars
# followed by a unit, so that 一 in 一批 is not a "number")
CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{2,}(?=[年个项家户亿万元倍%成次批期轮])")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")


def normalise(text: str) -> str:
    return text.translate(_FULLWIDTH)


def find_numbers(text: str) -> list[str]:
    """Arabic figures (with decimals, thousands separators, %) and Chinese-numeral quantities."""
    text = normalise(text)
    return [m.group() for m in NUMBER.finditer(text)] + [m.group() for m in CHINESE_NUMBER.finditer(text)]


def unsupported_numbers(sentence: str, source: str) -> list[str]:
    """Figures in `sentence` that do not occur in `source` as whole numbers (order kept, no repeats)."""
    available = set(find_numbers(source))
    missing: list[str] = []
    for number in find_numbers(sentence):
        if number not in available and number.rstrip("%") not in available and number not in missing:
            missing.append(number)
    return missing
