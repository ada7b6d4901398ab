"""Batch plumbing: streaming input listing, the crash-safe JSONL journal, CSV/Parquet conversion and
front-matter copies. `service.batch` drives these; nothing here imports a model.

The journal is the resumability guarantee. Results are appended one complete line at a time by a
single writer (the parent process), flushed and fsynced every second or so. A kill at any moment can
leave at most one torn line at the end; `Journal.open()` truncates it (a last line without its newline
or that is not valid JSON) and returns the keys of the posts already written, which the next run skips.
"""
from __future__ import annotations

import csv
import errno
import fnmatch
import hashlib
import json
import os
import re
import sys
import time
from typing import IO, Iterable, Iterator, NamedTuple

import yaml

from service.paths import from_fields
from service.reader.front_matter import load_yaml

FORMATS = ("jsonl", "csv", "parquet")
DEFAULT_GLOB = "*.md,*.markdown,*.txt,*.html,*.htm"


# ---------------------------------------------------------------------------------------- listing
class Item(NamedTuple):
    """One input: its path, its name relative to the folder it was found in, and the reason it
    cannot be read when the listing already knows (an escaping symlink, a loop, an unreadable folder)."""
    path: str
    relative: str
    problem: str | None = None


def iter_inputs(inputs: list[str], glob: str = DEFAULT_GLOB, stdin: IO[str] | None = None,
                follow_symlinks: bool = False) -> Iterator[Item]:
    """Every post, streamed. A file is taken as is; a folder is walked recursively (sorted per
    directory, so the order is stable) keeping names matching `glob` (comma-separated patterns);
    `-` reads one path per line from stdin. Inside a folder, a symlink is followed only to a target
    inside that folder, unless `follow_symlinks`; what cannot be listed or read comes back as an
    Item with its problem, so that it lands in the errors file instead of being skipped silently."""
    patterns = [p.strip() for p in glob.split(",") if p.strip()] or ["*"]
    for item in inputs:
        if item == "-":
            for line in (stdin or sys.stdin):
                name = line.rstrip("\r\n")
                if name.strip():
                    yield Item(name, _relative(name))
        elif os.path.isdir(item):
            yield from _walk(os.path.realpath(item), item, item, patterns, follow_symlinks)
        else:
            yield Item(item, os.path.basename(item))


def _walk(real_root: str, root: str, folder: str, patterns: list[str], follow: bool) -> Iterator[Item]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Item(folder, os.path.relpath(folder, root), f"cannot list the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        matches = any(fnmatch.fnmatch(entry.name, p) for p in patterns)
        relative = os.path.relpath(entry.path, root)
        if entry.is_symlink():
            problem = _symlink_problem(entry.path, real_root, follow)
            to_folder = _is_dir(entry.path)
            if problem is None and to_folder:
                continue      # a folder inside the input: its posts are listed under their real path
            if problem is not None and (matches or to_folder):
                yield Item(entry.path, relative, problem)
            elif matches:
                yield Item(entry.path, relative)
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(real_root, root, entry.path, patterns, follow)
        elif matches:
            yield Item(entry.path, relative)    # FIFOs and devices too: the reader refuses them by name


def _symlink_problem(path: str, real_root: str, follow: bool) -> str | None:
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return "dangling symlink: its target does not exist"
    if follow or os.path.commonpath([target, real_root]) == real_root:
        return None
    return "symlink leaves the input folder (use --follow-symlinks to read it)"


def _is_dir(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError:
        return False


def _relative(name: str) -> str:
    rel = os.path.relpath(os.path.abspath(name))
    if rel.startswith(".."):
        rel = os.path.abspath(name).lstrip("/")
    return rel


def path_key(path: str | bytes) -> int:
    """Compact identity of an input path (8 bytes of BLAKE2b of its absolute path's bytes): 100,000
    posts cost a few MB of skip set, not the paths themselves."""
    digest = hashlib.blake2b(os.fsencode(os.path.abspath(path)), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# ---------------------------------------------------------------------------------------- journal
class Journal:
    """An append-only JSONL file written by one process; crash-safe and resumable."""

    def __init__(self, filename: str, sync_every_s: float = 1.0, log: IO[str] | None = None):
        self.filename = filename
        self.sync_every_s = sync_every_s
        self.log = log
        self._fh = None
        self._last_sync = 0.0
        self.count = 0

    def open(self) -> set[int]:
        """Repair the file, open it for appending, and return the keys of the posts already there.

        A torn last line (a kill mid-write) is cut off. A line that is not a record anywhere else
        (a disk or an editor damaged it) is moved to `<journal>.corrupt`, reported, and its post is
        redone; every good record is kept."""
        done: set[int] = set()
        os.makedirs(os.path.dirname(os.path.abspath(self.filename)), exist_ok=True)
        if os.path.exists(self.filename):
            good, bad, torn = self._scan(done)
            if bad:
                self._drop_bad_lines(good, bad)
            elif torn is not None:
                with open(self.filename, "r+b") as fh:
                    fh.truncate(torn)
                    fh.flush()
                    os.fsync(fh.fileno())
        self.count = len(done)
        self._fh = open(self.filename, "ab")
        return done

    def _scan(self, done: set[int]) -> tuple[list[tuple[int, int]], list[tuple[int, bytes]], int | None]:
        """(spans of good lines, (line number, bytes) of bad ones, offset of a torn tail or None)."""
        good: list[tuple[int, int]] = []
        bad: list[tuple[int, bytes]] = []
        torn = None
        offset = 0
        with open(self.filename, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                start, offset = offset, offset + len(raw)
                record = _record(raw)
                if record is not None and raw.endswith(b"\n"):
                    good.append((start, offset))
                    key = record_key(record)
                    if key is not None:
                        done.add(key)
                elif raw.endswith(b"\n"):
                    bad.append((number, raw))
                else:
                    torn = start        # the last line, without its newline: cut off
        return good, bad, torn

    def _drop_bad_lines(self, good: list[tuple[int, int]], bad: list[tuple[int, bytes]]) -> None:
        with open(self.filename + ".corrupt", "ab") as fh:
            for _, raw in bad:
                fh.write(raw)
        with open(self.filename, "rb") as src, _atomic(self.filename, "wb") as dst:
            for start, end in good:
                src.seek(start)
                dst.write(src.read(end - start))
        numbers = ", ".join(str(n) for n, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
        if self.log is not None:
            print(f"warning: {self.filename}: {len(bad)} damaged line(s) (line {numbers}) moved to "
                  f"{self.filename}.corrupt; {len(good)} good records kept; those posts will be redone",
                  file=self.log, flush=True)

    def append(self, line: str, key: int | None = None) -> None:
        """Append one record, already serialised as a single JSON line (no newline inside). `key`
        (its post's path_key) is for the sharded output's manifest; the journal reads it from the line."""
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


def _record(raw: bytes) -> dict | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def record_key(record: dict) -> int | None:
    """The path_key of the post a journal or errors record was written for."""
    name = from_fields(record)
    return None if name is None else path_key(name)


class OutputLock:
    """An exclusive lock beside the output, so that two batches never write the same files.
    Held with flock: it goes away with the process, even after kill -9."""

    def __init__(self, output: str):
        self.filename = os.path.join(os.path.dirname(os.path.abspath(output)),
                                     "." + os.path.basename(output) + ".lock")
        self._fh = None

    def __enter__(self) -> "OutputLock":
        import fcntl

        os.makedirs(os.path.dirname(self.filename), exist_ok=True)
        fh = open(self.filename, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise OutputBusy(f"another batch (pid {holder}) is writing to this output; wait for it "
                             f"to finish or choose another -o (lock: {self.filename})") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None


class OutputBusy(RuntimeError):
    """Another batch holds the output's lock."""


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
    with _atomic(filename, "wb") as fh, pq.ParquetWriter(fh, schema) as writer:
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
            loaded = load_yaml(header)
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
    with _atomic(filename, "wb") as fh:
        fh.write(data)


class _atomic:
    """Context manager: a file written to `.NAME.tmp` beside it and renamed over it on success.

    The temporary name is fixed, not random: the output lock makes this process its only writer, so
    a partial file left by a kill is overwritten (and renamed away) by the next run instead of
    piling up. It is created with mode 0666 less the umask, like any file the user writes."""

    def __init__(self, filename: str, mode: str = "w", **kwargs):
        self.filename, self.mode, self.kwargs = filename, mode, kwargs

    def __enter__(self) -> IO:
        directory, base = os.path.split(os.path.abspath(self.filename))
        self.tmp = os.path.join(directory, "." + base + ".tmp")
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        self.fh = os.fdopen(fd, self.mode, **self.kwargs)
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
        finally:
            self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.filename)
        else:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
        return False
