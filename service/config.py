"""Configuration in one place: defaults, and the environment variables that override them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "models" / "artifacts"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass
class Settings:
    # summarization
    summarizer: str = field(default_factory=lambda: _env("ZHNEWS_SUMMARIZER", "embedded"))
    summary_max_chars: int = field(default_factory=lambda: int(_env("ZHNEWS_SUMMARY_MAX_CHARS", "150")))
    summary_max_sentences: int | None = None
    # a local directory or hub id for the transformers (abstractive) summarizer; None = not configured
    summarizer_model: str | None = field(default_factory=lambda: _env("ZHNEWS_SUMMARIZER_MODEL"))
    # section tagging
    tagger: str = field(default_factory=lambda: _env("ZHNEWS_TAGGER", "embedded"))
    classifier_model: str | None = field(default_factory=lambda: _env("ZHNEWS_CLASSIFIER_MODEL"))
    tagset_path: str | None = field(default_factory=lambda: _env("ZHNEWS_TAGSET"))
    # transformers runtime
    device: str = field(default_factory=lambda: _env("ZHNEWS_DEVICE", "cpu"))
    quantize: bool = field(default_factory=lambda: _env("ZHNEWS_QUANTIZE", "0") in ("1", "true", "yes"))
    # input limits (web app and analyze())
    max_input_chars: int = field(default_factory=lambda: int(_env("ZHNEWS_MAX_INPUT_CHARS", "200000")))


def settings() -> Settings:
    """Fresh settings read from the environment (cheap; call where needed rather than caching)."""
    return Settings()
