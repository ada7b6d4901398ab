"""What every extractive selection needs: how summary pieces are joined and measured, when two are
near duplicates, and the last-resort cut of a sentence at a clause mark within the budget."""
from __future__ import annotations

import re

from service.punctuation import CLAUSE_MARKS, CLOSERS, ELLIPSIS, SEMICOLON, SENTENCE_END

_TERMINAL = SENTENCE_END + SEMICOLON + ELLIPSIS + CLOSERS
_WORDISH = re.compile(r"[0-9A-Za-z０-９.,．，%％]")   # chars that make up numbers/words: never cut inside


def joiner(previous: str) -> str:
    """What goes between two summary sentences: nothing after a sentence end, else a space."""
    return "" if not previous or previous[-1] in _TERMINAL else " "


def joined_length(texts: list[str]) -> int:
    total = 0
    for i, t in enumerate(texts):
        total += len(t) + (len(joiner(texts[i - 1])) if i else 0)
    return total


def bigrams(text: str) -> set[str]:
    t = re.sub(r"\W", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def near_duplicate(a: set[str], b: set[str], threshold: float = 0.7) -> bool:
    """Most of the shorter sentence's character bigrams recur in the other."""
    small = min(len(a), len(b)) or 1
    return len(a & b) / small >= threshold


def returned_whole(texts: list[str]) -> tuple[list[int], str]:
    """An input shorter than the budget: the indices of the sentences to keep (all but near
    duplicates of an earlier one) and the note that says so."""
    kept, grams = [], []
    for i, text in enumerate(texts):
        g = bigrams(text)
        if not any(near_duplicate(g, other) for other in grams):
            kept.append(i)
            grams.append(g)
    note = ("input is shorter than the budget; returned whole" if len(kept) == len(texts) else
            f"input is shorter than the budget; returned whole but for {len(texts) - len(kept)} "
            "near-duplicate sentence(s)")
    return kept, note


def _is_clause_mark(text: str, i: int) -> bool:
    """A clause mark that is not a thousands separator or a ratio colon between digits."""
    if text[i] not in CLAUSE_MARKS:
        return False
    return not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())


def cut_at_clause(text: str, budget: int) -> str:
    """The longest prefix of `text` within `budget` chars that ends at a clause mark (the mark
    dropped); failing that, a hard cut that never splits a number or a Latin word. '' if budget < 1."""
    if budget <= 0:
        return ""
    if len(text) <= budget:
        return text
    best = -1
    for i in range(1, min(budget, len(text) - 1) + 1):
        if _is_clause_mark(text, i):
            best = i
    if best > 0:
        return text[:best].rstrip()
    end = budget
    while end > 0 and _WORDISH.match(text[end - 1]) and _WORDISH.match(text[end]):
        end -= 1
    # a trailing separator inside a number run ("1,0" → "1") is not a number end: drop it
    while end > 0 and text[end - 1] in ".,．，":
        end -= 1
    return text[:end].rstrip()
