"""analyze(): one call from a post (a Path, or its text) to metadata, summary, tagged sections and key figures.

    >>> from service import analyze
    >>> result = analyze(Path("posts/2022-02-21-example.md"))    # a str is the post's text
    >>> result.summary.text, [t.name for t in result.section_tags[0]]
    >>> result.to_dict()          # JSON-ready; the same object `python -m service.batch` writes per post

The shape of `Analysis.to_dict()` is documented in docs/usage.md ("Analysis.to_dict()") and versioned by
`SCHEMA_VERSION`; batch output, the web app's downloads and its `/analyze` API all use it.
"""
from __future__ import annotations

import dataclasses
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from service.document import Document, ReadError
from service.key_figures import extract_key_figures
from service.options import AnalyzeOptions
from service.reader.script import WrittenText, output_converter, tag_name_converter

SCHEMA_VERSION = 1
# Per-section tags kept in the output (best first); classify() may return more.
MAX_TAGS_PER_SECTION = 3
# Document-level topics: a tag counts when it is among a section's tags; ranked by the characters
# of the sections that carry it (weighted by score).
MAX_TOPICS = 5
_FIGURE_TEXTS = {"indicator", "value", "unit", "change", "sentence"}


class InputTooLarge(ValueError):
    """The post is longer than settings().max_input_chars (ZHNEWS_MAX_INPUT_CHARS)."""

    def __init__(self, size: int, limit: int, unit: str = "characters"):
        self.size, self.limit = size, limit
        super().__init__(f"input too large: {size:,} {unit}, the limit is {limit:,} characters "
                         f"(set ZHNEWS_MAX_INPUT_CHARS to change it)")


@dataclass
class Analysis:
    document: Document
    summary: Any                                   # service.summarization.base.Summary
    section_tags: list[list[Any]]                  # per Document.sections, Tag(id, name, score) best first
    key_figures: list[Any] = field(default_factory=list)   # service.key_figures.KeyFigure, document order
    timings_ms: dict[str, float] = field(default_factory=dict)
    tagger: str | None = None
    script: str = "as-written"           # the script of the output's texts (AnalyzeOptions.script)

    # convenience views --------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        return self.document.path

    @property
    def title(self) -> str | None:
        return self.document.title

    def topics(self, limit: int = MAX_TOPICS) -> list[dict]:
        """Document-level topics from the section tags: [{"id","name","score"}], best first."""
        weight: dict[str, float] = {}
        names: dict[str, str] = {}
        total = 0.0
        for section, tags in zip(self.document.sections, self.section_tags):
            chars = max(1, len(section.text))
            total += chars
            for tag in tags[:MAX_TAGS_PER_SECTION]:
                weight[tag.id] = weight.get(tag.id, 0.0) + chars * float(tag.score)
                names[tag.id] = tag.name
        ranked = sorted(weight.items(), key=lambda kv: -kv[1])[:limit]
        return [{"id": k, "name": names[k], "score": round(v / total, 4) if total else 0.0} for k, v in ranked]

    def to_dict(self, include_text: bool = False) -> dict:
        """JSON-ready dict (docs/usage.md lists every field). `include_text` adds the cleaned body
        text ("text") and each section's text, which batch output leaves out to stay small."""
        doc = self.document
        summary = self.summary
        t = output_converter(self.script)       # the texts, in the script asked for
        name = tag_name_converter(self.script, doc.script)
        out: dict[str, Any] = {
            "version": SCHEMA_VERSION,
            "path": doc.path,
            "title": t(doc.title),
            "date": doc.date,
            "categories": list(doc.categories),
            "tags": list(doc.tags),
            "source": t(doc.source),
            "source_url": doc.source_url,
            "byline": t(doc.byline),
            "digest": t(doc.digest),
            "encoding": doc.encoding,
            "script": doc.script,
            "output_script": self.script,
            "chars": len(doc.text),
            "summary": {
                "text": t(summary.text),
                "engine": summary.engine,
                "notes": list(summary.notes or []),
                "sentences": [
                    {
                        "text": t(s.text),
                        "start": s.start,
                        "end": s.end,
                        "section": s.section,
                        "heading": t(s.heading),
                        "score": _round(s.score),
                        "origin": s.origin,
                        "flags": list(s.flags or []),
                    }
                    for s in summary.sentences
                ],
            },
            "topics": [{**topic, "name": name(topic["name"])} for topic in self.topics()],
            "sections": [],
            "key_figures": [{k: t(v) if k in _FIGURE_TEXTS else v for k, v in _plain(f).items()}
                            for f in self.key_figures],
            "tagger": self.tagger,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
        lines = list(getattr(summary, "section_summaries", None) or [])
        lines += [None] * (len(doc.sections) - len(lines))
        for section, tags, line in zip(doc.sections, self.section_tags, lines):
            text = section.text
            entry = {
                "index": section.index,
                "heading": t(section.heading),
                "role": section.role,
                "start": section.start,
                "end": section.end,
                "chars": len(text),
                "sentences": len(section.sentences),
                # ordered by score; `primary` is the section's main topic (not always the highest score:
                # outlook is an aspect, and a topic leads it)
                "primary": next((tag.id for tag in tags if getattr(tag, "primary", False)),
                                tags[0].id if tags else None),
                "tags": [{"id": tag.id, "name": name(tag.name), "score": _round(tag.score)}
                         for tag in tags[:MAX_TAGS_PER_SECTION]],
                # one line on the section, its own words (None: a section without sentences)
                "summary": None if line is None else {"text": t(line.text), "start": line.start, "end": line.end,
                                                      "flags": list(line.flags or [])},
            }
            if include_text:
                entry["text"] = t(text)
            out["sections"].append(entry)
        if include_text:
            out["text"] = t(doc.text)
        return out


def analyze(source: str | os.PathLike | Document, max_chars: int | None = None,
            max_sentences: int | None = None, summarizer: str | None = None, tagger: str | None = None,
            tagset=None, path: str | None = None, *, script: str | None = None,
            options: AnalyzeOptions | None = None) -> Analysis:
    """Read (unless given a Document), summarize, pick out the key figures and tag one post.

    source     a file path (pathlib.Path), the post's text (str: never opened as a file), or a
               Document already read
    max_chars, max_sentences   summary length (None: the configured default, see service.config)
    summarizer engine name ("embedded" default, "transformers" when a model is configured)
    tagger, tagset             tagging engine and tag set (None: settings / built-in taxonomy)
    script     the output's texts: "as-written" (default; offsets index the text as written),
               "simplified" or "traditional" (converted, same lengths, so the offsets still hold)
    options    the same, resolved once by AnalyzeOptions.resolve (the batch resolves them at start-up);
               not together with the separate arguments
    path       the file name to record when `source` is text (e.g. an upload)

    Raises ReadError for a post that cannot be read, InputTooLarge past settings().max_input_chars,
    OptionError (a ValueError) for an option it cannot use.
    """
    from service.config import settings

    if options is None:
        options = AnalyzeOptions.resolve(max_chars=max_chars, max_sentences=max_sentences,
                                         summarizer=summarizer, tagger=tagger, tagset=tagset, script=script)
    elif any(v is not None for v in (max_chars, max_sentences, summarizer, tagger, tagset, script)):
        raise TypeError("analyze() takes either options= or the separate option arguments, not both")
    limit = settings().max_input_chars
    timings: dict[str, float] = {}
    with _timed(timings, "read"):
        document = _read_document(source, path, limit)
    seen = document.for_models       # a traditional post's simplified view: the same offsets
    with _timed(timings, "summarize"):
        summary = _summarize(seen, options)
    with _timed(timings, "key_figures"):
        figures = extract_key_figures(seen)
    with _timed(timings, "tag"):
        section_tags, tagger_used = _tag(seen, options)
    if seen is not document:
        written = WrittenText(document)
        written.restore_summary(summary)
        written.restore_figures(figures)
    timings["total"] = sum(timings.values())
    return Analysis(document=document, summary=summary, section_tags=section_tags,
                    key_figures=figures, timings_ms=timings, tagger=tagger_used, script=options.script)


# the stages ------------------------------------------------------------------------------------------
@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    yield
    timings[stage] = (time.perf_counter() - start) * 1000


def _read_document(source, path: str | None, limit: int) -> Document:
    if isinstance(source, Document):
        document = source
        if path and not document.path:
            document.path = path
    else:
        document = _read(source, path, limit)
    if len(document.text) > limit:
        raise InputTooLarge(len(document.text), limit)
    return document


def _summarize(document: Document, options: AnalyzeOptions):
    from service.summarization import get_summarizer, summarize

    summary = summarize(document, max_chars=options.max_chars, max_sentences=options.max_sentences,
                        engine=options.summarizer)
    if document.sections and not summary.section_summaries:
        # engines that write no section lines (transformers) get the embedded engine's
        summary.section_summaries = get_summarizer("embedded").section_summaries(document)
    return summary


def _tag(document: Document, options: AnalyzeOptions) -> tuple[list[list[Any]], str]:
    """Tags per section, and the engine that actually tagged (zero-shot for a custom tag set). A report's
    formulas (role "procedural") have no topic: their tags are empty."""
    from service.tagging import get_tagger

    chosen = get_tagger(options.tagger, tagset=options.tagset)
    topical = [s for s in document.sections if s.role != "procedural"]
    if not topical:
        return [[] for _ in document.sections], chosen.engine_used
    texts = [s.text if s.text.strip() else (s.heading or "") for s in topical]
    tags = iter(chosen.classify(texts, headings=[s.heading for s in topical]))
    return [[] if s.role == "procedural" else list(next(tags)) for s in document.sections], chosen.engine_used


def _read(source, path: str | None, limit: int) -> Document:
    from service.reader import read_post

    if isinstance(source, os.PathLike):
        _check_file_size(source, limit)
        return read_post(source)
    if not isinstance(source, str):
        raise TypeError(f"analyze() takes a pathlib.Path, the post's text (str) or a Document, "
                        f"not {type(source).__name__}")
    if len(source) > limit:
        raise InputTooLarge(len(source), limit)
    # a str is the post's text, never a file name: text from users must not reach the file system
    document = read_post(source, path=path)
    if path and not document.path:
        document.path = path
    return document


def _check_file_size(filename: os.PathLike, limit: int) -> None:
    # UTF-8 Chinese is 3 bytes a character; a file past 4 bytes/char cannot fit the limit
    try:
        size = os.stat(filename).st_size
    except OSError:
        return          # read_post names the problem (missing file, dangling link, ...)
    if size > 4 * limit:
        raise InputTooLarge(size, limit, unit="bytes")


def _round(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _plain(obj) -> Any:
    """Key figures (dataclasses or dicts) as JSON-ready dicts."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 6)
    return obj


__all__ = ["analyze", "Analysis", "InputTooLarge", "ReadError", "SCHEMA_VERSION"]
