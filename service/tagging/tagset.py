"""Tag sets: the built-in taxonomy (taxonomy.yaml next to this file) and users' own YAML/JSON tag files.

A tag file (YAML or JSON) is a mapping with a `tags` list, or just that list:

    name: my-tags                 # optional
    other: other                  # optional: the fallback tag id (default "other"; added if missing)
    labelled: labelled.jsonl      # optional: more labelled texts, JSONL {"text", "tags": [...]} (path
                                  # relative to the tag file); the zero-shot engine learns from them
    tags:
      - id: policy                # required, unique
        name: 政策                # optional (defaults to id)
        description: 政府出台的…   # optional but strongly recommended (zero-shot matches against it)
        examples:                 # optional: a few example sentences that belong to this tag
          - 国务院发布…

Errors raise TagSetError (a ValueError) naming the file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

BUILTIN_PATH = Path(__file__).resolve().parent / "taxonomy.yaml"
OTHER_ID = "other"


class TagSetError(ValueError):
    """A tag file that cannot be read or is malformed (the message names the file)."""


@dataclass(frozen=True)
class TagDef:
    id: str
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass
class TagSet:
    tags: list[TagDef]
    name: str = "custom"
    other: str = OTHER_ID
    source: str | None = None
    # extra labelled texts (text, tag ids) beyond the per-tag examples
    labelled: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    # ---------- access ----------
    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tags]

    def __len__(self) -> int:
        return len(self.tags)

    def __iter__(self):
        return iter(self.tags)

    def __getitem__(self, tag_id: str) -> TagDef:
        for t in self.tags:
            if t.id == tag_id:
                return t
        raise KeyError(tag_id)

    def __contains__(self, tag_id: str) -> bool:
        return any(t.id == tag_id for t in self.tags)

    def name_of(self, tag_id: str) -> str:
        return self[tag_id].name if tag_id in self else tag_id

    @property
    def topical(self) -> list[TagDef]:
        """All tags except the fallback one."""
        return [t for t in self.tags if t.id != self.other]

    def examples(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every labelled text this tag set carries: per-tag examples, then the `labelled` list."""
        out = [(ex, (t.id,)) for t in self.tags for ex in t.examples]
        return out + list(self.labelled)

    def fingerprint(self) -> str:
        import hashlib

        payload = json.dumps([[t.id, t.name, t.description, list(t.examples)] for t in self.tags]
                             + [[x, list(y)] for x, y in self.labelled], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    # ---------- construction ----------
    @classmethod
    def builtin(cls) -> "TagSet":
        return _builtin()

    @classmethod
    def load(cls, source) -> "TagSet":
        """A TagSet from a path (YAML or JSON), a TagSet (returned as is), or None (the built-in one)."""
        if source is None:
            return _builtin()
        if isinstance(source, TagSet):
            return source
        if isinstance(source, dict):
            return cls.from_dict(source, origin="<dict>")
        path = Path(source)
        if not path.is_file():
            raise TagSetError(f"tag file {str(path)!r} not found")
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TagSetError(f"tag file {str(path)!r} cannot be read: {exc}") from exc
        data = _parse(raw, path)
        return cls.from_dict(data, origin=str(path), base_dir=path.parent)

    @classmethod
    def from_dict(cls, data, origin: str = "<dict>", base_dir: Path | None = None) -> "TagSet":
        def fail(msg: str):
            raise TagSetError(f"tag file {origin!r}: {msg}")

        if isinstance(data, list):
            data = {"tags": data}
        if not isinstance(data, dict):
            fail("expected a mapping with a 'tags' list (or a list of tags)")
        items = data.get("tags")
        if not isinstance(items, list) or not items:
            fail("'tags' must be a non-empty list")
        other = str(data.get("other") or OTHER_ID)
        tags: list[TagDef] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict):
                fail(f"tag #{i + 1} must be a mapping with at least an 'id'")
            tag_id = item.get("id")
            if tag_id is None or not str(tag_id).strip():
                fail(f"tag #{i + 1} has no 'id'")
            tag_id = str(tag_id).strip()
            if tag_id in seen:
                fail(f"duplicate tag id {tag_id!r}")
            seen.add(tag_id)
            examples = item.get("examples") or []
            if isinstance(examples, str):
                examples = [examples]
            if not isinstance(examples, list) or not all(isinstance(e, (str, int, float)) for e in examples):
                fail(f"tag {tag_id!r}: 'examples' must be a list of strings")
            description = item.get("description") or ""
            if not isinstance(description, str):
                fail(f"tag {tag_id!r}: 'description' must be a string")
            tags.append(TagDef(id=tag_id, name=str(item.get("name") or tag_id),
                               description=description.strip(),
                               examples=tuple(str(e).strip() for e in examples if str(e).strip())))
        if other not in seen:
            tags.append(TagDef(id=other, name="其他" if other == OTHER_ID else other,
                               description="以上都不适用"))
        labelled = _labelled(data.get("labelled"), seen | {other}, origin, base_dir, fail)
        return cls(tags=tags, name=str(data.get("name") or (Path(origin).stem if base_dir else "custom")),
                   other=other, source=origin, labelled=labelled)


def _parse(raw: str, path: Path):
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(raw)
        import yaml

        return yaml.safe_load(raw)
    except Exception as exc:  # yaml.YAMLError, json.JSONDecodeError
        kind = "JSON" if suffix == ".json" else "YAML"
        raise TagSetError(f"tag file {str(path)!r} is not valid {kind}: {exc}") from exc


def _labelled(spec, known: set[str], origin: str, base_dir: Path | None, fail):
    """Optional extra labelled texts: an inline list or a JSONL path (relative to the tag file)."""
    if not spec:
        return []
    rows = spec
    if isinstance(spec, str):
        path = Path(spec)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            fail(f"labelled file {str(path)!r} not found")
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not isinstance(rows, list):
        fail("'labelled' must be a list or a JSONL path")
    out = []
    for row in rows:
        if not isinstance(row, dict) or "text" not in row:
            fail("each labelled item needs 'text' and 'tags'")
        tags = row.get("tags") or row.get("labels") or []
        tags = [tags] if isinstance(tags, str) else list(tags)
        unknown = [t for t in tags if t not in known]
        if unknown:
            fail(f"labelled item uses unknown tag ids {unknown}")
        if tags:
            out.append((str(row["text"]), tuple(tags)))
    return out


_BUILTIN: TagSet | None = None


def _builtin() -> TagSet:
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = TagSet.load(BUILTIN_PATH)
        _BUILTIN.name = "builtin"
    return _BUILTIN


def load_tagset(source=None) -> TagSet:
    return TagSet.load(source)


__all__ = ["TagSet", "TagDef", "TagSetError", "load_tagset", "BUILTIN_PATH", "OTHER_ID"]
