"""Documents from plain text without the reader: one section, one paragraph per line (a run of
　　, the full-width indent of text pasted from Chinese web pages, also starts one, as in the reader),
sentences from the reader's splitter. Used by the evaluation (articles are plain text, not posts)."""
from __future__ import annotations

import re

from service.document import Document, Paragraph, Section, Sentence

_LINE = re.compile(r"[^\n]+")


def document_from_text(text: str, title: str | None = None) -> Document:
    from service.reader.body import FULLWIDTH_BREAK
    from service.reader.sentences import split_sentences

    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    section = Section(index=0, heading=None, role="lead")
    for piece in _pieces(text, FULLWIDTH_BREAK):
        paragraph = Paragraph(text=text[piece[0]:piece[1]], start=piece[0], end=piece[1])
        for start, end in split_sentences(paragraph.text):
            s, e = piece[0] + start, piece[0] + end
            paragraph.sentences.append(Sentence(text=text[s:e], start=s, end=e, section=0,
                                                paragraph=len(section.paragraphs)))
        if paragraph.sentences:
            section.paragraphs.append(paragraph)
    return Document(text=text, sections=[section] if section.paragraphs else [], title=title)


def _pieces(text: str, breaks):
    """(start, end) of the non-blank pieces of each line between `breaks` matches."""
    for line in _LINE.finditer(text):
        start = line.start()
        for cut in [*breaks.finditer(line.group()), None]:
            end = line.start() + cut.start() if cut else line.end()
            if text[start:end].strip():
                yield start, end
            if cut:
                start = line.start() + cut.end()


def as_document(text_or_document) -> Document:
    """A Document as is, or a post (path or text) read by the reader."""
    if isinstance(text_or_document, Document):
        return text_or_document
    from service.reader import read_post

    return read_post(text_or_document)
