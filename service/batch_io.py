"""Batch plumbing: streaming input listing, the crash-safe JSONL journal, CSV/Parquet conversion and
front-matter copies. `service.batch` drives these; nothing here imports a model.

The journal is the resumability guarantee. Results are appended one complete line at a time by a
single writer (the parent process), flushed and fsynced every second or so. A kill at any moment can
leave at most one torn line at the end; `Journal.open()` truncates it (a last line without its newline
or that is not valid JSON) and returns the keys of the posts already written, which the next run skips.
"""
from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from typing import IO, Iterable, Iterator

import yaml

FORMATS = ("jsonl", "csv", "parquet")
DEFAULT_GLOB = "*.md,*.markdown,*.txt,*.html,*.htm"


# ---------------------------------------------------------------------------------------- listing
def iter_inputs(inputs: list[str], glob: str = DEFAULT_GLOB, stdin: IO[str] | None = None) -> Iterator[tuple[str, str]]:
    """(path, relative name) for every post, streamed. A file is taken as is; a folder is walked
    recursively (sorted per directory, so the order is stable) keeping names matching `glob`
    (comma-separated patterns); `-` reads one path per line from stdin."""
    patterns = [p.strip() for p in glob.split(",") if p.strip()] or ["*"]
    for item in inputs:
        if item == "-":
            for line in (stdin or sys.stdin):
                name = line.rstrip("\r\n")
                if name.strip():
                    yield name, _relative(name)
        elif os.path.isdir(item):
            yield from _walk(item, item, patterns)
        else:
            yield item, os.path.basename(item)


def _walk(root: str, folder: str, patterns: list[str]) -> Iterator[tuple[str, str]]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(root, entry.path, patterns)
        elif entry.is_file() and any(fnmatch.fnmatch(entry.name, p) for p in patterns):
            yield entry.path, os.path.relpath(entry.path, root)


def _relative(name: str) -> str:
    rel = os.path.relpath(os.path.abspath(name))
    if rel.startswith(".."):
        rel = os.path.abspath(name).lstrip("/")
    return rel


def path_key(path: str) -> int:
    """Compact identity of an input path (8 bytes of BLAKE2b of its absolute path): 100,000 posts
    cost a few MB of skip set, not the paths themselves."""
    digest = hashlib.blake2b(os.path.abspath(path).encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# ---------------------------------------------------------------------------------------- journal
class Journal:
    """An append-only JSONL file written by one process; crash-safe and resumable."""

    def __init__(self, filename: str, sync_every_s: float = 1.0):
        self.filename = filename
        self.sync_every_s = sync_every_s
        self._fh = None
        self._last_sync = 0.0
        self.count = 0

    def open(self, key_field: str = "path") -> set[int]:
        """Repair a torn tail, open for appending, and return the keys of the records already there."""
        done: set[int] = set()
        parent = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(parent, exist_ok=True)
        if os.path.exists(self.filename):
            good_end = 0
            with open(self.filename, "rb") as fh:
                offset = 0
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break                       # torn last line (killed mid-write)
                    try:
                        record = json.loads(raw)
                    except ValueError:
                        break                       # a torn line can only be the last one
                    offset += len(raw)
                    good_end = offset
                    if isinstance(record, dict) and record.get(key_field) is not None:
                        done.add(path_key(record[key_field]))
            if good_end != os.path.getsize(self.filename):
                with open(self.filename, "r+b") as fh:
                    fh.truncate(good_end)
                    fh.flush()
                    os.fsync(fh.fileno())
        self.count = len(done)
        self._fh = open(self.filename, "ab")
        return done

    def append(self, line: str) -> None:
        """Append one record, already serialised as a single JSON line (no newline inside)."""
        self._fh.write(line.encode("utf-8") + b"\n")
        self._fh.flush()            # the line reaches the file now; fsync below bounds OS-crash loss
        self.count += 1
        now = time.monotonic()
        if now - self._last_sync >= self.sync_every_s:
            self.sync()
            self._last_sync = now

    def sync(self) -> None:
        if self._fh:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh:
            self.sync()
            self._fh.close()
            self._fh = None


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def iter_jsonl(filename: str) -> Iterator[dict]:
    with open(filename, "rb") as fh:
        for raw in fh:
            if raw.strip():
                yield json.loads(raw)


def rewrite_without(filename: str, drop_key_field: str = "path") -> int:
    """Empty an errors journal (atomically) so that its posts are tried again; returns how many."""
    if not os.path.exists(filename):
        return 0
    n = sum(1 for _ in iter_jsonl(filename))
    _atomic_write_bytes(filename, b"")
    return n


# ---------------------------------------------------------------------------------------- formats
CSV_COLUMNS = ["path", "title", "date", "categories", "tags", "source", "source_url", "summary",
               "summary_engine", "topics", "section_headings", "section_tags", "key_figures",
               "chars", "total_ms"]


def flat_row(record: dict) -> dict:
    """One CSV row for an Analysis.to_dict() record: lists joined with ' | ', nested parts as JSON."""
    sections = record.get("sections") or []
    return {
        "path": record.get("path"),
        "title": record.get("title"),
        "date": record.get("date"),
        "categories": " | ".join(record.get("categories") or []),
        "tags": " | ".join(record.get("tags") or []),
        "source": record.get("source"),
        "source_url": record.get("source_url"),
        "summary": (record.get("summary") or {}).get("text"),
        "summary_engine": (record.get("summary") or {}).get("engine"),
        "topics": " | ".join(t["name"] for t in record.get("topics") or []),
        "section_headings": " | ".join(s.get("heading") or "" for s in sections),
        "section_tags": " | ".join(",".join(t["name"] for t in s.get("tags") or []) for s in sections),
        "key_figures": json.dumps(record.get("key_figures") or [], ensure_ascii=False),
        "chars": record.get("chars"),
        "total_ms": (record.get("timings_ms") or {}).get("total"),
    }


def write_csv(records: Iterable[dict], filename: str) -> int:
    """Stream records into a CSV (UTF-8 with BOM so spreadsheet programs read the Chinese); atomic."""
    n = 0
    with _atomic(filename, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow(flat_row(record))
            n += 1
    return n


def write_parquet(records: Iterable[dict], filename: str, row_group: int = 2000) -> int:
    """Stream records into Parquet in row groups (flat scalar columns plus nested `sections`,
    `summary_sentences` and `key_figures` kept as JSON strings, so the schema never varies); atomic."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in CSV_COLUMNS if c not in ("chars", "total_ms")]
                       + [("chars", pa.int64()), ("total_ms", pa.float64()),
                          ("sections", pa.string()), ("summary_sentences", pa.string())])
    n = 0
    directory = os.path.dirname(os.path.abspath(filename))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=directory)
    os.close(fd)
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            batch: list[dict] = []
            for record in records:
                row = flat_row(record)
                row["sections"] = json.dumps(record.get("sections") or [], ensure_ascii=False)
                row["summary_sentences"] = json.dumps((record.get("summary") or {}).get("sentences") or [],
                                                      ensure_ascii=False)
                batch.append(row)
                n += 1
                if len(batch) >= row_group:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch or n == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        os.replace(tmp, filename)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return n


# ----------------------------------------------------------------------------- front-matter copy
_FM_OPEN = re.compile(r"\A[ \t]*---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def with_front_matter(text: str, summary: str, tags: list[str]) -> str:
    """The post with `summary:` and `tags:` set in its YAML front matter (added when it has none).
    Other front-matter lines are kept byte for byte; existing `tags` are kept and the new ones added
    after them; an existing `summary` is replaced."""
    header, body = "", text
    opening = _FM_OPEN.match(text)
    if opening:
        closing = _FM_CLOSE.search(text, opening.end())
        if closing:
            header = text[opening.end():closing.start()]
            body = text[closing.end():].lstrip("\n") if closing.end() < len(text) else ""
    old: dict = {}
    if header:
        try:
            loaded = yaml.safe_load(header)
            old = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            old = {}
    merged_tags: list[str] = []
    previous = old.get("tags")
    if isinstance(previous, str):
        previous = [t for t in re.split(r"[\s,，、]+", previous) if t]
    for tag in list(previous or []) + list(tags):
        if str(tag) not in merged_tags:
            merged_tags.append(str(tag))
    kept = _drop_keys(header, {"summary", "tags"})
    added = yaml.safe_dump({"summary": summary, "tags": merged_tags}, allow_unicode=True,
                           sort_keys=False, default_flow_style=None, width=10 ** 6)
    return "---\n" + kept + added + "---\n" + body


def _drop_keys(header: str, keys: set[str]) -> str:
    """Front-matter lines without the top-level `keys` (and their indented/list continuation lines)."""
    out, skipping = [], False
    for line in header.splitlines(keepends=True):
        top = _TOP_KEY.match(line)
        if top and not line[:1].isspace():
            skipping = top.group(1) in keys
        elif skipping and not (line[:1].isspace() or line.startswith("- ") or not line.strip()):
            skipping = False
        if not skipping:
            out.append(line)
    text = "".join(out)
    return text if not text or text.endswith("\n") else text + "\n"


def write_copy(directory: str, relative: str, text: str) -> str:
    """Write `text` to directory/relative atomically (temp file + rename); returns the path."""
    relative = relative.lstrip("/").replace("..", "__")
    target = os.path.join(directory, relative)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    _atomic_write_bytes(target, text.encode("utf-8"))
    return target


# ---------------------------------------------------------------------------------------- helpers
def _atomic_write_bytes(filename: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(filename))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, filename)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _atomic:
    """Context manager: a text file written to a temp name and renamed over `filename` on success."""

    def __init__(self, filename: str, mode: str = "w", **kwargs):
        self.filename, self.mode, self.kwargs = filename, mode, kwargs

    def __enter__(self) -> io.TextIOBase:
        directory = os.path.dirname(os.path.abspath(self.filename))
        fd, self.tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        self.fh = os.fdopen(fd, self.mode, **self.kwargs)
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.filename)
        else:
            os.unlink(self.tmp)
        return False
