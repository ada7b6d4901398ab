"""Load the section-tagging dev set (sections.jsonl) or tuning set (tuning.jsonl): ids + offsets, text
resolved from the shared data.

The project stores no source text; each item points into /work/shared (see NOTES.md).
Run ``python -m models.devset.load`` from the project root to validate the set and print counts.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from pathlib import Path

SECTIONS = Path(__file__).with_name("sections.jsonl")
# The tuning set: other real sections, labelled the same way, for design choices (never the dev set).
TUNING = Path(__file__).with_name("tuning.jsonl")
DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def _read_raw(root: Path, doc: str) -> str:
    # posts: doc is relative to shared/ (seed/...) or to shared/data/ (finews/...)
    for p in (root / doc, root / "data" / doc):
        if p.is_file():
            return p.read_bytes().decode("utf-8")  # no newline translation: offsets are exact
    raise FileNotFoundError(f"dev set source post not found: {doc} (looked under {root} and {root / 'data'})")


def _index(root: Path, dataset: str, cache: dict) -> dict:
    if dataset not in cache:
        folder = root / "data" / dataset
        files = sorted(folder.glob("*.jsonl"))
        if not files:
            raise FileNotFoundError(f"dev set source data missing: no *.jsonl in {folder}")
        idx: dict = {}
        for f in files:
            with f.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        o = json.loads(line)
                        idx.setdefault(o.get("id"), o)
        cache[dataset] = idx
    return cache[dataset]


def _source_text(root: Path, item: dict, cache: dict) -> str:
    if item["field"] == "raw":
        key = ("raw", item["doc"])
        if key not in cache:
            cache[key] = _read_raw(root, item["doc"])
        return cache[key]
    rec = _index(root, item["dataset"], cache).get(item["doc"])
    if rec is None:
        raise FileNotFoundError(f"dev set item {item['id']}: doc {item['doc']!r} not found in data/{item['dataset']}")
    value = rec[item["field"]]
    return "\n".join(value) if isinstance(value, list) else value


_BLOCK = re.compile(r"</?(?:p|br|div|center|h[1-6]|li|tr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    """Post spans keep their HTML (offsets are into the raw file); a classifier sees the words only."""
    text = html.unescape(_TAG.sub("", _BLOCK.sub("\n", markup)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def load_devset(shared_root: Path | None = None, sections_file: Path | None = None) -> list[dict]:
    """Return [{id, text, heading, tags, dataset, doc}] with spans resolved from the shared data.
    `sections_file` defaults to the dev set; the tuning set (TUNING) has the same format."""
    root = Path(shared_root) if shared_root is not None else DEFAULT_SHARED
    if not (root / "data").is_dir():
        raise FileNotFoundError(
            f"dev set needs the shared data at {root / 'data'} (texts are not stored in the project); "
            "pass shared_root=... pointing at the folder that holds data/ and seed/")
    cache: dict = {}
    out = []
    with Path(sections_file or SECTIONS).open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    for it in items:
        text = _source_text(root, it, cache)
        s, e = it["start"], it["end"]
        span = text[s:e]
        if not (0 <= s < e <= len(text)) or not span.strip():
            raise ValueError(f"dev set item {it['id']}: bad span {s}:{e} (text length {len(text)})")
        if "span_sha1" in it and hashlib.sha1(span.encode("utf-8")).hexdigest()[:12] != it["span_sha1"]:
            raise ValueError(f"dev set item {it['id']}: source text changed (checksum mismatch)")
        heading = None
        if it.get("heading"):
            hs, he = it["heading"]
            if not (s <= hs < he <= e):
                raise ValueError(f"dev set item {it['id']}: heading {hs}:{he} outside span {s}:{e}")
            heading = text[hs:he]
        if it["field"] == "raw":
            # two heading lines form one heading, as the reader joins them
            span, heading = _plain(span), heading and _plain(heading).replace("\n", " ")
        out.append({"id": it["id"], "text": span, "heading": heading, "tags": list(it["tags"]),
                    "dataset": it["dataset"], "doc": it["doc"]})
    return out


if __name__ == "__main__":
    import sys

    # `python -m models.devset.load tuning` checks the tuning set; a path checks any file in the format
    arg = sys.argv[1] if len(sys.argv) > 1 else None
    items = load_devset(sections_file=TUNING if arg == "tuning" else arg)
    print(f"{len(items)} sections, {len({(i['dataset'], i['doc']) for i in items})} documents")
    for title, counter in (("primary tag", Counter(i["tags"][0] for i in items)),
                           ("any tag", Counter(t for i in items for t in i["tags"])),
                           ("dataset", Counter(i["dataset"] for i in items))):
        print(f"\nper {title}:")
        for k, v in counter.most_common():
            print(f"  {k:22s} {v}")
