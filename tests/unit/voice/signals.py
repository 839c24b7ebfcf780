"""Voice-like test signals with known pitch and formants, and the meters the voice tests read.

``vowel`` is a source-filter vowel: harmonics of a slowly wandering F0 with a -6 dB/octave
glottal roll-off, each weighted by a formant envelope (second-order resonances), so its pitch and
formant frequencies are known by construction. ``f0_contour`` is librosa's YIN (not WORLD: the
meter must not be the method under test) on an upsampled copy so its parabolic interpolation is
well under a cent; ``shift_error_cents`` compares two contours frame against frame.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np
import soxr

VOWEL_A = (700.0, 1220.0, 2600.0)
BANDWIDTHS = (90.0, 110.0, 160.0)
METER_RATE = 48000


def envelope(hz: np.ndarray, formants: tuple[float, ...] = VOWEL_A) -> np.ndarray:
    """Magnitude of a cascade of second-order resonances at ``formants`` (peak gain ~1 each)."""
    gain = np.ones_like(hz)
    for centre, width in zip(formants, BANDWIDTHS, strict=False):
        gain = gain * (centre**2) / np.sqrt((centre**2 - hz**2) ** 2 + (width * hz) ** 2)
    return gain


@lru_cache(maxsize=16)
def vowel(
    f0: float = 130.0,
    seconds: float = 1.5,
    rate: int = 16000,
    *,
    formants: tuple[float, ...] = VOWEL_A,
    vibrato_cents: float = 30.0,
    level: float = 0.3,
) -> np.ndarray:
    """A sung /a/ at ``f0`` with a 4 Hz vibrato, float32 ``(frames,)``, peak ``level``, read-only."""
    t = np.arange(round(seconds * rate)) / rate
    inst = f0 * 2.0 ** (vibrato_cents * np.sin(2 * np.pi * 4.0 * t) / 1200.0)
    phase = 2 * np.pi * np.cumsum(inst) / rate
    out = np.zeros_like(t)
    for k in range(1, int(0.45 * rate / (f0 * 1.05))):
        out += envelope(k * inst, formants) / k * np.sin(k * phase)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    out = out * fade
    out = (level * out / np.abs(out).max()).astype(np.float32)
    out.setflags(write=False)
    return out


def f0_contour(audio: np.ndarray, rate: int, *, low: float = 60.0, high: float = 900.0) -> np.ndarray:
    """log2 F0 per 10 ms frame; NaN where quiet, out of range or not steady."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    mono = soxr.resample(mono.astype(np.float64), rate, METER_RATE)
    frame = 1 << int(np.ceil(np.log2(2.2 * METER_RATE / low)))
    hop = METER_RATE // 100
    f0 = librosa.yin(mono, fmin=low, fmax=high, sr=METER_RATE, frame_length=frame, hop_length=hop)
    rms = librosa.feature.rms(y=mono, frame_length=frame, hop_length=hop)[0][: f0.shape[0]]
    logs = np.log2(f0)
    steady = np.zeros(logs.shape, dtype=bool)
    steady[1:-1] = (np.abs(np.diff(logs)[:-1]) < 0.03) & (np.abs(np.diff(logs)[1:]) < 0.03)
    keep = (rms > 0.1 * rms.max()) & (f0 > low * 1.02) & (f0 < high / 1.02) & steady
    return np.where(keep, logs, np.nan)


def shift_error_cents(before: np.ndarray, after: np.ndarray, rate: int, semitones: float) -> float:
    """Median frame-by-frame F0 change from ``before`` to ``after`` minus ``semitones``, in cents."""
    ratio = 2.0 ** (semitones / 12.0)
    start = f0_contour(before, rate)
    end = f0_contour(after, rate, low=60.0 * ratio, high=900.0 * ratio)
    n = min(start.shape[0], end.shape[0])
    moved = 1200.0 * (end[:n] - start[:n])
    matched = moved[np.isfinite(moved)]
    assert matched.size > 20, f"only {matched.size} frames voiced in both"
    return float(np.median(matched) - 100.0 * semitones)


def formant_peaks(audio: np.ndarray, rate: int, count: int = 3) -> list[float]:
    """The ``count`` lowest formant frequencies (Hz) by LPC on the middle half of ``audio``."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    quarter = mono.shape[0] // 4
    part = mono[quarter:-quarter].astype(np.float64)
    part = np.append(part[0], part[1:] - 0.63 * part[:-1]) * np.hamming(part.shape[0])
    coefficients = librosa.lpc(part, order=2 + rate // 1000)
    roots = [r for r in np.roots(coefficients) if np.imag(r) > 0]
    hz = np.angle(roots) * rate / (2 * np.pi)
    width = -np.log(np.abs(roots)) * rate / np.pi
    return sorted(float(f) for f, w in zip(hz, width, strict=True) if f > 200.0 and w < 500.0)[:count]


def band_share(audio: np.ndarray, rate: int, low: float, high: float) -> float:
    """Share of the power between ``low`` and ``high`` Hz."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    power = np.abs(np.fft.rfft(mono.astype(np.float64))) ** 2
    hz = np.fft.rfftfreq(mono.shape[0], 1.0 / rate)
    return float(power[(hz >= low) & (hz <= high)].sum() / power.sum())


def periodicity(audio: np.ndarray, rate: int, f0: float, *, frame_seconds: float = 0.04) -> float:
    """Median over loud frames of the best normalised autocorrelation within 6 % of the period of ``f0``.

    A voiced vowel reads near 1; noise through the same formants reads low (a narrow resonance
    looks periodic to a pitch tracker at its own frequency, but not at the voice's period).
    """
    mono = (audio.mean(axis=1) if audio.ndim == 2 else audio).astype(np.float64)
    size = round(frame_seconds * rate)
    lags = range(round(rate / f0 / 1.06), round(rate / f0 * 1.06) + 1)
    frames = mono[: mono.shape[0] // size * size].reshape(-1, size)
    loud = frames[np.sqrt(np.mean(frames**2, axis=1)) > 0.1 * np.sqrt(np.mean(mono**2))]
    scores = [_best_correlation(loud[i], loud[i + 1], lags) for i in range(loud.shape[0] - 1)]
    return float(np.median(scores))


def _best_correlation(frame: np.ndarray, following: np.ndarray, lags: range) -> float:
    """Best normalised correlation of ``frame`` with itself delayed by one of ``lags``."""
    both = np.concatenate([frame, following])
    size = frame.shape[0]
    best = 0.0
    for lag in lags:
        later = both[lag : lag + size]
        best = max(best, float(np.dot(frame, later) / np.sqrt(np.dot(frame, frame) * np.dot(later, later))))
    return best
