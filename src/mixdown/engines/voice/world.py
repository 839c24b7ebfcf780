"""WORLD analysis and synthesis of one mono signal (``pyworld``).

WORLD splits a voice into three parts on a 5 ms frame grid: the fundamental frequency (F0, 0 in
unvoiced frames), the smooth spectral envelope (CheapTrick: the vocal tract, where formants are)
and the aperiodicity (D4C: how noisy each band is). Changing F0 and resynthesizing moves the pitch
with the formants kept; warping the envelope moves the formants with the pitch kept.

F0 trackers: ``high`` quality is Harvest (robust voicing, ~0.2x real time whatever the rate),
``fast`` is DIO refined by StoneMask (~0.02x real time). Both hit a requested shift within a few
cents on TTS voices (bench/bench_voice_change.py); Harvest makes fewer voicing errors, which
would come out as buzz on breath or hoarse patches in vowels.

WORLD needs at least :data:`MIN_RATE`: at 8 kHz D4C reads every band as aperiodic (measured: an
8 kHz voice resynthesized as noise), so callers resample lower rates up first.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Float64: TypeAlias = npt.NDArray[np.float64]
Quality: TypeAlias = Literal["high", "fast"]
QUALITIES: tuple[Quality, ...] = ("high", "fast")

FRAME_PERIOD_MS = 5.0
MIN_RATE = 16000
# WORLD's own defaults: a lower floor doubles CheapTrick's FFT (and its memory) at 44.1 kHz.
F0_FLOOR = 71.0
F0_CEIL = 800.0


@cache
def pyworld() -> Any:
    """The ``pyworld`` module; it imports ``pkg_resources``, whose deprecation warning is hidden."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return importlib.import_module("pyworld")


def frame_count(samples: int, sample_rate: int, *, frame_period: float = FRAME_PERIOD_MS) -> int:
    """Frames WORLD analyses ``samples`` into: one every ``frame_period`` ms, from time 0.

    Examples
    --------
    >>> frame_count(16000, 16000)
    201
    """
    return int(samples / sample_rate * 1000.0 / frame_period) + 1


def frame_times(count: int, *, frame_period: float = FRAME_PERIOD_MS) -> Float64:
    """Times (s) of ``count`` frames from 0."""
    return np.arange(count, dtype=np.float64) * frame_period / 1000.0


def track_f0(
    x: Float64,
    sample_rate: int,
    *,
    quality: Quality = "high",
    f0_floor: float = F0_FLOOR,
    f0_ceil: float = F0_CEIL,
) -> Float64:
    """F0 (Hz, 0 where unvoiced) of mono float64 ``x``, one value per frame of :func:`frame_count`.

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> x = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 8))
    >>> f0 = track_f0(x, sr, quality="fast")
    >>> f0.shape, round(float(np.median(f0[f0 > 0])))
    ((201,), 150)
    """
    world = pyworld()
    x = np.ascontiguousarray(x, dtype=np.float64)
    period = FRAME_PERIOD_MS
    if quality == "high":
        f0, _ = world.harvest(x, sample_rate, f0_floor=f0_floor, f0_ceil=f0_ceil, frame_period=period)
    else:
        f0, t = world.dio(x, sample_rate, f0_floor=f0_floor, f0_ceil=f0_ceil, frame_period=period)
        f0 = world.stonemask(x, f0, t, sample_rate)
    return _fit(np.asarray(f0, dtype=np.float64), frame_count(x.shape[0], sample_rate))


@dataclass(frozen=True)
class Analysis:
    """A signal in WORLD's terms: ``(frames,)`` F0 and ``(frames, bins)`` envelope and aperiodicity."""

    f0: Float64
    envelope: Float64
    aperiodicity: Float64
    sample_rate: int


def analyse(x: Float64, sample_rate: int, f0: Float64) -> Analysis:
    """Envelope (CheapTrick) and aperiodicity (D4C) of ``x`` on the frames of ``f0``.

    Examples
    --------
    >>> sr = 16000
    >>> x = np.sin(2 * np.pi * 200 * np.arange(sr // 2) / sr)
    >>> found = analyse(x, sr, np.full(frame_count(sr // 2, sr), 200.0))
    >>> found.envelope.shape, found.aperiodicity.shape
    ((101, 513), (101, 513))
    """
    world = pyworld()
    x = np.ascontiguousarray(x, dtype=np.float64)
    f0 = np.ascontiguousarray(f0, dtype=np.float64)
    times = frame_times(f0.shape[0])
    envelope = world.cheaptrick(x, f0, times, sample_rate, f0_floor=F0_FLOOR)
    aperiodicity = world.d4c(x, f0, times, sample_rate)
    return Analysis(f0=f0, envelope=envelope, aperiodicity=aperiodicity, sample_rate=sample_rate)


def synthesize(analysis: Analysis, length: int) -> Float64:
    """The waveform of ``analysis``, exactly ``length`` samples (WORLD's own runs a frame longer).

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> x = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 10))
    >>> found = analyse(x, sr, track_f0(x, sr, quality="fast"))
    >>> synthesize(found, sr).shape
    (16000,)
    """
    world = pyworld()
    out = world.synthesize(
        np.ascontiguousarray(analysis.f0),
        np.ascontiguousarray(analysis.envelope),
        np.ascontiguousarray(analysis.aperiodicity),
        analysis.sample_rate,
        frame_period=FRAME_PERIOD_MS,
    )
    return _fit(np.asarray(out, dtype=np.float64), length, fill=0.0)


def _fit(values: Float64, length: int, *, fill: float | None = None) -> Float64:
    """``values`` cut, or padded to ``length`` with ``fill`` (default: their last value, or 0)."""
    if values.shape[0] >= length:
        return values[:length]
    if fill is None:
        fill = float(values[-1]) if values.shape[0] else 0.0
    return np.concatenate([values, np.full(length - values.shape[0], fill)])
