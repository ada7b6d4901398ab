"""Jekyll/Hexo YAML front matter: `---` on the first line, YAML, then `---` (or `...`).

Parsed with yaml.safe_load (a real YAML parser, no code execution). title, date, categories and tags
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
        data = yaml.safe_load(raw)
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
