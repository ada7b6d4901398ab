"""Chinese news reader, summarizer and section tagger.

Public entry points (imported lazily so that `import service` stays cheap):

    read_post(source) -> Document          # service.reader
    summarize(text_or_document, ...) -> Summary   # service.summarization
    classify(texts, tagset=None) -> list[list[Tag]]  # service.tagging
    extract_key_figures(document) -> list[KeyFigure]  # service.key_figures
    analyze(source, **options) -> Analysis  # service.pipeline
    AnalyzeOptions.resolve(**options)       # service.options: the options checked once, for many calls
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "read_post": "service.reader",
    "Document": "service.document",
    "ReadError": "service.document",
    "summarize": "service.summarization",
    "Summary": "service.summarization.base",
    "classify": "service.tagging",
    "Tag": "service.tagging.base",
    "extract_key_figures": "service.key_figures",
    "analyze": "service.pipeline",
    "AnalyzeOptions": "service.options",
    "OptionError": "service.options",
    "Analysis": "service.pipeline",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'service' has no attribute {name!r}")
