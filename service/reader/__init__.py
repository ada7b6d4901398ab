"""The reader: a post (path, text or bytes) to a Document.

    read_post(source, path=None) -> Document

Pipeline, one module per step: read the file → decode.py (bytes to str) → front_matter.py (YAML) →
body.py (HTML/Markdown/plain to blocks) → boilerplate.py (digest, source URL, navigation, source note,
byline out) → sections.py (headings, lead, closing) → sentences.py (spans) → Document offsets.
"""
from __future__ import annotations

import os
from pathlib import Path

from service.document import Document, Paragraph, ReadError, Section, Sentence
from service.reader.body import parse_body
from service.reader.boilerplate import strip_boilerplate
from service.reader.decode import decode_bytes, normalize_newlines
from service.reader.front_matter import split_front_matter
from service.reader.sections import SectionPlan, plan_sections
from service.reader.sentences import split_sentences

__all__ = ["read_post", "split_sentences", "names_file", "ReadError"]

_MAX_PATH_CHARS = 4096


def read_post(source: str | bytes | os.PathLike, path: str | None = None) -> Document:
    """Read a post given as a path (Path, or a short one-line str naming an existing file), its text
    or its bytes. Raises ReadError(where, problem) for unreadable, binary, malformed or empty posts."""
    text, path = _load(source, path)
    where = path or "<text>"
    front, body = split_front_matter(text, where)
    blocks, extracted = strip_boilerplate(parse_body(body))
    title = front.title if front else None
    date = front.date if front else None
    year = int(date[:4]) if date and date[:4].isdigit() else None
    plans, inferred_title = plan_sections(blocks, title, year)
    if not plans and extracted.digest:
        # A post that is only a digest: the digest is all the text there is, so it is the body too.
        plans = [SectionPlan(paragraphs=[extracted.digest], role="lead")]
    if not plans:
        raise ReadError(where, "empty post: no body text after removing markup and boilerplate")
    document = _assemble(plans)
    document.title = title or inferred_title
    document.date = date
    if front:
        document.categories = front.categories
        document.tags = front.tags
        document.metadata = front.metadata
    document.digest = extracted.digest
    document.source = extracted.source
    document.source_url = extracted.source_url
    document.byline = extracted.byline
    document.path = path
    return document


def _load(source, path: str | None) -> tuple[str, str | None]:
    if isinstance(source, os.PathLike) or (isinstance(source, str) and names_file(source)):
        path = os.fspath(source)
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise ReadError(path, "no such file") from None
        except IsADirectoryError:
            raise ReadError(path, "is a directory, not a post") from None
        except OSError as exc:
            raise ReadError(path, f"cannot read the file: {exc.strerror or exc}") from None
        return decode_bytes(data, path), path
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode_bytes(bytes(source), path), path
    if isinstance(source, str):
        if "\x00" in source:
            raise ReadError(path, "binary data, not a text post")
        return normalize_newlines(source), path
    raise TypeError(f"read_post() needs a path, str or bytes, not {type(source).__name__}")


def names_file(source: str) -> bool:
    """True when `source` is a one-line string, short enough to be a path, naming an existing file."""
    if "\n" in source or len(source) >= _MAX_PATH_CHARS or not source.strip():
        return False
    try:
        return os.path.isfile(source)
    except (OSError, ValueError):
        return False


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
