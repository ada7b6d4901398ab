"""The extractive ceiling: the best contiguous run of whole clauses that fits the budget.

Clauses end at Chinese clause and sentence marks (，；：、。！？…) or a line break, so a run never
splits a number (`1,000` and `3.5` use ASCII marks). Every run of consecutive clauses that fits the
budget is scored against the reference by mean(R-1, R-L); the best one is the oracle's output. It
needs the reference, so it is a ceiling for what picking clauses can reach, not a system.
"""
from __future__ import annotations

import re

from models.evaluate.rouge import rouge

_CLAUSE_END = re.compile(r"[，；：、。！？!?；…]+[”’」』）)]*|\n+")


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of `text`, each with its closing mark."""
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def oracle(article: str, reference: str, budget: int) -> str:
    """The best run of consecutive clauses of `article` within `budget` characters."""
    spans = clauses(article)
    best, best_score = "", -1.0
    for i, (start, _) in enumerate(spans):
        for _, end in spans[i:]:
            text = article[start:end].strip()
            if len(text) > budget:
                break
            score = rouge(text, reference)
            value = score.rouge1 + score.rougeL
            if value > best_score:
                best, best_score = text, value
    return best
