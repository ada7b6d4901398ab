"""The document model every later stage consumes: post → sections → paragraphs → sentences.

Offsets (`start`, `end`) are character positions into `Document.text`, the cleaned body text, so a
caller can highlight any sentence with `document.text[s.start:s.end]`. Heading lines are part of
`Document.text` (each on its own line) but are not sentences of the section they head.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class Sentence:
    text: str
    start: int          # offset into Document.text
    end: int
    section: int = 0    # index into Document.sections
    paragraph: int = 0  # index into Section.paragraphs


@dataclass
class Paragraph:
    text: str
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Section:
    index: int
    heading: str | None                      # None for the lead (or a post without headings)
    paragraphs: list[Paragraph] = field(default_factory=list)
    heading_span: tuple[int, int] | None = None   # offsets of the heading line(s) in Document.text
    role: str = "body"                       # "lead" | "body" | "closing" | "procedural" (a report's formulas)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def start(self) -> int:
        if self.heading_span:
            return self.heading_span[0]
        return self.paragraphs[0].start if self.paragraphs else 0

    @property
    def end(self) -> int:
        return self.paragraphs[-1].end if self.paragraphs else (self.heading_span or (0, 0))[1]


@dataclass
class Document:
    text: str                                 # cleaned body: one paragraph / heading per line
    sections: list[Section] = field(default_factory=list)
    title: str | None = None
    date: str | None = None                   # ISO 8601 string as written (normalised) or None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)   # every other front-matter key
    digest: str | None = None                 # the publisher's leading "> " digest
    source: str | None = None                 # outlet, e.g. 昆明日报 from （文章来源：昆明日报）
    source_url: str | None = None
    byline: str | None = None                 # e.g. 本报记者 张三
    path: str | None = None                   # file the post came from, if any
    encoding: str | None = None               # how its bytes were decoded (None: given as text)
    script: str = "simplified"                # as written: simplified | traditional | mixed | none
    # the simplified view the models read (same offsets; service/reader/script.py); None: this is it
    view: "Document | None" = field(default=None, repr=False)

    @property
    def for_models(self) -> "Document":
        """What the models read: the simplified view of a traditional post, else the document itself."""
        return self.view if self.view is not None else self

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]

    @property
    def sentences(self) -> list[Sentence]:
        return [x for s in self.sections for x in s.sentences]

    def iter_sentences(self) -> Iterator[Sentence]:
        for s in self.sections:
            for p in s.paragraphs:
                yield from p.sentences

    @property
    def body(self) -> str:
        """Body text without the heading lines (what a summarizer reads)."""
        return "\n".join(p.text for p in self.paragraphs)


class ReadError(ValueError):
    """A post that cannot be read: names the file (or '<text>') and the problem."""

    def __init__(self, where: str | None, problem: str):
        self.where = where or "<text>"
        self.problem = problem
        super().__init__(f"{self.where}: {problem}")
