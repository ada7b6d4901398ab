"""The tagger interface: texts in, ranked tags out (multi-label, `other` when nothing fits)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass
class Tag:
    id: str
    name: str
    score: float


class Tagger(ABC):
    name: str = "base"

    @property
    def engine_used(self) -> str:
        """The engine that actually tags: `name`, unless this one hands its work to another."""
        return self.name

    @abstractmethod
    def classify(self, texts: list[str], headings: list[str | None] | None = None) -> list[list[Tag]]:
        """For each text, its tags best first (at least one; `other` when nothing fits)."""
