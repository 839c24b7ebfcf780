"""The whole vocal track: every placed line spoken by Festival and sung onto its notes.

Each line is spoken as a whole (so its words run together as in speech), fitted to its notes
(:mod:`.timing`) and rendered with WORLD (:mod:`.render`); the lines are then laid on one mono
track at the voice's rate, at their song times. Each note also gets its sung span (onset
consonants included), which the word timings use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mixdown.engines.singing.melody import SungNote
from mixdown.engines.singing.placement import PlacedLine
from mixdown.engines.singing.render import SungPitch, render_line
from mixdown.engines.singing.speech import speak_line
from mixdown.engines.singing.syllables import syllabify
from mixdown.engines.singing.timing import Piece, fit_syllables, lay_line
from mixdown.engines.singing.voices import F0_RANGES
from mixdown.engines.tts.voices import Voice

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class VocalTrack:
    """Mono float64 vocal at ``sample_rate``; per note (in the order given) its sung span."""

    samples: np.ndarray
    sample_rate: int
    spans: tuple[tuple[float, float], ...]


def _spans(pieces: Sequence[Piece], count: int) -> list[tuple[float, float]]:
    spans = []
    for index in range(count):
        mine = [p for p in pieces if p.note == index]
        spans.append((min(p.start for p in mine), max(p.end for p in mine)) if mine else (0.0, 0.0))
    return spans


def _sing_line(
    placed: PlacedLine, notes: Sequence[SungNote], voice: Voice, vibrato: float, folder: Path
) -> tuple[np.ndarray, float, int, list[tuple[float, float]]]:
    words = list(placed.line.spoken)
    spoken = speak_line(voice.engine_voice, words, folder, name=f"line-{placed.number}")
    counts = [len(syllabify(w)) for w in words]
    pieces = lay_line(fit_syllables(spoken.words, counts), [(n.start, n.end) for n in notes])
    pitches = [SungPitch(n.start, n.end, float(n.midi)) for n in notes]
    f0_range = F0_RANGES.get(voice.gender, F0_RANGES["unknown"])
    audio, begin = render_line(spoken, pieces, pitches, vibrato_cents=vibrato, f0_range=f0_range)
    return audio, begin, spoken.sample_rate, _spans(pieces, len(notes))


def _add(track: np.ndarray, audio: np.ndarray, begin: float, rate: int) -> None:
    first = round(begin * rate)
    skip = max(0, -first)
    part = audio[skip : skip + max(0, track.size - max(first, 0))]
    track[max(first, 0) : max(first, 0) + part.size] += part


def render_vocal(
    lines: Sequence[PlacedLine],
    notes: Sequence[SungNote],
    voice: Voice,
    *,
    duration: float,
    vibrato_cents: float,
    folder: Path,
    progress: Progress | None = None,
) -> VocalTrack:
    """All lines sung by ``voice`` on one track ``duration`` seconds long."""
    report = progress or (lambda _f, _m: None)
    track: np.ndarray | None = None
    rate = 0
    spans: dict[int, tuple[float, float]] = {}
    for count, placed in enumerate(lines):
        report(count / max(len(lines), 1), f"singing line {count + 1} of {len(lines)}")
        mine = [i for i, n in enumerate(notes) if n.line == placed.number]
        audio, begin, rate, line_spans = _sing_line(
            placed, [notes[i] for i in mine], voice, vibrato_cents, folder
        )
        if track is None:
            track = np.zeros(round(duration * rate))
        _add(track, audio, begin, rate)
        spans.update(zip(mine, line_spans, strict=True))
    if track is None:
        return VocalTrack(np.zeros(0), 16000, ())
    return VocalTrack(track, rate, tuple(spans.get(i, (n.start, n.end)) for i, n in enumerate(notes)))
