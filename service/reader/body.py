"""Post body (HTML, Markdown or plain text) to a flat list of Blocks: one paragraph-level line each.

Jekyll posts are Markdown files that carry raw HTML, so the body is read the way kramdown reads it:
line by line at the Markdown level (`> ` quotes, `#` headings, `<http…>` autolinks, link-only
navigation lines, rules), and each run of other lines between blank lines is either HTML (when it has
tags; parsed with the stdlib html.parser) or plain/Markdown text.

Plain text: every non-empty line is a paragraph (the Chinese convention), and a run of two or more
full-width spaces (U+3000, the `　　` paragraph indent) inside a line also starts a new paragraph.

Blocks keep the markup facts later stages need (heading level, <strong>-only, quote, link-only,
URL-only, CSS classes); deciding what is boilerplate or a heading is left to boilerplate.py and
sections.py.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from service.punctuation import CLOSERS, COLON, ELLIPSIS, SEMICOLON, SENTENCE_END

# ---------------------------------------------------------------------------------------------- blocks


@dataclass
class Block:
    text: str
    heading_level: int | None = None      # <h1>-<h6> or Markdown '#'
    strong_only: bool = False             # all of its text is inside <strong>/<b>/**…**
    quote: bool = False                   # a Markdown '> ' line
    link_only: bool = False               # nothing but links and separators (navigation)
    url_only: bool = False                # an autolink <http…> or a bare URL line
    classes: frozenset[str] = field(default_factory=frozenset)   # HTML class of its <p>/<div>
    html: bool = False                    # came from HTML markup
    piece: bool = False                   # one of several paragraphs cut from one line at 　　


# ---------------------------------------------------------------------------------- Markdown level

_QUOTE = re.compile(r"^ {0,3}>\s?(.*)$")
_AUTOLINK_LINE = re.compile(r"^\s*<((?:https?|ftp)://[^>\s]*|www\.[^>\s]*|)>\s*$", re.I)
_BARE_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_LINK = r"!?\[[^\]\n]*\]\([^)\n]*\)"
_LINK_ONLY_LINE = re.compile(rf"^\s*(?:{_MD_LINK}\s*[｜|/·•]?\s*)+$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_HTML_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--)>|<!--", re.S)


def parse_body(text: str) -> list[Block]:
    """Blocks of a post body (text has LF newlines)."""
    blocks: list[Block] = []
    run: list[str] = []
    # paragraphs separated by blank lines: a single line break inside one is a soft break (wiki links)
    blank_separated = "\n\n" in text.strip()

    def flush_run() -> None:
        if run:
            chunk = "\n".join(run)
            if _HTML_TAG.search(chunk):
                blocks.extend(_html_blocks(chunk))
            else:
                blocks.extend(_plain_blocks(join_soft_breaks(run) if blank_separated else run))
            run.clear()

    for line in text.split("\n"):
        if not line.strip():
            flush_run()
            continue
        special = _markdown_line(line)
        if special is None:
            run.append(line)
            continue
        flush_run()
        if special.text or special.url_only:
            blocks.append(special)
    flush_run()
    return blocks


def _markdown_line(line: str) -> Block | None:
    """A Block for a line that means something at the Markdown level, None for ordinary content."""
    m = _AUTOLINK_LINE.match(line)
    if m:
        return Block(text=m.group(1), url_only=True)
    if _BARE_URL_LINE.match(line):
        return Block(text=line.strip(), url_only=True)
    if _RULE.match(line):
        return Block(text="")
    m = _QUOTE.match(line)
    if m and not line.lstrip().startswith(">>>"):
        inner = m.group(1)
        parts = _html_blocks(inner) if _HTML_TAG.search(inner) else _plain_blocks([inner])
        text = " ".join(b.text for b in parts)
        return Block(text=text, quote=True)
    m = _MD_HEADING.match(line)
    if m:
        return Block(text=_inline_markdown(m.group(2))[0], heading_level=len(m.group(1)))
    if _LINK_ONLY_LINE.match(line):
        return Block(text=_inline_markdown(line)[0], link_only=True)
    return None


# ------------------------------------------------------------------------------ plain and Markdown

FULLWIDTH_BREAK = re.compile(r"\u3000{2,}")   # the 　　 indent of pasted Chinese text: a paragraph break
_BULLET = re.compile(r"^\s*[-*+•]\s+")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_INLINE_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>", re.I)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
# *ST创兴 is an A-share name (a delisting-risk stock), not emphasis
_EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)(?!ST)([^*\n]+?)(?<=\S)(?<!、|，|,)\*(?!\*|ST)")
_CODE = re.compile(r"`([^`\n]+)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_SPACES = re.compile(r"[ \t\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


_OPENS = "《“‘（(「『【"
_CONTINUES = "》”’）)」』】，,、。；;：:！？!?％%"
_FINAL = SENTENCE_END + SEMICOLON + COLON + ELLIPSIS
_INDENT = re.compile(r"^(?:\u3000|\s{2,}|\t)")
SHORT_FRAGMENT = 20     # a line this short without an end mark, inside a paragraph, is a piece of a sentence
# 一是 / 二要 / 第三 alone on a line: a list marker, and the sentence after it is the item
LIST_MARKER = re.compile(r"^(?:[一二三四五六七八九十]{1,3}(?:是|要|则|来)|第[一二三四五六七八九十]{1,3}|首先|其次|再次|最后)$")


def join_soft_breaks(lines: list[str]) -> list[str]:
    """Lines of one blank-line-separated paragraph with the breaks that fall inside a sentence removed.

    Text copied from a wiki breaks the line around every link (《\n纲要\n》, 习近平\n总书记…). A break
    is soft when the line before has no end mark and: it ends with an opening bracket or the next line
    starts with a closing mark or a comma; or the next line is a short fragment without an end mark
    itself; or the line before was already joined (we are inside a sentence). A line that starts
    indented is a paragraph of its own, and a heading followed by its paragraph (a long line that
    ends a sentence) stays apart."""
    out: list[str] = []
    joined = False
    for line in lines:
        if out and not _INDENT.match(line):
            before, after = out[-1].rstrip(), line.strip()
            if before and after and not _ends_sentence(before) and (
                    before[-1] in _OPENS or after[0] in _CONTINUES or joined or LIST_MARKER.match(before)
                    or (len(after) < SHORT_FRAGMENT and not _ends_sentence(after))):
                out[-1] = before + after
                joined = True
                continue
        out.append(line)
        joined = False
    return out


def _ends_sentence(line: str) -> bool:
    """An end mark last, or a closing quote or bracket right after one (。” ！）)."""
    tail = line.rstrip(CLOSERS)
    return bool(tail) and tail[-1] in _FINAL


def _plain_blocks(lines: list[str]) -> list[Block]:
    blocks = []
    for line in lines:
        pieces = FULLWIDTH_BREAK.split(line)
        for piece in pieces:
            piece = _BULLET.sub("", piece)
            text, strong_only = _inline_markdown(piece)
            if text:
                blocks.append(Block(text=text, strong_only=strong_only, piece=len(pieces) > 1))
    return blocks


def _inline_markdown(text: str) -> tuple[str, bool]:
    """Text with Markdown inline markup removed, and whether it was bold from end to end."""
    stripped = text.strip()
    strong_only = bool(re.fullmatch(r"\*\*[^*].*?\*\*|__[^_].*?__", stripped)) and stripped.count("**") <= 2
    if "&" in text:
        text = html.unescape(text)
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _INLINE_AUTOLINK.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
        text = _EMPHASIS.sub(r"\1", text)
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return normalize_spaces(text), strong_only


def normalize_spaces(text: str) -> str:
    """One line of text: whitespace runs become one space, none at the ends."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


# ------------------------------------------------------------------------------------------ HTML

_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol center blockquote section article header footer aside pre figure "
    "figcaption table tr td th thead tbody dd dt dl main nav hr address form".split()
)
_SKIP_TAGS = frozenset("script style noscript template head title iframe svg object button select".split())
_VOID_TAGS = frozenset("br img hr input meta link area base col embed source track wbr param".split())
_STRONG_TAGS = frozenset(("strong", "b"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def _join_html_space(m: re.Match) -> str:
    """Source newlines between two CJK characters are layout, not a space."""
    run, text, a, b = m.group(), m.string, m.start(), m.end()
    if "\n" in run and a > 0 and b < len(text) and not text[a - 1].isascii() and not text[b].isascii():
        return ""
    return " "


class _HTMLBlocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.parts: list[tuple[str, bool]] = []
        self.strong = 0
        self.skip_tag: str | None = None   # inside a hidden / non-content element
        self.skip_depth = 0
        self.heading: int | None = None
        self.classes: frozenset[str] = frozenset()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        attr = dict(attrs)
        hidden = tag in _SKIP_TAGS or bool(_HIDDEN_STYLE.search(attr.get("style") or ""))
        if hidden and tag not in _VOID_TAGS:
            if tag in _BLOCK_TAGS:
                self.flush()
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag == "br":
            self.flush()
        elif tag in _BLOCK_TAGS:
            self.flush()
            if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                self.heading = int(tag[1])
            self.classes = frozenset((attr.get("class") or "").split())
        elif tag in _STRONG_TAGS:
            self.strong += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag in _BLOCK_TAGS:
            self.flush()
            self.heading = None
            self.classes = frozenset()
        elif tag in _STRONG_TAGS:
            self.strong = max(0, self.strong - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip_tag:
            self.parts.append((data, self.strong > 0))

    def flush(self) -> None:
        if not self.parts:
            return
        raw = "".join(text for text, _ in self.parts)
        text = _HTML_SPACE.sub(_join_html_space, raw).strip()
        if text:
            strong_only = all(bold for part, bold in self.parts if part.strip())
            self.blocks.append(Block(text=text, heading_level=self.heading, strong_only=strong_only,
                                     classes=self.classes, html=True))
        self.parts = []


def _html_blocks(chunk: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(chunk)
    parser.close()
    parser.flush()
    return parser.blocks


def inline_text(text: str) -> str:
    """One line of text with its markup gone (scripts and hidden elements with their content) and
    entities decoded: for titles, which front matter may carry as HTML."""
    if "<" not in text and "&" not in text:
        return text.strip()
    return " ".join(block.text for block in _html_blocks(text)).strip()
