"""Generated signals and a precise pitch meter for the speed tests."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=16)
def tone(freq: float, seconds: float, rate: int, channels: int = 1) -> np.ndarray:
    """A steady sine at -6 dBFS, ``(frames, channels)`` float32, read-only."""
    wave = 0.5 * np.sin(2 * np.pi * freq * np.arange(round(seconds * rate)) / rate)
    out = np.repeat(wave[:, None], channels, axis=1).astype(np.float32)
    out.setflags(write=False)
    return out


def peak_hz(audio: np.ndarray, rate: int, *, low: float = 50.0, high: float = 5000.0) -> float:
    """Frequency of the strongest spectral peak in the middle half of ``audio`` (mono sum).

    Hann window, 8x zero padding, then parabolic interpolation on the log magnitude: a steady
    tone's frequency to well under a cent.
    """
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    quarter = mono.shape[0] // 4
    segment = mono[quarter : mono.shape[0] - quarter] * np.hanning(mono.shape[0] - 2 * quarter)
    size = 8 * segment.shape[0]
    spectrum = np.abs(np.fft.rfft(segment, size))
    bins = np.fft.rfftfreq(size, 1.0 / rate)
    band = (bins >= low) & (bins <= high)
    k = int(np.flatnonzero(band)[np.argmax(spectrum[band])])
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return float((k + offset) * rate / size)


def cents(measured: float, expected: float) -> float:
    """The interval from ``expected`` to ``measured`` in cents."""
    return float(1200.0 * np.log2(measured / expected))
