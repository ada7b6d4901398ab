"""What an extractive summary may be made of: whole sentences, and runs of whole clauses inside one.

Every candidate keeps its exact offsets into `Document.text`, so `document.text[c.start:c.end] ==
c.text`. Clauses end at `，；：、` (and their ASCII forms), never inside a number (`1,000`, `3:1`), a
title in 《》 or a quotation (“…”, 「…」, （…）): those marks only count at depth 0.

Some text must never be a summary, whatever a model thinks of it. `flags()` names it:
    procedural  formulas of a report or a speech (请予审议, 现在，我代表…), editor's and platform lines
    header      a line of metadata (a date with 政府工作报告 and a site name, 发布时间, 字号…), an outline
                or a table of contents (第一章…第二章…, 一、…二、…)
    heading     a short paragraph without an end mark: a sub-heading the reader took for text
    byline      an opening credit (本报讯, 新华社北京1月1日电, 央视网消息（新闻联播）：) — the clauses after it
                are candidates of their own
    table       table residue: mostly figures and separators
    dangling    an opener that leans on a sentence left out (其…, 此前，…, 对此, 上述…, 二是…)
Selection uses clean candidates while any is left, then those flagged only `dangling` or `byline`;
the rest (formulas, headers, headings, tables) never (see `clean`, `usable`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from service.document import Document, Sentence
from service.punctuation import CLAUSE_MARKS, ELLIPSIS, SEMICOLON, SENTENCE_END
from service.reader.procedural import FORMULA

_END = SENTENCE_END + ELLIPSIS + SEMICOLON
SOFT_FLAGS = {"dangling", "byline"}
_OPEN = "《“‘「『（(【〔"
_CLOSE = "》”’」』）)】〕"
MIN_CONTENT = 4          # a candidate has at least this many letters or digits
_WORD = re.compile(r"[^\W_]")

PROCEDURAL = re.compile(
    FORMULA + r"|(?:此处|以下)有删节|点击.{0,8}(?:查看|阅读|进入)|原标题[:：]"
    r"|责任编辑|编辑[:：]|审核[:：]|校对[:：]|(?:扫码|扫描二维码)|关注.{0,8}公众号|免责声明|版权(?:所有|声明)"
    r"|转载请注明|本文(?:来源|转自)")
HEADER = re.compile(r"门户网站|发布时间|字号[:：]?\s*[大中小]|^\s*(?:来源|作者|出处)[:：]|浏览次数|打印本页|【[大中小]\s*[中小]")
# an outline or a table of contents: two or more chapter marks or enumerators in one piece
OUTLINE = re.compile(r"第[一二三四五六七八九十百零〇\d]+[章篇节编部分]|(?<![\w])[一二三四五六七八九十]+、")
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
BYLINE = re.compile(
    r"^\s*(?:（[^）]{0,30}）|【[^】]{0,30}】)?\s*(?:(?:本报|本刊|本台)(?:讯|记者[^，。]{0,12})|新华社[^，。]{0,16}电"
    r"|中新社[^，。]{0,16}电|中新网[^，。]{0,16}电|[^，。（]{0,8}(?:网|社|台|报)(?:消息|讯)(?:（[^）]{0,12}）)?"
    r"|记者[^，。]{0,12}(?:报道|获悉))\s*[:：，,]?")
DANGLING = re.compile(
    r"^\s*(?:其(?!实|他|它|余|次|中国)|此前|此外|另外|对此|为此|由此|据此|与此同时|同时|但(?:是)?(?!凡)|然而|不过"
    r"|而(?!今|后)|因此|所以|于是|这(?:一|些|个|是|也|就)?|那|该|上述|以上|他们?|她们?|它们?|并(?!购)"
    r"|还(?!款|贷)|也|又|[二三四五六七八九十]是|再次|其次|最后|同日|当日|当天|次日)")
TIME_OPENER = re.compile(r"^\s*(?:(?:\d{2,4}年)?\d{1,2}月\d{1,2}日|今年|去年|近日|日前|昨[日天]|今[日天]|本周|上周"
                         r"|目前|当地时间|近期|\d{1,2}日)")


@dataclass
class Candidate:
    text: str
    start: int            # offsets into Document.text
    end: int
    sentence: int         # index into Document.sentences
    first_clause: int     # index of its first clause in the sentence (0: starts with the sentence)
    clauses: int          # how many clauses it spans
    whole: bool           # the whole sentence
    at_sentence_end: bool
    flags: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.flags

    @property
    def usable(self) -> bool:
        """Text a summary may fall back on when nothing clean fits: never a formula, header or table."""
        return not (set(self.flags) - SOFT_FLAGS)


def content_length(text: str) -> int:
    return len(_WORD.findall(text))


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of `text`, trimmed, the closing mark (and the sentence's end mark)
    excluded; marks inside a number or inside brackets and quotes do not end a clause."""
    spans, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            depth = depth - 1 if depth > 0 and text[:i].count('"') % 2 else depth + 1
        elif ch in CLAUSE_MARKS and depth == 0 and not (0 < i < len(text) - 1 and text[i - 1].isdigit()
                                                        and text[i + 1].isdigit()):
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    out = []
    for k, (a, b) in enumerate(spans):
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or (k == len(spans) - 1 and text[b - 1] in _END)):
            b -= 1     # the sentence's end mark is not part of its last clause (a run has room for words)
        if b > a:
            out.append((a, b))
    return out


def flags(text: str, sentence: Sentence, whole_paragraph: bool, starts_sentence: bool) -> tuple[str, ...]:
    out = []
    if PROCEDURAL.search(text):
        out.append("procedural")
    if whole_paragraph and not re.search(r"[。！？!?]", text) and (
            HEADER.search(text) or (_DATE.search(text) and len(text) <= 80)):
        out.append("header")
    elif HEADER.search(text) and len(text) <= 60:
        out.append("header")
    if len(OUTLINE.findall(text)) >= 2:
        out.append("header")
    if whole_paragraph and not re.search(r"[。！？!?；;]", text) and len(text) <= 30:
        out.append("heading")        # a sub-heading the reader did not recognise as one
    if starts_sentence and BYLINE.match(text):
        out.append("byline")
    letters = content_length(text)
    digits = sum(ch.isdigit() for ch in text)
    if letters and (digits / letters > 0.6 or text.count("|") >= 2 or len(re.findall(r"\s{2,}|\t", text)) >= 3):
        out.append("table")
    if DANGLING.match(text):
        out.append("dangling")
    return tuple(out)


def sentence_candidates(document: Document, index: int, budget: int | None,
                        max_runs: int | None = None) -> list[Candidate]:
    """The whole sentence (when it fits `budget`) and every run of its clauses that fits, the whole
    sentence first. With `max_runs`, at most that many runs, the longest first."""
    s = document.sentences[index]
    paragraph_text = document.sections[s.section].paragraphs[s.paragraph].text.strip() \
        if 0 <= s.section < len(document.sections) else s.text
    whole_paragraph = paragraph_text == s.text.strip()
    out = []
    own = flags(s.text, s, whole_paragraph, True)
    if 0 <= s.section < len(document.sections) and document.sections[s.section].role == "procedural" \
            and "procedural" not in own:
        own += ("procedural",)       # the reader set the report's formulas apart
    # a formula, a header or a table row stays one in every part of it (现在，我代表市人民政府 …)
    inherited = tuple(f for f in own if f in ("procedural", "header", "table", "heading"))
    if content_length(s.text) >= MIN_CONTENT and (budget is None or len(s.text) <= budget):
        out.append(Candidate(s.text, s.start, s.end, index, 0, 0, True, True, own))
    spans = clause_spans(s.text)
    if len(spans) < 2 and out:
        return out
    runs = []
    for i, (a, _) in enumerate(spans):
        for j in range(i, len(spans)):
            b = spans[j][1]
            if budget is not None and b - a > budget:
                break
            text = s.text[a:b]
            if s.text[:a].strip() == "" and s.text[b:].strip() in ("", "。", "！", "？", "!", "?", "…"):
                continue       # the whole sentence (less its end mark) is not a part of it
            if content_length(text) < MIN_CONTENT:
                continue
            found = flags(text, s, False, i == 0)
            runs.append(Candidate(text, s.start + a, s.start + b, index, i, j - i + 1, False, j == len(spans) - 1,
                                  found + tuple(f for f in inherited if f not in found)))
    if max_runs is not None and len(runs) > max_runs:
        runs = sorted(runs, key=lambda c: -(c.end - c.start))[:max_runs]
        runs.sort(key=lambda c: (c.start, c.end))
    return out + runs


def whole_sentences(document: Document) -> list[Candidate]:
    """Every sentence as a candidate, whatever its length (for ranking sentences before their clauses)."""
    out = []
    for index, s in enumerate(document.sentences):
        if content_length(s.text) < MIN_CONTENT:
            continue
        paragraph = document.sections[s.section].paragraphs[s.paragraph].text.strip()
        out.append(Candidate(s.text, s.start, s.end, index, 0, 0, True, True,
                             flags(s.text, s, paragraph == s.text.strip(), True)))
    return out
