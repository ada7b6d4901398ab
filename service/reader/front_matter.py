"""Jekyll/Hexo YAML front matter: `---` on the first line, YAML, then `---` (or `...`).

Parsed with PyYAML's safe loader (no code execution), bounded as hardened YAML loaders are: aliases
may not refer to themselves, and the document, aliases expanded, may hold at most MAX_NODES nodes
nested at most MAX_DEPTH deep. A "billion laughs" alias bomb or a 10,000-deep nesting is then a
ReadError after a few KB of work, not gigabytes or a RecursionError. title, date, categories and tags
become Document fields; every other key is kept in `metadata` (dates there become ISO strings so the
metadata stays JSON-serialisable). Malformed YAML is a ReadError that says so.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from service.document import ReadError

_OPEN = re.compile(r"\A[ \t]*---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_LIST_SPLIT = re.compile(r"[\s,，、]+")
# Date strings as people write them: 2022-02-21 06:01:08 +0800, 2021-12-08T12:05, 2022/2/21, 2022年2月21日
_DATE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


# Real front matter holds tens of nodes; these bounds leave room for long tag lists.
MAX_NODES = 10_000
MAX_DEPTH = 64


class _TooComplex(yaml.YAMLError):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts every node as it would be expanded, refusing past the bounds."""

    def __init__(self, stream):
        super().__init__(stream)
        self._expanded: dict[int, int] = {}     # id(node) -> its size with aliases expanded
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            node = self.anchors.get(anchor)
            if node is not None and id(node) not in self._expanded:
                raise _TooComplex(f"alias *{anchor} refers to the node that contains it")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooComplex(f"nested deeper than {MAX_DEPTH} levels")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._expanded[id(child)] for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._expanded[id(k)] + self._expanded[id(v)] for k, v in node.value)
        if size > MAX_NODES:
            raise _TooComplex(f"more than {MAX_NODES:,} values once its aliases are expanded")
        self._expanded[id(node)] = size
        return node


def load_yaml(raw: str) -> Any:
    """yaml.safe_load within the bounds above; raises yaml.YAMLError (also when past them)."""
    return yaml.load(raw, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass


@dataclass
class FrontMatter:
    title: str | None = None
    date: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def split_front_matter(text: str, where: str | None = None) -> tuple[FrontMatter | None, str]:
    """(front matter or None, the body after it). Only a post whose first line is `---` has one."""
    opening = _OPEN.match(text)
    if not opening:
        return None, text
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        raise ReadError(where, "malformed front matter: no closing '---' line")
    raw = text[opening.end():closing.start()]
    body = text[closing.end():]
    try:
        data = load_yaml(raw)
    except _TooComplex as exc:
        raise ReadError(where, f"front matter refused: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(where, f"malformed YAML front matter{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(where, f"malformed front matter: expected key: value pairs, got {type(data).__name__}")
    return _interpret(data), body


def _interpret(data: dict) -> FrontMatter:
    fm = FrontMatter()
    rest = {str(k): _plain(v) for k, v in data.items()}
    title = rest.pop("title", None)
    fm.title = str(title).strip() or None if title is not None else None
    raw_date = rest.pop("date", None)
    fm.date = normalize_date(raw_date)
    if fm.date is None and raw_date not in (None, "") and str(raw_date).strip():
        rest["date_raw"] = str(raw_date)
    fm.categories = _as_list(rest.pop("categories", None)) + _as_list(rest.pop("category", None))
    fm.tags = _as_list(rest.pop("tags", None)) + _as_list(rest.pop("tag", None))
    fm.metadata = rest
    return fm


def normalize_date(value: Any) -> str | None:
    """ISO 8601 string for a front-matter date, or None when there is no recognisable date."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return None
    m = _DATE.match(str(value))
    if not m:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day)).isoformat()
        tz = None
        if zone == "Z":
            tz = dt.timezone.utc
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                           tzinfo=tz).isoformat()
    except ValueError:
        return None   # e.g. month 13


def _as_list(value: Any) -> list[str]:
    # Jekyll accepts "categories: a b" as well as a YAML list.
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part for part in _LIST_SPLIT.split(str(value)) if part]


def _plain(value: Any) -> Any:
    """Dates to ISO strings, recursively, so metadata can be written as JSON."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
