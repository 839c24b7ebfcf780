"""Pieces shared by the building tests: specs built directly, renders cached per session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf

from mixdown.audio.export import to_pcm16
from mixdown.engines.music.compose import compose
from mixdown.engines.music.produce import produce
from mixdown.engines.music.score import Note, Part, PartMix, Score, Stem
from mixdown.engines.music.spec import MusicSpec, StyleWeight

RATE = 22050
# A two-bar-phrase tune: (beat, beats, MIDI pitch), A minor.
TUNE = (
    (0, 1, 69), (1, 0.5, 72), (1.5, 0.5, 71), (2, 1, 69), (3, 1, 64), (4, 0.5, 65), (4.5, 0.5, 67),
    (5, 1, 69), (6, 2, 72), (8, 1, 74), (9, 1, 72), (10, 0.5, 71), (10.5, 0.5, 72), (11, 1, 74),
    (12, 1.5, 76), (13.5, 0.5, 74), (14, 2, 72),
)  # fmt: skip
TUNE_STEPS = tuple((round(beat * 4), round(beats * 4), pitch) for beat, beats, pitch in TUNE)


def make_spec(
    style: str = "pop",
    *,
    bpm: float = 120.0,
    tonic: int = 9,
    mode: str = "minor",
    duration: float = 20.0,
    explicit: frozenset[str] = frozenset({"bpm", "key", "mode"}),
    **changes: object,
) -> MusicSpec:
    """A spec built directly (no prompt understanding: no embedding model to load)."""
    values: dict[str, object] = {
        "prompt": f"{style} test",
        "styles": (StyleWeight(style, 1.0),),
        "bpm": bpm,
        "key_tonic": tonic,
        "mode": mode,
        "meter": (4, 4),
        "duration": duration,
        "sample_rate": RATE,
        "explicit": explicit,
        **changes,
    }
    return MusicSpec(**values)  # type: ignore[arg-type]


@cache
def rendered(style: str, bpm: float, tonic: int, mode: str, seed: int = 3) -> tuple[Score, np.ndarray]:
    """A composed 20 s piece and its mastered mix at 22.05 kHz."""
    score = compose(make_spec(style, bpm=bpm, tonic=tonic, mode=mode), seed)
    return score, produce(score, sample_rate=RATE).mix


@cache
def tune_audio(program: int = 73, bpm: float = 110.0) -> np.ndarray:
    """``TUNE`` played by one instrument (notes at 90 % of their length), starting after 0.5 s."""
    beat = 60.0 / bpm
    notes = [Note(0.5 + b * beat, d * beat * 0.9, p, 100) for b, d, p in TUNE]
    part = Part(name="lead", stem=Stem.MELODY, program=program, notes=notes, mix=PartMix(reverb_send=0.1))
    score = Score(bpm=bpm, meter=(4, 4), key_tonic=9, mode="minor", duration=0.5 + 16 * beat + 1.0,
                  sections=[], chords=[], parts=[part])  # fmt: skip
    return produce(score, sample_rate=RATE).mix


def write_pcm16(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    """``audio`` as a 16-bit WAV file."""
    sf.write(path, to_pcm16(audio), rate, subtype="PCM_16")
    return path
