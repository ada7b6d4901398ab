"""Character-level ROUGE-1/2/L F1 for Chinese (no tokenizer, so Chinese is never scored as zero).

Both texts are reduced the same way before scoring: whitespace and punctuation (Unicode categories
P* and S*, full- and half-width) are dropped, ASCII letters are lower-cased, full-width digits and
letters are folded to ASCII. What remains is scored one character per token, for every system alike.
ROUGE-N is clipped n-gram overlap; ROUGE-L uses the longest common subsequence. All are F1 (beta=1).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass


def chars(text: str) -> list[str]:
    """The tokens ROUGE compares: characters, without whitespace or punctuation/symbols."""
    out = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch.isspace():
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "PSZC":
            continue
        out.append(ch.lower())
    return out


def _f1(overlap: int, n_cand: int, n_ref: int) -> float:
    if overlap == 0 or n_cand == 0 or n_ref == 0:
        return 0.0
    p, r = overlap / n_cand, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    cand = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((cand & ref).values())
    return _f1(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004): one big-int update per
    token of `a` over a bit mask of `b`'s positions, so long texts and training targets stay fast."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for j, y in enumerate(b):
        masks[y] = masks.get(y, 0) | (1 << j)
    full = (1 << len(b)) - 1
    v = full
    for x in a:
        u = v & masks.get(x, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def lcs_length_dp(a: list[str], b: list[str]) -> int:
    """The textbook dynamic programme, kept as the reference `lcs_length` is tested against."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


@dataclass
class RougeScore:
    rouge1: float
    rouge2: float
    rougeL: float


def rouge(candidate: str, reference: str) -> RougeScore:
    """Character-level ROUGE-1, ROUGE-2 and ROUGE-L F1 of one candidate against one reference."""
    c, r = chars(candidate), chars(reference)
    return RougeScore(rouge_n(c, r, 1), rouge_n(c, r, 2), rouge_l(c, r))
