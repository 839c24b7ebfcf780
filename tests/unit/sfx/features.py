"""Measurements that tell sounds apart: spectrum, pitch, envelope, onsets, periodicity.

Plain numpy/scipy, deliberately independent of the engine's own code, so a test
measures what the audio is rather than what the engine meant it to be.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter
from scipy.signal import butter, find_peaks, sosfilt, stft, welch

Array = npt.NDArray[np.float64]


def mono(audio: npt.NDArray[np.floating]) -> Array:
    """The channel average as float64."""
    x = np.asarray(audio, dtype=np.float64)
    return x.mean(axis=1) if x.ndim == 2 else x


def spectrum(x: Array, sr: int) -> tuple[Array, Array]:
    """Welch power spectrum (frequencies, power)."""
    freqs, power = welch(x, fs=sr, nperseg=min(8192, len(x)))
    return freqs, power


def centroid(x: Array, sr: int) -> float:
    """Spectral centroid of the whole signal in Hz."""
    freqs, power = spectrum(x, sr)
    return float(np.sum(freqs * power) / np.sum(power))


def band_fraction(x: Array, sr: int, low: float, high: float) -> float:
    """Share of the power between ``low`` and ``high`` Hz."""
    freqs, power = spectrum(x, sr)
    return float(power[(freqs >= low) & (freqs < high)].sum() / power.sum())


def flatness(x: Array, sr: int) -> float:
    """Spectral flatness (geometric / arithmetic mean of power) over 100 Hz .. 8 kHz: 1 noise, ~0 tones."""
    freqs, power = spectrum(x, sr)
    band = power[(freqs > 100) & (freqs < 8000)] + 1e-20
    return float(np.exp(np.mean(np.log(band))) / np.mean(band))


def envelope(x: Array, sr: int, *, hop: float = 0.01) -> Array:
    """RMS per ``hop``-second frame."""
    size = max(1, round(hop * sr))
    frames = len(x) // size
    return np.asarray(
        np.sqrt(np.mean(x[: frames * size].reshape(frames, size) ** 2, axis=1)), dtype=np.float64
    )


def envelope_db(x: Array, sr: int, *, hop: float = 0.01) -> Array:
    """:func:`envelope` in dB relative to its maximum, floored at -100."""
    env = envelope(x, sr, hop=hop)
    return np.asarray(20 * np.log10(np.maximum(env / max(env.max(), 1e-12), 1e-5)), dtype=np.float64)


def tracks(x: Array, sr: int, *, window: int = 2048, floor_db: float = -30.0) -> tuple[Array, Array, Array]:
    """Per STFT frame: time, peak frequency, centroid; frames quieter than ``floor_db`` dropped."""
    freqs, times, cells = stft(x, fs=sr, nperseg=window, noverlap=window * 3 // 4)
    power = np.abs(cells) ** 2
    energy = power.sum(axis=0)
    keep = energy > energy.max() * 10 ** (floor_db / 10)
    peak = freqs[np.argmax(power[1:], axis=0) + 1]
    cent = (freqs[:, None] * power).sum(axis=0) / np.maximum(energy, 1e-20)
    return times[keep], peak[keep], cent[keep]


def pitch_ratio(x: Array, sr: int, *, part: float = 0.2) -> float:
    """Median peak frequency of the last ``part`` of the sounding frames over that of the first part."""
    _, peak, _ = tracks(x, sr, window=1024)
    count = max(1, int(len(peak) * part))
    return float(np.median(peak[-count:]) / np.median(peak[:count]))


def onsets(
    x: Array, sr: int, *, rise_db: float = 12.0, min_gap: float = 0.05, floor_db: float = -40.0
) -> Array:
    """Onset times: 5 ms frames whose level jumps ``rise_db`` above the quietest of the previous 50 ms."""
    hop = 0.005
    level = envelope_db(x, sr, hop=hop)
    before = np.array([level[max(0, i - 10) : max(1, i - 1)].min() for i in range(len(level))])
    rising = (level - before > rise_db) & (level > floor_db)
    peaks, _ = find_peaks(np.where(rising, level, -200.0), distance=max(1, round(min_gap / hop)))
    return np.asarray(peaks * hop, dtype=np.float64)


def transient_rate(x: Array, sr: int, *, cutoff: float = 2000.0, ratio: float = 4.0) -> float:
    """Sharp high-frequency events per second: 1 ms energies above ``ratio`` x their 50 ms median."""
    sos = butter(4, cutoff, btype="highpass", fs=sr, output="sos")
    energy = envelope(sosfilt(sos, x), sr, hop=0.001) ** 2
    local = median_filter(energy, size=51, mode="nearest")
    peaks, _ = find_peaks(energy, height=ratio * np.maximum(local, 1e-20), distance=3)
    return len(peaks) / (len(x) / sr)


def period(x: Array, sr: int, *, shortest: float, longest: float, hop: float = 0.01) -> float:
    """The envelope's dominant period in seconds, searched in ``[shortest, longest]`` (autocorrelation)."""
    env = envelope(x, sr, hop=hop)
    env = env - env.mean()
    corr = np.correlate(env, env, mode="full")[len(env) - 1 :]
    low, high = round(shortest / hop), min(round(longest / hop), len(corr) - 1)
    return (low + int(np.argmax(corr[low : high + 1]))) * hop


def periodic_strength(x: Array, sr: int, *, lag: float, hop: float = 0.01) -> float:
    """Normalised envelope autocorrelation at ``lag`` seconds (1 = perfectly periodic)."""
    env = envelope(x, sr, hop=hop)
    env = env - env.mean()
    k = round(lag / hop)
    return float(np.dot(env[:-k], env[k:]) / np.dot(env, env))


def band_levels(x: Array, sr: int) -> Array:
    """Third-octave band levels in dB from 50 Hz to 8 kHz: a coarse timbre fingerprint."""
    freqs, power = spectrum(x, sr)
    edges = 50.0 * 2 ** (np.arange(0, 23) / 3)
    return np.array(
        [
            10 * np.log10(power[(freqs >= lo) & (freqs < hi)].sum() + 1e-20)
            for lo, hi in itertools.pairwise(edges)
        ]
    )


def modulation_rate(x: Array, sr: int, *, low: float, high: float, hop: float = 0.005) -> float:
    """The strongest rate (Hz) in ``[low, high]`` at which the envelope rises and falls."""
    env = envelope(x, sr, hop=hop)
    power = np.abs(np.fft.rfft((env - env.mean()) * np.hanning(len(env)))) ** 2
    rates = np.fft.rfftfreq(len(env), hop)
    band = (rates >= low) & (rates <= high)
    return float(rates[band][np.argmax(power[band])])


def jump_rate(x: Array, sr: int, *, step_db: float = 6.0, hop: float = 0.005) -> float:
    """Abrupt level changes (more than ``step_db`` between ``hop``-second frames) per second."""
    level = envelope_db(x, sr, hop=hop)
    return float(np.sum(np.abs(np.diff(level)) > step_db) / (len(x) / sr))
