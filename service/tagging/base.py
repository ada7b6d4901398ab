"""The tagger interface: texts in, ranked tags out (multi-label, `other` when nothing fits)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from service.tagging.tense import ASPECT, reviews_the_past


@dataclass
class Tag:
    id: str
    name: str
    score: float
    primary: bool = False      # the section's main topic (one per section); the list is ordered by score


class Tagger(ABC):
    name: str = "base"

    @property
    def engine_used(self) -> str:
        """The engine that actually tags: `name`, unless this one hands its work to another."""
        return self.name

    def classify(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        """For each text, its tags ordered by score (at least one; `other` when nothing fits), with
        exactly one marked `primary`; a section that reviews the past is never `outlook`."""
        heads = list(headings) if headings is not None else [None] * len(texts)
        return [finish(row, text, heading) for row, text, heading in zip(self.predict(texts, headings), texts, heads)]

    @abstractmethod
    def predict(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        """The engine's own answer per text: its primary tag first (or flagged), then the others."""


def finish(row: list[Tag], text: str, heading: str | None) -> list[Tag]:
    """One section's tags as classify() promises them: outlook dropped from a review of the past (the
    next tag then leads), one primary, the rest ordered by score."""
    if not row:
        return row
    primary = next((t for t in row if t.primary), row[0])
    if any(t.id == ASPECT for t in row) and reviews_the_past(heading, text):
        kept = [t for t in row if t.id != ASPECT]
        if kept:
            row = kept
            primary = primary if primary in kept else kept[0]
    ordered = sorted(row, key=lambda t: -t.score)
    return [Tag(t.id, t.name, t.score, primary=t is primary) for t in ordered]
