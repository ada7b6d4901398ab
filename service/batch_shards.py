"""A folder of result shards, committed by rename and named in a manifest: the batch's output when
`-o` is a folder (for archives too large for one file, and for the Ray backend's many workers).

    OUT/part-000000.jsonl   one JSON record per line, like the single-file output
    OUT/_manifest.jsonl     one line per committed shard: {"shard": NAME, "posts": N, "keys": [...]}
    OUT/errors.jsonl        the errors journal

Exactly once, whatever kills the batch: a shard is written to a temporary file, fsynced and renamed
into place, and only then named in the manifest (fsynced). A rerun trusts the manifest alone: it cuts
a torn last manifest line, deletes every shard and temporary file the manifest does not name (work
done but never committed, redone now), and skips the posts whose keys the manifest holds. Ray's own
retries are at-least-once; this commit is what makes each post appear once.
"""
from __future__ import annotations

import json
import os
import re
import time
from typing import IO

MANIFEST = "_manifest.jsonl"
ERRORS = "errors.jsonl"
_SHARD = re.compile(r"part-(\d{6,})\.jsonl\Z")


def is_folder_output(output: str) -> bool:
    """`-o OUT/` (a trailing slash) or an existing folder asks for shards."""
    return output.endswith(("/", os.sep)) or os.path.isdir(output)


class ShardedOutput:
    """The Journal's interface (open → keys done, append, close, count) over a folder of shards.

    Lines are buffered and committed as one shard every `shard_posts` posts or `commit_every_s`
    seconds, whichever comes first, and at close."""

    def __init__(self, folder: str, shard_posts: int = 1000, commit_every_s: float = 5.0,
                 log: IO[str] | None = None):
        self.folder = folder
        self.shard_posts, self.commit_every_s, self.log = shard_posts, commit_every_s, log
        self.count = 0
        self._lines: list[str] = []
        self._keys: list[int] = []
        self._next = 0
        self._last_commit = time.monotonic()
        self._manifest = None

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.folder, MANIFEST)

    def open(self) -> set[int]:
        os.makedirs(self.folder, exist_ok=True)
        done: set[int] = set()
        named = set()
        for entry in self._read_manifest():
            named.add(entry["shard"])
            done.update(int(k) for k in entry["keys"])
            self.count += int(entry["posts"])
        dropped = 0
        for name in os.listdir(self.folder):
            match = _SHARD.match(name)
            if match:
                self._next = max(self._next, int(match.group(1)) + 1)
            if (match and name not in named) or (name.startswith(".part-") and name.endswith(".tmp")):
                os.unlink(os.path.join(self.folder, name))
                dropped += 1
        if dropped and self.log is not None:
            print(f"note: {self.folder}: {dropped} uncommitted shard file(s) from an interrupted run "
                  f"removed; their posts will be redone", file=self.log, flush=True)
        self._manifest = open(self.manifest_path, "ab")
        return done

    def _read_manifest(self) -> list[dict]:
        """The committed entries; a torn last line (a kill mid-append) is cut off the file."""
        if not os.path.exists(self.manifest_path):
            return []
        entries, good_bytes = _manifest_entries(self.manifest_path)
        if good_bytes != os.path.getsize(self.manifest_path):
            with open(self.manifest_path, "r+b") as fh:
                fh.truncate(good_bytes)
                os.fsync(fh.fileno())
        return entries

    def append(self, line: str, key: int) -> None:
        self._lines.append(line)
        self._keys.append(key)
        if len(self._lines) >= self.shard_posts or time.monotonic() - self._last_commit >= self.commit_every_s:
            self.commit()

    def commit(self) -> None:
        self._last_commit = time.monotonic()
        if not self._lines:
            return
        name = f"part-{self._next:06d}.jsonl"
        self._next += 1
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write("".join(line + "\n" for line in self._lines).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, os.path.join(self.folder, name))
        entry = {"shard": name, "posts": len(self._lines), "keys": [str(k) for k in self._keys]}
        self._manifest.write(json.dumps(entry, separators=(",", ":")).encode("ascii") + b"\n")
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
        self.count += len(self._lines)
        self._lines, self._keys = [], []

    def close(self) -> None:
        if self._manifest:
            self.commit()
            self._manifest.close()
            self._manifest = None


def _manifest_entries(manifest: str) -> tuple[list[dict], int]:
    """(the complete entries of a manifest, the bytes they take): reading stops at the first line that
    is torn or not an entry, which only a kill mid-append leaves, at the end."""
    entries, good_bytes = [], 0
    with open(manifest, "rb") as fh:
        for raw in fh:
            try:
                entry = json.loads(raw) if raw.endswith(b"\n") else None
            except ValueError:
                entry = None
            if not isinstance(entry, dict) or not {"shard", "posts", "keys"} <= entry.keys():
                break
            entries.append(entry)
            good_bytes += len(raw)
    return entries, good_bytes


def shard_paths(folder: str) -> list[str]:
    """The committed shards, in order (what a reader of the folder should open)."""
    entries, _ = _manifest_entries(os.path.join(folder, MANIFEST))
    return [os.path.join(folder, entry["shard"]) for entry in entries]
