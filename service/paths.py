"""File names as the outputs write them.

POSIX file names are bytes. Python turns the bytes that are not UTF-8 into lone surrogates, which no
UTF-8 file (JSONL, CSV, Parquet) can hold. Every surface therefore writes `printable(path)`, with
such bytes shown as `\\xff`, and the batch adds the exact bytes (`path_bytes`, hex) when the two
differ, so no name is lost and a resumed run still recognises the post.
"""
from __future__ import annotations

import os


def raw_bytes(path: str | bytes | os.PathLike) -> bytes:
    """The file name's bytes, exactly as on disk."""
    return os.fsencode(path)


def printable(path: str | bytes | os.PathLike) -> str:
    """The file name as valid text: undecodable bytes become `\\xNN` escapes."""
    return raw_bytes(path).decode("utf-8", "backslashreplace")


def path_fields(path: str | bytes | os.PathLike) -> dict:
    """{"path": printable name} plus {"path_bytes": hex} when the name is not valid UTF-8."""
    raw = raw_bytes(path)
    fields = {"path": printable(path)}
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        fields["path_bytes"] = raw.hex()
    return fields


def from_fields(record: dict) -> bytes | None:
    """The exact file name a record was written for (see path_fields), or None."""
    if record.get("path_bytes"):
        try:
            return bytes.fromhex(record["path_bytes"])
        except ValueError:
            return None
    path = record.get("path")
    return path.encode("utf-8") if isinstance(path, str) else None
