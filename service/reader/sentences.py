"""Chinese-aware sentence splitting that returns character spans, never copies.

`split_sentences(text)` returns `(start, end)` spans into `text`, so callers can map every
sentence back to the body and highlight it. Rules:

* Sentence ends: 。！？；… and their ASCII forms (! ? ; ...); a run of them ("？！", "……") is one end.
* Closing quotes and brackets right after an end (。” ！） ？』) stay with their sentence.
* An ASCII "." ends a sentence only when it is not part of a number (6762.07, 2.5, 2021.12.08), a
  list marker ("1. "), an abbreviation (U.S., Mr., e.g.) or a dotted name (www.x.com).
* Ends inside a book title 《…》 do not split (《你好！李焕英》 is one title).
* A line break always ends a sentence (each paragraph is one line in Document.text).
* An over-long run (> max_chars) is cut at commas (，,、：:), near-evenly, rather than kept whole,
  so that extractive summaries with a character budget can still use it.

The work is linear: one regex scan for candidate ends per line, no backtracking-prone patterns.
"""
from __future__ import annotations

import math
import re

from service.punctuation import COLON, COMMA, ELLIPSIS, ENUMERATION_COMMA, SEMICOLON, SENTENCE_END, char_class

MAX_SENTENCE_CHARS = 150

_LINE = re.compile(r"[^\n]+")
# Candidate sentence ends and the book-title brackets that suppress them.
_EVENT = re.compile("《|》|" + char_class(SENTENCE_END, SEMICOLON, ELLIPSIS) + r"+|\.+")
_CLOSERS = "”’」』）)】》〉］]\"'"
_SPACE = " \t\u3000\xa0\r\f\v"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no vs etc eg ie inc ltd co corp jan feb mar apr jun jul aug sep sept oct "
    "nov dec fig approx est jr sr gov dept univ".split()
)
_CUT_AT = COMMA + ENUMERATION_COMMA + COLON
_TITLE_RESET = 80   # an unclosed 《 stops suppressing ends after this many chars


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in `text`; whitespace is trimmed from each span."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        for start, end in _split_line(text, line.start(), line.end()):
            if end - start > max_chars:
                spans.extend(_cut_long(text, start, end, max_chars))
            else:
                spans.append((start, end))
    return spans


def _split_line(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = ls
    depth = 0
    opened_at = 0
    for m in _EVENT.finditer(text, ls, le):
        token = m.group()
        if token == "《":
            depth += 1
            opened_at = m.start()
            continue
        if token == "》":
            depth = max(0, depth - 1)
            continue
        if depth and m.start() - opened_at < _TITLE_RESET:
            continue
        depth = 0
        if token[0] == "." and len(token) < 3 and not _is_period(text, m.start(), m.end(), ls, le):
            continue
        end = _absorb_closers(text, m.end(), le, start)
        _emit(text, start, end, out)
        start = end
    _emit(text, start, le, out)
    return out


def _emit(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    if start >= end:
        return
    # A span of punctuation only (e.g. a stray "。") belongs to the sentence before it.
    if out and not any(ch.isalnum() for ch in text[start:end]):
        out[-1] = (out[-1][0], end)
        return
    out.append((start, end))


def _absorb_closers(text: str, end: int, le: int, start: int) -> int:
    while end < le and text[end] in _CLOSERS:
        ch = text[end]
        # ASCII quotes open and close alike: only absorb one that closes an open quote.
        if ch in "\"'" and text.count(ch, start, end) % 2 == 0:
            break
        end += 1
    return end


def _is_period(text: str, i: int, j: int, ls: int, le: int) -> bool:
    """Whether the ASCII dot(s) text[i:j] end a sentence."""
    nxt = text[j] if j < le else ""
    if nxt and (nxt.isascii() and nxt.isalnum()):
        return False                      # 6762.07, U.S, www.example.com, e.g
    prev = text[i - 1] if i > ls else ""
    if not prev:
        return False
    if prev.isdigit():
        k = i
        while k > ls and text[k - 1].isdigit():
            k -= 1
        before = text[k - 1] if k > ls else ""
        # "1. item" at a line start or after a colon / semicolon is a list marker, not an end.
        if i - k <= 2 and (not before or before in _SPACE or before in "：:，,；;、（(。"):
            return False
        return True
    if prev.isascii() and prev.isalpha():
        k = i
        while k > ls and text[k - 1].isascii() and text[k - 1].isalpha():
            k -= 1
        word = text[k:i]
        if len(word) == 1 and (word.isupper() or (k > ls and text[k - 1] == ".")):
            return False                  # an initial or a dotted abbreviation: J. Smith, U.S., e.g.
        if word.lower() in _ABBREVIATIONS:
            return False
    return True


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most max_chars, at commas where possible."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        length = end - start
        target = length / math.ceil(length / max_chars)
        cut = _best_cut(text, start, end, target, max_chars)
        _emit(text, start, cut, pieces)
        start = cut
    _emit(text, start, end, pieces)
    return pieces


def _best_cut(text: str, start: int, end: int, target: float, max_chars: int) -> int:
    lo = start + max(1, int(target * 0.5))
    hi = min(end - 1, start + max_chars)
    best = -1
    best_distance = float("inf")
    for k in range(lo, hi):
        if text[k] in _CUT_AT:
            distance = abs((k + 1 - start) - target)
            if distance < best_distance:
                best, best_distance = k + 1, distance
    if best > 0:
        return best
    # No comma in reach: cut at whitespace, else at a point that does not split a number/word.
    for k in range(hi, lo, -1):
        if text[k - 1] in _SPACE:
            return k
    k = hi
    while k > lo and text[k - 1].isascii() and text[k - 1].isalnum() and text[k].isascii() and text[k].isalnum():
        k -= 1
    return k if k > lo else hi
