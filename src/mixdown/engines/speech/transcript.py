"""What a transcription produces: segments of text with times, optionally per word."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Word:
    """One word with its start and end in seconds; ``probability`` when the engine gives one."""

    text: str
    start: float
    end: float
    probability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON view (times rounded to milliseconds)."""
        body: dict[str, Any] = {"word": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}
        if self.probability is not None:
            body["probability"] = round(self.probability, 4)
        return body


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A stretch of speech (a phrase or sentence) and its words, if they were asked for."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def to_dict(self, index: int) -> dict[str, Any]:
        """The JSON view, numbered from 0."""
        body: dict[str, Any] = {
            "id": index,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
        }
        if self.words:
            body["words"] = [word.to_dict() for word in self.words]
        return body


@dataclass(frozen=True, kw_only=True)
class Transcript:
    """The whole result: text, language, segments, and which engine and model made it."""

    segments: tuple[Segment, ...]
    language: str
    language_probability: float | None
    duration: float
    engine: str
    model: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The segments' text joined with spaces."""
        return " ".join(seg.text for seg in self.segments if seg.text)

    @property
    def words(self) -> list[Word]:
        """Every word of every segment, in order."""
        return [word for seg in self.segments for word in seg.words]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document delivered as a result."""
        probability = self.language_probability
        return {
            "text": self.text,
            "language": self.language,
            "language_probability": None if probability is None else round(probability, 4),
            "duration": round(self.duration, 3),
            "engine": self.engine,
            "model": self.model,
            **self.extra,
            "segments": [seg.to_dict(i) for i, seg in enumerate(self.segments)],
        }
