"""What the two fine-tuning commands (train_summarizer, train_classifier) share: reading JSON-lines data
with errors that name the file and line, and the train → evaluate → save tail of a Trainer run."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Iterator

ARTICLE_KEYS = ("article", "text", "body")
SUMMARY_KEYS = ("summary", "digest")
POST_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".txt"}


class TrainingDataError(ValueError):
    """A data file the training commands cannot use; the message names FILE:LINE."""


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[str, dict]]:
    """Yield ("FILE:LINE", record) for every non-blank line (of a .jsonl or .jsonl.gz file); each
    record must be a JSON object."""
    import gzip

    opened = gzip.open(path, "rt", encoding="utf-8") if os.fspath(path).endswith(".gz") \
        else open(path, encoding="utf-8")
    with opened as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{os.fspath(path)}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise TrainingDataError(f"{where}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise TrainingDataError(f"{where}: expected a JSON object")
            yield where, record


def pair_of(where: str, record: dict) -> tuple[str, str] | None:
    """(article as written, summary stripped) of one record; None when either is blank."""
    article = next((record[k] for k in ARTICLE_KEYS if isinstance(record.get(k), str)), None)
    summary = next((record[k] for k in SUMMARY_KEYS if isinstance(record.get(k), str)), None)
    if article is None or summary is None:
        raise TrainingDataError(f"{where}: needs an article ({'/'.join(ARTICLE_KEYS)}) and a "
                                f"summary ({'/'.join(SUMMARY_KEYS)}) string")
    return (article, summary.strip()) if article.strip() and summary.strip() else None


def load_pairs(path: str | os.PathLike) -> list[dict]:
    """(article, summary) pairs from a JSON-lines file; names the line of any malformed record."""
    pairs = []
    for where, record in read_jsonl(path):
        pair = pair_of(where, record)
        if pair:
            pairs.append({"article": pair[0].strip(), "summary": pair[1]})
    return pairs


def posts_with_digest(directory: str | os.PathLike) -> Iterator:
    """The posts under `directory` (read with the service's reader) that have a `> ` digest and a body."""
    from service.document import ReadError
    from service.reader import read_post

    for path in sorted(Path(directory).rglob("*")):
        if not path.is_file() or path.suffix.lower() not in POST_SUFFIXES:
            continue
        try:
            document = read_post(path)
        except ReadError as error:
            print(f"skipped {error}", file=sys.stderr)
            continue
        if document.digest and document.digest.strip() and document.body.strip():
            yield document


def pairs_from_posts(directory: str | os.PathLike) -> list[dict]:
    """(body, digest) pairs from the posts under `directory` that have a `> ` digest."""
    return [{"article": d.body, "summary": d.digest.strip()} for d in posts_with_digest(directory)]


def train_and_save(trainer, tokenizer, out, has_eval: bool) -> dict:
    """Train, evaluate when there is an eval set, save model and tokenizer to `out`; the metrics."""
    metrics = dict(trainer.train().metrics)
    if has_eval:
        metrics.update(trainer.evaluate())
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    return metrics
