"""The headline corpora in ../shared/data and the one place their splits are defined.

    flash_news_headlines/pairs.jsonl.gz    72k financial briefs + editor headlines, 2026-05-14 → 2026-08-11
    cctv_xwlb_headlines/pairs.jsonl.gz     63k 新闻联播 items + broadcast headlines, 2012-07 → 2025-12

Both are research-use text (see each SOURCE.md): read here, never copied into the project. The same
event recurs across outlets and on consecutive days, so the held-out parts are split by date:
    flash news  held out: dated after FLASH_HELD_OUT_AFTER; training: on or before it
    CCTV        held out: dated in CCTV_HELD_OUT_YEAR;      training: every earlier year
Training code reads `training_pairs()`, evaluation reads `held_out()`; nothing else picks items.
Within the training side, 1 document in 50 (`is_aside`, a hash of its text) is set aside by the
ranker's training for its own checks; `aside()` returns those (the `dev-headlines` preset), so that
choices can be made without looking at the held-out splits.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import random
from pathlib import Path
from typing import Iterator

FLASH = "flash_news_headlines/pairs.jsonl.gz"
CCTV = "cctv_xwlb_headlines/pairs.jsonl.gz"
FLASH_HELD_OUT_AFTER = "2026-07-20"
CCTV_HELD_OUT_YEAR = "2025"


def _rows(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if row.get("article") and row.get("summary"):
                    yield row


def is_held_out(corpus: str, row: dict) -> bool:
    date = str(row.get("date") or "")
    if corpus == FLASH:
        return date[:10] > FLASH_HELD_OUT_AFTER
    if corpus == CCTV:
        return date[:4] == CCTV_HELD_OUT_YEAR
    raise ValueError(f"unknown corpus {corpus!r}")


def held_out(root: Path, corpus: str, sample: int | None = None, seed: int = 0) -> list[dict]:
    """The held-out rows of a corpus (a seeded sample of `sample` when given), sorted by id."""
    rows = [r for r in _rows(root / corpus) if is_held_out(corpus, r)]
    rows.sort(key=lambda r: r["id"])
    if sample is not None and len(rows) > sample:
        rows = sorted(random.Random(seed).sample(rows, sample), key=lambda r: r["id"])
    return rows


def training_pairs(root: Path, corpus: str) -> Iterator[dict]:
    """The training side of a corpus: every row that is not held out."""
    for row in _rows(root / corpus):
        if not is_held_out(corpus, row):
            yield row


def is_aside(text: str) -> bool:
    """The 1-in-50 training-side documents the ranker's training keeps aside (hash of the text)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 50 == 0


def aside(root: Path, corpus: str, sample: int | None = None, seed: int = 0) -> list[dict]:
    """Training-side rows set aside from training (see is_aside): a development split."""
    rows = [r for r in training_pairs(root, corpus) if is_aside(r["article"])]
    if sample is not None and len(rows) > sample:
        rows = random.Random(seed).sample(rows, sample)
    return sorted(rows, key=lambda r: r["id"])
