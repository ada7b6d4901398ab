"""Cleaned blocks to sections: which lines are headings, where sections start, which is the lead and
which paragraph is the closing.

Headings. A block is a heading candidate when it is
  * an <h1>–<h6> or Markdown `#` heading (≤ 100 chars);
  * entirely <strong>/<b>/**bold**, ≤ 40 chars, without sentence-final punctuation;
  * numbered (一、 （一） 1. 第一， 第一章 ① …), ≤ 60 chars, without sentence-final punctuation inside;
  * a plain short line: ≤ 30 chars, no sentence-final punctuation (。！？；… and ASCII forms), not
    ending in a comma or colon (各位代表： is a salutation, not a heading).
A candidate is only a heading when body text follows it. Up to three candidate lines in a row form one
heading, joined by a space (the seed's `聚焦主责主业` / `产业规模做大做强`); a longer run is a list, not a
heading (only its last line may head the text after it, if it has heading markup or a number).
Numbered paragraphs whose first sentence is short (gov reports' `（一）着力稳定宏观经济大盘。去年…`) give
that sentence as the heading, when at least two paragraphs of the post are written that way.
A plain candidate alone on the first line of a post without a front-matter title is the post's title
(a pasted article starts with its title); cut from a line at 　　 (核心观点　　…) it is a heading.

Sections. Paragraphs before the first heading form the lead (heading None, role "lead"); each heading
starts a "body" section. A post without headings gets: the first paragraph as the lead, then the rest
as one body section when short (≤ 4 paragraphs or ≤ 1,200 chars), else body sections of consecutive
paragraphs of about 800 chars each (a final group under 300 chars joins the one before).

Closing. When the post has at least three paragraphs and its last paragraph looks forward (starts with
a year, 今年/明年/下一步/今后/未来/展望/接下来… and says 将/要/继续/力争/计划…), and the section holding it
has other paragraphs, that paragraph becomes its own section: heading None, role "closing".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.punctuation import CLAUSE_MARKS, ELLIPSIS, SEMICOLON, SENTENCE_END, char_class
from service.reader.body import Block
from service.reader.procedural import split_procedural

_FINAL_PUNCT = re.compile(char_class(SENTENCE_END, SEMICOLON, ELLIPSIS))
_TRAILING_HEADING_PUNCT = " 　" + SENTENCE_END + CLAUSE_MARKS
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百]+\s*[）)]"
    r"|第[一二三四五六七八九十百零〇\d]+\s*[篇编章节部分条]|第[一二三四五六七八九十]+\s*[，,、]"
    r"|[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[、．]|\d{1,2}\.(?!\d)|[①-⑳])"
)
# Markers used for "heading sentence + paragraph" in one line; digit lists (1. …) stay lists.
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|第[一二三四五六七八九十]+[，,、])")
_FIRST_SENTENCE = re.compile("^" + char_class(SENTENCE_END, SEMICOLON, "\n", negate=True) + "{2,40}?"
                             + char_class(SENTENCE_END, SEMICOLON))
_CLOSING_CUE = re.compile(
    r"^(?:(?:(?:19|20)\d{2})年|今年|明年|新的一年|下一步|下一阶段|下阶段|今后|未来|展望|接下来|面向未来|站在新的起点|"
    r"[^。！？，]{0,12}(?:下一步|今后|展望未来|接下来|下一阶段))"
)
_FUTURE = re.compile(r"将|要|继续|力争|计划|预计|有望|进一步|着力|努力|争取|目标")
_YEAR = re.compile(r"^((?:19|20)\d{2})年")

MAX_PLAIN_HEADING = 30
MAX_STRONG_HEADING = 40
MAX_NUMBERED_HEADING = 60
MAX_MARKUP_HEADING = 100
MAX_MERGED_HEADING_LINES = 3
SHORT_POST_PARAGRAPHS = 4
SHORT_POST_CHARS = 1200
GROUP_CHARS = 800
MIN_LAST_GROUP_CHARS = 300


@dataclass
class SectionPlan:
    headings: list[str] = field(default_factory=list)   # heading lines as they appear in the text
    paragraphs: list[str] = field(default_factory=list)
    role: str = "body"

    @property
    def heading(self) -> str | None:
        if not self.headings:
            return None
        return " ".join(h.strip(_TRAILING_HEADING_PUNCT) or h for h in self.headings)


@dataclass
class _Line:
    text: str
    kind: str | None   # None (paragraph), "plain", "strong", "numbered", "markup"


def plan_sections(blocks: list[Block], title: str | None = None, year: int | None = None
                  ) -> tuple[list[SectionPlan], str | None]:
    """(sections, title inferred from the first line or None)."""
    own_line = bool(blocks) and not blocks[0].piece
    lines = _split_numbered_paragraphs([_Line(b.text, _candidate_kind(b)) for b in blocks])
    if _hard_wrapped(lines):
        lines = [_Line(l.text, None) if l.kind == "plain" else l for l in lines]
    _drop_fragment_headings(lines)
    inferred = None
    if lines and title and _same_text(lines[0].text, title):
        lines = lines[1:]
    elif lines and not title and own_line and lines[0].kind == "plain" and _body_follows(lines, 1):
        inferred = lines[0].text
        lines = lines[1:]
    sections = _group(lines)
    if not any(s.headings for s in sections):
        sections = _sections_without_headings([p for s in sections for p in s.paragraphs])
    elif sections and not sections[0].headings:
        sections[0].role = "lead"
    _split_closing(sections, year)
    return split_procedural([s for s in sections if s.paragraphs]), inferred


def _candidate_kind(block: Block) -> str | None:
    text = block.text
    n = len(text)
    if block.heading_level is not None:
        return "markup" if n <= MAX_MARKUP_HEADING else None
    if _FINAL_PUNCT.search(text):
        return None
    if block.strong_only and n <= MAX_STRONG_HEADING:
        return "strong"
    if _NUMBERED.match(text):
        return "numbered" if n <= MAX_NUMBERED_HEADING else None
    if n <= MAX_PLAIN_HEADING and text[-1] not in "，,：:、" and not block.quote and _has_words(text):
        return "plain"
    return None


def _hard_wrapped(lines: list[_Line]) -> bool:
    """Text whose long lines often lack sentence-final punctuation (PDF extractions, wrapped lines):
    short lines there are fragments, not headings, so plain heading detection is switched off."""
    long_lines = [l.text for l in lines if len(l.text) > MAX_PLAIN_HEADING]
    unended = sum(1 for t in long_lines if not _FINAL_PUNCT.search(t[-3:]))
    return unended >= 3 and unended > 0.2 * len(long_lines)


def _drop_fragment_headings(lines: list[_Line]) -> None:
    """A short plain line after a line that stops mid-sentence (，、“《…) continues it; not a heading."""
    for i in range(1, len(lines)):
        if lines[i].kind == "plain" and lines[i - 1].text[-1] in "，,、“《（(—":
            lines[i].kind = None


def _has_words(text: str) -> bool:
    return sum(1 for ch in text if ch.isalpha()) >= 2


def _split_numbered_paragraphs(lines: list[_Line]) -> list[_Line]:
    """（一）短标题。正文… → a numbered heading line and its paragraph, when the post does it twice."""
    hits = []
    for i, line in enumerate(lines):
        if line.kind is None and _SECTION_NUMBER.match(line.text):
            m = _FIRST_SENTENCE.match(line.text)
            if m and len(line.text) - m.end() >= 20:
                hits.append((i, m.end()))
    if len(hits) < 2:
        return lines
    out = list(lines)
    for i, cut in reversed(hits):
        text = lines[i].text
        out[i:i + 1] = [_Line(text[:cut], "numbered"), _Line(text[cut:].strip(), None)]
    return out


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\s+", "", s)
    return norm(a) == norm(b)


def _body_follows(lines: list[_Line], i: int) -> bool:
    return i < len(lines) and lines[i].kind is None


def _group(lines: list[_Line]) -> list[SectionPlan]:
    sections = [SectionPlan()]
    i = 0
    while i < len(lines):
        if lines[i].kind is None:
            sections[-1].paragraphs.append(lines[i].text)
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].kind is not None:
            j += 1
        run = lines[i:j]
        heading: list[_Line] = []
        if j < len(lines):                       # body text follows the run
            if len(run) <= MAX_MERGED_HEADING_LINES:
                heading = run
            elif run[-1].kind != "plain":
                heading = run[-1:]
        for line in run[:len(run) - len(heading)]:
            sections[-1].paragraphs.append(line.text)
        if heading:
            sections.append(SectionPlan(headings=[h.text for h in heading]))
        i = j
    return sections if sections[0].paragraphs or len(sections) == 1 else sections[1:]


def _sections_without_headings(paragraphs: list[str]) -> list[SectionPlan]:
    if not paragraphs:
        return []
    sections = [SectionPlan(paragraphs=paragraphs[:1], role="lead")]
    rest = paragraphs[1:]
    if not rest:
        return sections
    if len(rest) <= SHORT_POST_PARAGRAPHS or sum(map(len, rest)) <= SHORT_POST_CHARS:
        return sections + [SectionPlan(paragraphs=rest)]
    groups: list[list[str]] = [[]]
    size = 0
    for p in rest:
        if size >= GROUP_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(p)
        size += len(p)
    if len(groups) > 1 and size < MIN_LAST_GROUP_CHARS:
        groups[-2].extend(groups.pop())
    return sections + [SectionPlan(paragraphs=g) for g in groups]


def is_forward_looking(paragraph: str, year: int | None = None) -> bool:
    if not _CLOSING_CUE.match(paragraph) or not _FUTURE.search(paragraph[:80]):
        return False
    m = _YEAR.match(paragraph)
    return not (m and year and int(m.group(1)) < year)


def _split_closing(sections: list[SectionPlan], year: int | None) -> None:
    if not sections or sum(len(s.paragraphs) for s in sections) < 3:
        return
    last = sections[-1]
    if last.role == "lead" or len(last.paragraphs) < 2:
        return
    if is_forward_looking(last.paragraphs[-1], year):
        sections.append(SectionPlan(paragraphs=[last.paragraphs.pop()], role="closing"))
