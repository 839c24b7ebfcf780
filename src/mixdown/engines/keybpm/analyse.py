"""One pass over a piece: tempo, beats, downbeats, time signature, key, Camelot code and loudness.

Everything rhythmic and tonal is read from a 44.1 kHz mono mix (essentia's beat tracker needs that
rate); the loudness (ITU-R BS.1770 integrated, gated) from the audio as given. Silence is detected
first: a silent input has a loudness and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import soxr

from mixdown.audio.pcm import as_frames, to_float32
from mixdown.engines.keybpm.backend import ESSENTIA_RATE, KEY_PROFILE, borrowed
from mixdown.engines.keybpm.meter import Meter, estimate_meter
from mixdown.engines.keybpm.onsets import low_band_rise, onset_envelope
from mixdown.engines.keybpm.rhythm import PULSE_FLOOR, Rhythm, rhythm_from_ticks
from mixdown.engines.keybpm.tonality import KeyEstimate, estimate_key, hpcp_frames
from mixdown.engines.music.produce.loudness import ABSOLUTE_GATE, integrated_loudness

# Below this the multi-feature tracker reports no confidence at all (measured: 0 up to ~6 s).
SHORT_SECONDS = 8.0
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class KeyBpmAnalysis:
    """What was measured; ``None`` where the audio gave nothing to measure (see ``warnings``)."""

    duration: float
    rhythm: Rhythm
    meter: Meter
    key: KeyEstimate | None
    loudness_lufs: float | None
    warnings: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """The headline values, for a job's metadata."""
        key, rhythm = self.key, self.rhythm
        return {
            "bpm": None if rhythm.bpm is None else round(rhythm.bpm, 2),
            "bpm_confidence": round(rhythm.confidence, 3),
            "bpm_candidates": [c.to_dict() for c in rhythm.candidates],
            "key": None if key is None else key.key,
            "scale": None if key is None else key.scale,
            "key_name": None if key is None else key.name,
            "key_confidence": None if key is None else round(key.strength, 3),
            "camelot": None if key is None else key.camelot,
            "time_signature": self.meter.time_signature if rhythm.bpm is not None else None,
            "loudness_lufs": None if self.loudness_lufs is None else round(self.loudness_lufs, 2),
            "beat_count": int(rhythm.beats.size),
            "downbeat_count": int(self.meter.downbeats.size),
            "duration": round(self.duration, 3),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> dict[str, Any]:
        """Everything, beat and downbeat times included (seconds, to the millisecond)."""
        rhythm, key = self.rhythm, self.key
        return {
            **self.summary(),
            "tempo_choice": rhythm.reason,
            "beat_tracker_confidence": round(rhythm.tracker_confidence, 3),
            "pulse_periodicity": round(rhythm.pulse, 3),
            "bass_alternation": round(rhythm.alternation, 3),
            "key_margin": None if key is None else round(key.margin, 3),
            "key_profile": KEY_PROFILE,
            "beats_per_bar": self.meter.beats_per_bar if rhythm.bpm is not None else None,
            "beats": _times(rhythm.beats),
            "downbeats": _times(self.meter.downbeats),
        }


def _times(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in values]


def _mono_44k(frames: np.ndarray, sample_rate: int) -> np.ndarray:
    # A matrix-vector product: numpy's mean over a 2-wide axis is ~10x slower.
    mono = frames @ np.full(frames.shape[1], 1.0 / frames.shape[1], dtype=np.float32)
    if sample_rate != ESSENTIA_RATE:
        mono = soxr.resample(mono, sample_rate, ESSENTIA_RATE, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def _silent(duration: float) -> KeyBpmAnalysis:
    empty = Rhythm(None, np.zeros(0), 0.0, 0.0, (), "silent input")
    return KeyBpmAnalysis(duration, empty, Meter(4, np.zeros(0)), None, None, ("the input is silent",))


def analyse_key_bpm(
    samples: np.ndarray,
    sample_rate: int,
    *,
    bpm_range: tuple[float, float] | None = None,
    progress: Progress | None = None,
) -> KeyBpmAnalysis:
    """Tempo, beats, downbeats, time signature, key and loudness of a piece.

    Parameters
    ----------
    samples
        ``(frames, channels)`` (or 1-D mono) PCM in any dtype :func:`~mixdown.audio.pcm.to_float32`
        takes.
    sample_rate
        Its rate in Hz.
    bpm_range
        ``(low, high)``: if the measured tempo is outside, its half or double inside is reported.
    progress
        Called with ``(fraction, message)`` between stages (and may raise to cancel).

    Returns
    -------
    KeyBpmAnalysis

    Examples
    --------
    >>> sr = 44100
    >>> t = np.arange(sr * 12) / sr
    >>> click = (np.sin(2 * np.pi * 1000 * t) * (t % 0.5 < 0.02)).astype(np.float32)
    >>> chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)) / 6
    >>> result = analyse_key_bpm(np.stack([click + chord] * 2, axis=1), sr)
    >>> round(result.rhythm.bpm), result.key.name
    (120, 'A minor')
    """
    report = progress or (lambda _fraction, _message: None)
    frames = to_float32(as_frames(samples))
    duration = frames.shape[0] / sample_rate
    loudness = integrated_loudness(frames, sample_rate) if frames.shape[0] else None
    if loudness is None or loudness <= ABSOLUTE_GATE:
        return _silent(duration)
    mono = _mono_44k(frames, sample_rate)
    report(0.15, "tracking beats")
    with borrowed() as algorithms:
        _, ticks, confidence, _, _ = algorithms.rhythm(mono)
        report(0.6, "reading the key")
        chroma = hpcp_frames(algorithms, mono)
        key = estimate_key(chroma, algorithms.key)
    report(0.8, "choosing tempo and bars")
    ticks, low_rise = np.asarray(ticks, dtype=np.float64), low_band_rise(mono)
    rhythm = rhythm_from_ticks(ticks, float(confidence), onset_envelope(mono), low_rise, bpm_range=bpm_range)
    meter = estimate_meter(chroma, low_rise, rhythm.beats)
    return KeyBpmAnalysis(duration, rhythm, meter, key, loudness, _warnings(duration, rhythm, key))


def _warnings(duration: float, rhythm: Rhythm, key: KeyEstimate | None) -> tuple[str, ...]:
    notes = []
    if duration < SHORT_SECONDS:
        notes.append(f"the input is shorter than {SHORT_SECONDS:g} s: tempo and key are rough")
    if rhythm.bpm is None:
        notes.append("no beats found")
    elif rhythm.pulse < PULSE_FLOOR:
        notes.append("no clear steady pulse: the tempo may mean little")
    if rhythm.reason == "bpm_range":
        notes.append("the tempo was moved by an octave into bpm_range")
    elif rhythm.reason.endswith("in bpm_range"):
        notes.append("no octave of the measured tempo lies in bpm_range")
    if key is None:
        notes.append("no pitched content: no key")
    return tuple(notes)
