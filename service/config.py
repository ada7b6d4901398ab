"""Configuration in one place: defaults, and the environment variables that override them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "models" / "artifacts"


class ConfigError(ValueError):
    """An environment variable with a value the service cannot use; the message names it."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")


@dataclass
class Settings:
    # summarization
    summarizer: str = field(default_factory=lambda: _env("ZHNEWS_SUMMARIZER", "embedded"))
    summary_max_chars: int = field(default_factory=lambda: _env_int("ZHNEWS_SUMMARY_MAX_CHARS", 150, minimum=1))
    summary_max_sentences: int | None = None
    # the embedded engine's trained ranker: a name in models/artifacts or a path (NAME.json + NAME.npz)
    summarizer_ranker: str = field(default_factory=lambda: _env("ZHNEWS_SUMMARIZER_RANKER", "summarizer-ranker"))
    # a local directory or hub id for the transformers (abstractive) summarizer; None = not configured
    summarizer_model: str | None = field(default_factory=lambda: _env("ZHNEWS_SUMMARIZER_MODEL"))
    # section tagging
    tagger: str = field(default_factory=lambda: _env("ZHNEWS_TAGGER", "embedded"))
    classifier_model: str | None = field(default_factory=lambda: _env("ZHNEWS_CLASSIFIER_MODEL"))
    tagset_path: str | None = field(default_factory=lambda: _env("ZHNEWS_TAGSET"))
    # transformers runtime
    device: str = field(default_factory=lambda: _env("ZHNEWS_DEVICE", "cpu"))
    quantize: bool = field(default_factory=lambda: _env_bool("ZHNEWS_QUANTIZE", False))
    # BLAS/encoder threads in one process (the batch's workers always use 1)
    encoder_threads: int = field(default_factory=lambda: _env_int("ZHNEWS_ENCODER_THREADS", 1, minimum=1))
    # input limits (web app and analyze())
    max_input_chars: int = field(default_factory=lambda: _env_int("ZHNEWS_MAX_INPUT_CHARS", 200000, minimum=1))


def settings() -> Settings:
    """Fresh settings read from the environment (cheap; call where needed rather than caching)."""
    return Settings()
