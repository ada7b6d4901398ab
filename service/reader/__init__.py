"""The reader: a post (a file path, its text or its bytes) to a Document.

    read_post(Path("post.md")) -> Document     # a path: pathlib.Path or any os.PathLike
    read_post(text, path=None) -> Document     # a str is always the post's text, never opened

Pipeline, one module per step: read the file → decode.py (bytes to str) → front_matter.py (YAML) →
body.py (HTML/Markdown/plain to blocks) → boilerplate.py (digest, source URL, navigation, source note,
byline out) → sections.py (headings, lead, closing) → sentences.py (spans) → Document offsets.
"""
from __future__ import annotations

import os
import stat

from service.document import Document, Paragraph, ReadError, Section, Sentence
from service.paths import printable
from service.reader.body import inline_text, parse_body
from service.reader.boilerplate import strip_boilerplate
from service.reader.decode import decode_with_encoding, normalize_newlines
from service.reader.front_matter import split_front_matter
from service.reader.script import Restorer, convert, detect, written_document
from service.reader.sections import SectionPlan, plan_sections
from service.reader.sentences import split_sentences

__all__ = ["read_post", "split_sentences", "ReadError"]


def read_post(source: str | bytes | os.PathLike, path: str | None = None) -> Document:
    """Read a post given as a path (`pathlib.Path` or another `os.PathLike`), its text (`str`) or
    its bytes. A `str` is never opened as a file: text from a user must not reach the file system.
    `path` names text or bytes in errors and in `doc.path`. Raises ReadError(where, problem) for
    missing, unreadable, binary, malformed or empty posts."""
    text, path, encoding = _load(source, path)
    view_text = convert(text, "t2s")
    script = detect(text, view_text)
    if view_text != text:
        # read the simplified view (the reader's cue words are simplified), then restore the writing
        view = _read_text(view_text, path, encoding)
        return written_document(view, Restorer(text, view_text), script)
    document = _read_text(text, path, encoding)
    document.script = script
    return document


def _read_text(text: str, path: str | None, encoding: str | None) -> Document:
    where = path or "<text>"
    front, body = split_front_matter(text, where)
    blocks, extracted = strip_boilerplate(parse_body(body))
    title = inline_text(front.title) or None if front and front.title else None
    date = (front.date if front else None) or extracted.date
    year = int(date[:4]) if date and date[:4].isdigit() else None
    plans, inferred_title = plan_sections(blocks, title, year)
    if not plans and extracted.digest:
        # A post that is only a digest: the digest is all the text there is, so it is the body too.
        plans = [SectionPlan(paragraphs=[extracted.digest], role="lead")]
    if not plans:
        raise ReadError(where, "empty post: no body text after removing markup and boilerplate")
    document = _assemble(plans)
    document.title = title or extracted.title or inferred_title
    document.date = date
    if front:
        document.categories = front.categories
        document.tags = front.tags
        document.metadata = front.metadata
    if extracted.occasion:
        document.metadata = {**document.metadata, "occasion": extracted.occasion}
    document.digest = extracted.digest
    document.source = extracted.source
    document.source_url = extracted.source_url
    document.byline = extracted.byline
    document.path = path
    document.encoding = encoding
    return document


def _load(source, path: str | None) -> tuple[str, str | None, str | None]:
    """(text, the name to report, the encoding decoded from; None for a str)."""
    if isinstance(source, os.PathLike):
        path = printable(source)
        text, encoding = decode_with_encoding(read_file(source, path), path)
        return text, path, encoding
    if isinstance(source, (bytes, bytearray, memoryview)):
        text, encoding = decode_with_encoding(bytes(source), path)
        return text, path, encoding
    if isinstance(source, str):
        if "\x00" in source:
            raise ReadError(path, "binary data, not a text post")
        return normalize_newlines(source), path, None
    raise TypeError(f"read_post() needs a pathlib.Path, str or bytes, not {type(source).__name__}")


def read_file(source: os.PathLike, where: str) -> bytes:
    """A regular file's bytes. A FIFO, device or socket is refused before it is opened (reading one
    would block or never end)."""
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise ReadError(where, "no such file (or a dangling symlink)") from None
    except OSError as exc:
        raise ReadError(where, f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(where, "is a directory, not a post")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(where, f"not a regular file ({_file_kind(info.st_mode)})")
    try:
        with open(source, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ReadError(where, f"cannot read the file: {exc.strerror or exc}") from None


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a plain file"


def _assemble(plans: list[SectionPlan]) -> Document:
    """Lay the sections out as lines of Document.text and compute every offset."""
    lines: list[str] = []
    offset = 0
    sections: list[Section] = []

    def add_line(text: str) -> tuple[int, int]:
        nonlocal offset
        start = offset
        lines.append(text)
        offset += len(text) + 1
        return start, start + len(text)

    for s_index, plan in enumerate(plans):
        section = Section(index=s_index, heading=plan.heading, role=plan.role)
        if plan.headings:
            spans = [add_line(h) for h in plan.headings]
            section.heading_span = (spans[0][0], spans[-1][1])
        for p_index, text in enumerate(plan.paragraphs):
            start, end = add_line(text)
            paragraph = Paragraph(text=text, start=start, end=end)
            paragraph.sentences = [
                Sentence(text=text[a:b], start=start + a, end=start + b, section=s_index, paragraph=p_index)
                for a, b in split_sentences(text)
            ]
            section.paragraphs.append(paragraph)
        sections.append(section)
    return Document(text="\n".join(lines), sections=sections)
