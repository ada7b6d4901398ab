"""The summarizer interface: every engine takes a Document and returns a Summary."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field

from service.document import Document, Sentence


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
    section_summaries: list[SummarySentence | None] = field(default_factory=list)   # one per Document.sections

    def to_dict(self) -> dict:
        return asdict(self)


class Summarizer(ABC):
    name: str = "base"

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this engine cannot run with the current configuration (said to the user), or None.
        Cheap: it loads no model."""
        return None

    @abstractmethod
    def summarize(self, document: Document, max_chars: int | None = None,
                  max_sentences: int | None = None) -> Summary:
        """`max_chars`/`max_sentences`: None for the configured default, else at least 1
        (service.options.summary_chars/summary_sentences check them the same way in every engine)."""

    def rank(self, document: Document, budget: int | None = None) -> list[tuple[Sentence, float]] | None:
        """The source sentences this engine considers, best first with their scores, for engines that
        build on another's choice (the transformers engine's number guard); None: it does not rank."""
        return None
