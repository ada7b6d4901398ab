"""The summarizer interface: every engine takes a Document and returns a Summary."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any

from service.document import Document


@dataclass
class SummarySentence:
    text: str
    start: int | None          # offsets into Document.text of the source sentence (None if generated w/o source)
    end: int | None
    section: int | None        # index into Document.sections
    heading: str | None = None
    score: float = 0.0
    origin: str = "extracted"  # "extracted" | "generated" | "replaced" (number guard swapped it)
    flags: list[str] = field(default_factory=list)   # e.g. ["unsupported_number:12.5%"]


@dataclass
class Summary:
    text: str
    sentences: list[SummarySentence]
    engine: str
    notes: list[str] = field(default_factory=list)   # said to the user: "input is a single sentence", ...
    key_figures: list[Any] = field(default_factory=list)
    section_summaries: list[SummarySentence | None] = field(default_factory=list)   # one per Document.sections

    def to_dict(self) -> dict:
        return asdict(self)


class Summarizer(ABC):
    name: str = "base"

    @abstractmethod
    def summarize(self, document: Document, max_chars: int | None = None,
                  max_sentences: int | None = None) -> Summary:
        ...
