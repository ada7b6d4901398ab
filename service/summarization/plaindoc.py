"""Documents from plain text without the reader: one section, one paragraph per line, sentences from
the reader's splitter. Used by the evaluation (articles are plain text, not posts)."""
from __future__ import annotations

import re

from service.document import Document, Paragraph, Section, Sentence

_LINE = re.compile(r"[^\n]+")


def document_from_text(text: str, title: str | None = None) -> Document:
    from service.reader.sentences import split_sentences

    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    section = Section(index=0, heading=None, role="lead")
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        paragraph = Paragraph(text=line.group(), start=line.start(), end=line.end())
        for start, end in split_sentences(text[line.start():line.end()]):
            s, e = line.start() + start, line.start() + end
            paragraph.sentences.append(Sentence(text=text[s:e], start=s, end=e, section=0,
                                                paragraph=len(section.paragraphs)))
        section.paragraphs.append(paragraph)
    return Document(text=text, sections=[section] if section.paragraphs else [], title=title)


def as_document(text_or_document) -> Document:
    """A Document as is, or a post (path or text) read by the reader."""
    if isinstance(text_or_document, Document):
        return text_or_document
    from service.reader import read_post

    return read_post(text_or_document)
