"""Generated material for the mastering tests (short: every test masters in well under a second)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import butter, sosfilt

RATE = 44100


def _frozen(audio: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(audio, dtype=np.float32)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=8)
def music_like(seconds: float = 6.0, seed: int = 0, width: float = 0.3) -> np.ndarray:
    """Chords of decaying harmonic notes over a noise-burst beat, stereo, peaks ~-6 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    beat = 0.5
    env = np.exp(-(t % beat) * 6.0)
    chord = sum(
        np.sin(2 * np.pi * f * t) / (k + 1) for k, f in enumerate((110.0, 220.0, 277.2, 329.6, 440.0))
    )
    hits = rng.standard_normal(n) * np.exp(-(t % beat) * 40.0) * 0.6
    mid = 0.15 * chord * env + 0.3 * hits
    side = width * np.convolve(rng.standard_normal(n) * 0.05, np.ones(8) / 8, mode="same")
    return _frozen(np.stack([mid + side, mid - side], axis=1) * 0.5)


@lru_cache(maxsize=4)
def speech_like(seconds: float = 6.0, seed: int = 1) -> np.ndarray:
    """Mono bursts of band-passed, pitch-modulated pulses with pauses: syllables and silences."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = 120.0 + 30.0 * np.sin(2 * np.pi * 0.7 * t)
    voiced = np.sign(np.sin(2 * np.pi * np.cumsum(f0) / RATE))
    syllables = (np.sin(2 * np.pi * 4.0 * t) > 0.2) & ((t % 2.0) < 1.5)
    sos = butter(4, [300.0, 3400.0], btype="band", fs=RATE, output="sos")
    voice = sosfilt(sos, voiced + 0.1 * rng.standard_normal(n)) * syllables
    return _frozen((0.2 * voice)[:, None])


@lru_cache(maxsize=4)
def clicks(seconds: float = 4.0) -> np.ndarray:
    """A quiet noise bed under full-scale clicks ten times a second: peaks 40 dB over the rest."""
    rng = np.random.default_rng(3)
    out = rng.standard_normal((int(seconds * RATE), 2)) * 0.01
    out[:: RATE // 10] = 0.95
    return _frozen(out)


def tilted(audio: np.ndarray, db_per_octave: float) -> np.ndarray:
    """``audio`` with a spectral tilt of ``db_per_octave`` around 1 kHz (FFT, zero phase)."""
    spectrum = np.fft.rfft(audio, axis=0)
    freqs = np.maximum(np.fft.rfftfreq(audio.shape[0], 1.0 / RATE), 20.0)
    gain = 10.0 ** (db_per_octave * np.log2(freqs / 1000.0) / 20.0)
    return _frozen(np.fft.irfft(spectrum * gain[:, None], audio.shape[0], axis=0))
