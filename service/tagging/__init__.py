"""classify(): tag texts (sections) by topic; engines chosen by name.

    embedded      sentence encoder + char n-gram features + a small linear head trained on the
                  project's own corpus (models/artifacts), runs offline (default)
    embedded-e5   the same over multilingual-e5-small (models/artifacts/tagger-e5): more accurate,
                  ~35x slower; opt-in
    zero-shot     the default encoder against tag descriptions and examples (custom tag sets, no training)
    transformers  a fine-tuned AutoModelForSequenceClassification loaded by path
"""
from __future__ import annotations

import importlib

from service.tagging.base import Tag, Tagger

ENGINES = {
    "embedded": "service.tagging.embedded:EmbeddedTagger",
    "embedded-e5": "service.tagging.embedded:EmbeddedE5Tagger",
    "zero-shot": "service.tagging.zero_shot:ZeroShotTagger",
    "transformers": "service.tagging.finetuned:TransformersTagger",
}

_CACHE: dict = {}


def get_tagger(engine: str | None = None, tagset=None, **options) -> Tagger:
    """The tagger for an engine name and tag set (path, TagSet or None for the built-in taxonomy)."""
    from service.config import settings

    name = engine or settings().tagger
    if name not in ENGINES:
        raise ValueError(f"unknown tagger engine {name!r}; choose one of {sorted(ENGINES)}")
    key = (name, tagset if isinstance(tagset, (str, type(None))) else id(tagset), tuple(sorted(options.items())))
    if key not in _CACHE:
        module, cls = ENGINES[name].split(":")
        _CACHE[key] = getattr(importlib.import_module(module), cls)(tagset=tagset, **options)
    return _CACHE[key]


def classify(texts: list[str], tagset=None, engine: str | None = None,
             headings: list[str | None] | None = None, **options) -> list[list[Tag]]:
    """For each text, its tags with scores, the primary tag first (then best first); `other` when nothing fits."""
    return get_tagger(engine, tagset=tagset, **options).classify(list(texts), headings=headings)


__all__ = ["classify", "get_tagger", "ENGINES", "Tag", "Tagger"]
