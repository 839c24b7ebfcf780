"""Backing tracks whose tempo, key and chords are known, and a pitch check for sung notes.

The backings are composed and produced by the music engine with their lead and counter-melody
parts left out (what a singer is given); the score keeps the truth: ``score.chords``,
``score.bpm``, ``score.key_tonic``. Sung pitch is read with WORLD's Harvest on the middle 40 % of
each note (the glide in and the next syllable's consonants stay out).
"""

from __future__ import annotations

import io
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import soundfile as sf

from mixdown.engines.music.score import Score

LEAD_PARTS = ("lead", "counter")


@dataclass(frozen=True)
class Backing:
    """A rendered backing track and the score it was rendered from."""

    audio: np.ndarray  # (frames, 2) float32
    rate: int
    score: Score

    def wav(self) -> bytes:
        """16-bit WAV bytes."""
        out = io.BytesIO()
        sf.write(out, self.audio, self.rate, format="WAV", subtype="PCM_16")
        return out.getvalue()


def _spec(style: str, seconds: float, tonic: int) -> Any:
    from mixdown.engines.music.spec import MusicSpec, StyleWeight
    from mixdown.engines.music.style import load_styles

    profile = load_styles()[style]
    return MusicSpec(
        prompt=f"{style} backing",
        styles=(StyleWeight(style, 1.0),),
        bpm=profile.default_tempo,
        key_tonic=tonic,
        mode=next(iter(profile.modes)),
        meter=profile.meter,
        duration=seconds,
        explicit=frozenset({"key"}),
    )


@lru_cache(maxsize=8)
def backing(
    style: str = "pop", seconds: float = 12.0, seed: int = 3, tonic: int = 0, rate: int = 44100
) -> Backing:
    """A backing track of ``style`` (drums, bass, chords, pads), cached per process."""
    from mixdown.engines.music.compose import compose
    from mixdown.engines.music.produce.files import produce_to_files

    score = compose(_spec(style, seconds, tonic), seed)
    score.parts = [p for p in score.parts if p.name not in LEAD_PARTS]
    with tempfile.TemporaryDirectory(prefix="backing-") as folder:
        mix = produce_to_files(score, sample_rate=rate, directory=folder).mix
        audio, read_rate = sf.read(str(mix), dtype="float32", always_2d=True)
    return Backing(audio, int(read_rate), score)


def chord_quality(pitches: tuple[int, ...], root: int) -> str:
    """major or minor, from a voicing's third above the root (major when it has none)."""
    classes = {p % 12 for p in pitches}
    return "minor" if (root + 3) % 12 in classes and (root + 4) % 12 not in classes else "major"


def harvest(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """F0 (Hz, 0 unvoiced) and frame times of mono or stereo audio, 5 ms frames."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyworld

    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    f0, times = pyworld.harvest(
        np.ascontiguousarray(mono, dtype=np.float64), rate, f0_floor=60.0, f0_ceil=900.0
    )
    return f0, times


def note_errors(samples: np.ndarray, rate: int, notes: list[dict[str, Any]]) -> list[float | None]:
    """Cents from each note's MIDI pitch to the median F0 of its middle 40 % (None: unvoiced there)."""
    f0, times = harvest(samples, rate)
    errors: list[float | None] = []
    for note in notes:
        length = note["end"] - note["start"]
        mask = (times >= note["start"] + 0.3 * length) & (times < note["start"] + 0.7 * length) & (f0 > 0)
        if mask.sum() < 2:
            errors.append(None)
            continue
        hz = 440.0 * 2.0 ** ((note["midi"] - 69) / 12)
        errors.append(float(1200 * np.log2(np.median(f0[mask]) / hz)))
    return errors


def share_within(errors: list[float | None], cents: float = 50.0) -> float:
    """Share of notes sung within ``cents`` (an unvoiced note counts as a miss)."""
    return sum(e is not None and abs(e) <= cents for e in errors) / max(len(errors), 1)


@lru_cache(maxsize=4)
def analysed(style: str = "pop", seconds: float = 24.0, seed: int = 3, tonic: int = 9) -> Any:
    """The singing engine's analysis of :func:`backing` (an ``Instrumental``), cached per process."""
    from mixdown.engines.singing.instrumental import analyse_instrumental

    track = backing(style, seconds, seed, tonic)
    return analyse_instrumental(track.audio, track.rate)
