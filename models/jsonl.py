"""JSON-lines training and evaluation files: one reader that names the file and line of a bad record."""
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
