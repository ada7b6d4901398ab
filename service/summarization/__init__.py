"""summarize(): one entry point, engines chosen by name.

    embedded      model-based extractive summarizer that runs offline (default)
    transformers  abstractive seq2seq model from a local directory or hub id, with a number guard
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from service.document import Document
from service.summarization.base import Summarizer, Summary, SummarySentence

ENGINES = {
    "embedded": "service.summarization.embedded:EmbeddedSummarizer",
    "transformers": "service.summarization.abstractive:TransformersSummarizer",
}


def get_summarizer(engine: str | None = None, **options) -> Summarizer:
    """The engine instance for a name; instances without options are cached (models load once)."""
    from service.config import settings

    name = engine or settings().summarizer
    if name not in ENGINES:
        raise ValueError(f"unknown summarizer engine {name!r}; choose one of {sorted(ENGINES)}")
    if options:
        return _load(name)(**options)
    return _cached(name)


def available_engines() -> dict[str, str | None]:
    """Every registered engine and why it cannot run now (None: it can), in registry order."""
    return {name: _load(name).unavailable() for name in ENGINES}


@lru_cache(maxsize=None)
def _cached(name: str) -> Summarizer:
    return _load(name)()


def _load(name: str):
    module, cls = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), cls)


def summarize(text_or_document: str | Document, max_chars: int | None = None,
              max_sentences: int | None = None, engine: str | None = None, **options) -> Summary:
    """Summarize a post (path or text) or an already-read Document."""
    from service.reader import read_post

    if isinstance(text_or_document, str) and not text_or_document.strip():
        # empty text is a question with an obvious answer, not an error (an empty *file* still is)
        return Summary(text="", sentences=[], engine=engine or "none",
                       notes=["empty input: there is nothing to summarize"])
    document = text_or_document if isinstance(text_or_document, Document) else read_post(text_or_document)
    summary = get_summarizer(engine, **options).summarize(document.for_models, max_chars=max_chars,
                                                          max_sentences=max_sentences)
    if document.view is not None:            # a traditional post: its own words, at the same offsets
        from service.reader.script import WrittenText
        WrittenText(document).restore_summary(summary)
    return summary


__all__ = ["summarize", "get_summarizer", "available_engines", "ENGINES", "Summary", "SummarySentence", "Summarizer"]
