"""HTML and tables for the web app. Every piece of article text goes through html.escape: a post's own
markup (even `<script>`) is shown as text, never executed or rendered."""
from __future__ import annotations

import html
from typing import Any

CSS = """
.zh-article { line-height: 1.8; font-size: 15px; }
.zh-article h4 { margin: 0.9em 0 0.3em; }
.zh-article mark.zh-hl { background: #ffe58a; padding: 0 1px; border-radius: 2px; }
.zh-tag { display: inline-block; margin: 0 4px 2px 0; padding: 0 6px; border-radius: 9px;
          background: #e6f0ff; color: #1d4ed8; font-size: 12px; font-weight: normal; }
.zh-meta { color: #666; font-size: 13px; margin-bottom: 0.6em; }
.zh-role { font-weight: 600; margin-right: 4px; }
.zh-line { color: #234; font-size: 14px; background: #f3f6fa; border-left: 3px solid #7a9cc6; padding: 2px 8px; margin: 0.3em 0 0.6em; }
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def tag_chips(tags: list[dict]) -> str:
    return "".join(f'<span class="zh-tag" title="{_e(t["id"])}">{_e(t["name"])} {float(t["score"]):.2f}</span>'
                   for t in tags)


def render_article(record: dict) -> str:
    """The article (cleaned text) with summary sentences highlighted, section headings with their tags.
    `record` is Analysis.to_dict(include_text=True)."""
    text: str = record.get("text") or ""
    spans = sorted((s["start"], s["end"]) for s in record["summary"]["sentences"]
                   if s.get("start") is not None and s.get("end") is not None and s["end"] > s["start"])
    meta = [x for x in (record.get("title"), record.get("date"), record.get("source")) if x]
    parts = ['<div class="zh-article">']
    if meta:
        parts.append(f'<div class="zh-meta">{" · ".join(_e(m) for m in meta)}</div>')
    topics = record.get("topics") or []
    if topics:
        parts.append(f'<div class="zh-meta">主题 / topics: {tag_chips(topics)}</div>')
    sections = record.get("sections") or []
    if not sections:
        parts.append(f"<p>{_highlight(text, 0, len(text), spans)}</p>")
    for section in sections:
        heading = section.get("heading")
        chips = tag_chips(section.get("tags") or [])
        if heading:
            parts.append(f"<h4>{_e(heading)} {chips}</h4>")
        elif len(sections) > 1:
            parts.append(f'<div class="zh-meta"><span class="zh-role">{_e(section_label(section))}</span> {chips}</div>')
        line = (section.get("summary") or {}).get("text")
        if line and len(sections) > 1:
            # a reader of a long report scans these one-liners first
            parts.append(f'<div class="zh-line">▸ {_e(line)}</div>')
        body = section.get("text")
        start = section["start"]
        if body is None:
            continue
        # paragraphs are the lines of the section body; find each one's offset in the document text
        cursor = start
        for line in body.split("\n"):
            if not line.strip():
                continue
            at = text.find(line, cursor)
            if at < 0:
                parts.append(f"<p>{_e(line)}</p>")
                continue
            parts.append(f"<p>{_highlight(text, at, at + len(line), spans)}</p>")
            cursor = at + len(line)
    parts.append("</div>")
    return "\n".join(parts)


def _highlight(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if e <= s or e <= pos:
            continue
        s = max(s, pos)
        out.append(_e(text[pos:s]))
        out.append(f'<mark class="zh-hl">{_e(text[s:e])}</mark>')
        pos = e
    out.append(_e(text[pos:end]))
    return "".join(out)


# the tags come right after the heading, and the widths add up to the table's width: nothing to scroll
SECTION_COLUMNS = ["#", "section", "tags (score)", "in one line", "chars"]
SECTION_WIDTHS = ["5%", "22%", "25%", "40%", "8%"]
FIGURE_COLUMNS = ["indicator", "value", "unit", "change", "period", "kind", "sentence"]
FIGURE_WIDTHS = ["17%", "8%", "8%", "14%", "10%", "7%", "36%"]
# what a section without a heading is, in the sections table and above its tags in the article
ROLE_LABELS = {"lead": "导语 · lead", "closing": "结尾 · closing", "procedural": "程式语 · formulas",
               "body": "正文 · body"}


def section_label(section: dict) -> str:
    return section.get("heading") or f"({ROLE_LABELS.get(section.get('role'), section.get('role') or '')})"


def sections_table(record: dict) -> list[list[Any]]:
    rows = []
    for s in record.get("sections") or []:
        tags = ", ".join(f'{t["name"]} {float(t["score"]):.2f}' for t in s.get("tags") or [])
        line = (s.get("summary") or {}).get("text") or ""
        rows.append([s["index"], section_label(s), tags, line, s.get("chars")])
    return rows


def figures_table(record: dict) -> list[list[Any]]:
    return [["" if k.get(c) is None else str(k.get(c)) for c in FIGURE_COLUMNS]
            for k in record.get("key_figures") or []]
