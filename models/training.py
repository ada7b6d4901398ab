"""What the two fine-tuning commands (train_summarizer, train_classifier) share: reading JSON-lines data
with errors that name the file and line, and the train → evaluate → save tail of a Trainer run."""
from __future__ import annotations

import json
import os
from typing import Iterator


class TrainingDataError(ValueError):
    """A data file the training commands cannot use; the message names FILE:LINE."""


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[str, dict]]:
    """Yield ("FILE:LINE", record) for every non-blank line; each record must be a JSON object."""
    with open(path, encoding="utf-8") as handle:
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


def train_and_save(trainer, tokenizer, out, has_eval: bool) -> dict:
    """Train, evaluate when there is an eval set, save model and tokenizer to `out`; the metrics."""
    metrics = dict(trainer.train().metrics)
    if has_eval:
        metrics.update(trainer.evaluate())
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    return metrics
