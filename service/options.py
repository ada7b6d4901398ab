"""What one analysis is asked to do, resolved once: call arguments over environment over defaults.

Every surface (analyze(), the batch and its workers, the web app, `zhnews show`) builds one
`AnalyzeOptions` and passes it on; engines receive numbers that are already checked, so a value
means the same everywhere. `None` means "the default" (from service.config, where each default is
written once). A length of 0 or less is an error, not "no limit" in one engine and "nothing" in
another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """An option the service cannot use; the message names it and says what is allowed."""


def _positive(name: str, value, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise OptionError(f"{name}={value!r} is not a whole number")
    if value < 1:
        raise OptionError(f"{name}={value!r} must be at least 1")
    return int(value)


def summary_chars(max_chars=None) -> int:
    """The summary's length in characters: `max_chars` checked, or the configured default."""
    from service.config import settings

    if max_chars is None:
        return settings().summary_max_chars
    return _positive("max_chars", max_chars, allow_none=False)


def summary_sentences(max_sentences=None) -> int | None:
    """The summary's length in sentences: `max_sentences` checked, the configured default, or None (no limit)."""
    from service.config import settings

    if max_sentences is None:
        return settings().summary_max_sentences
    return _positive("max_sentences", max_sentences)


def _choice(option: str, value: str, allowed) -> str:
    if value not in allowed:
        raise OptionError(f"{option}={value!r}: choose one of {', '.join(allowed)}")
    return value


def _engine(kind: str, name: str, engines: dict) -> str:
    if name not in engines:
        raise OptionError(f"unknown {kind} engine {name!r}; choose one of {sorted(engines)}")
    return name


_CHECKED_TAGSETS: set[tuple] = set()


def _check_tagset_file(path: str) -> None:
    """Parse a tag-set file once per version of it (path, size, mtime): analyze() without options=
    resolves on every call, and a tag file need not be parsed again for each post."""
    import os

    try:
        stat = os.stat(path)
        key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None                           # missing: load_tagset names the file in its error
    if key is not None and key in _CHECKED_TAGSETS:
        return
    from service.tagging.tagset import load_tagset

    try:
        load_tagset(path)
    except ValueError as error:              # TagSetError: its message names the file
        raise OptionError(str(error)) from None
    if key is not None:
        _CHECKED_TAGSETS.add(key)


@dataclass(frozen=True)
class AnalyzeOptions:
    max_chars: int
    max_sentences: int | None
    summarizer: str
    tagger: str
    tagset: Any = None          # a tag-set file path, a TagSet, or None for the built-in taxonomy
    script: str = "as-written"  # output texts: as-written, simplified or traditional

    @classmethod
    def resolve(cls, max_chars=None, max_sentences=None, summarizer: str | None = None,
                tagger: str | None = None, tagset=None, script: str | None = None) -> "AnalyzeOptions":
        """Arguments over environment (ZHNEWS_*) over defaults, each checked once; OptionError on a bad one.
        A tag-set path is loaded here, so a missing or malformed file is a start-up error."""
        from service.config import settings
        from service.reader.script import OUTPUT_SCRIPTS
        from service.summarization import ENGINES as SUMMARIZERS
        from service.tagging import ENGINES as TAGGERS

        config = settings()
        tagset = tagset if tagset is not None else config.tagset_path
        if isinstance(tagset, str):
            _check_tagset_file(tagset)
        return cls(max_chars=summary_chars(max_chars), max_sentences=summary_sentences(max_sentences),
                   summarizer=_engine("summarizer", summarizer or config.summarizer, SUMMARIZERS),
                   tagger=_engine("tagger", tagger or config.tagger, TAGGERS), tagset=tagset,
                   script=_choice("script", script or "as-written", OUTPUT_SCRIPTS))

    def replace(self, **changes) -> "AnalyzeOptions":
        """The same options with some changed, checked again."""
        merged = {name: getattr(self, name) for name in self.__dataclass_fields__}
        merged.update(changes)
        return AnalyzeOptions.resolve(**merged)
