"""Onset envelopes at 44.1 kHz: full-band spectral flux (hi-hats included) and the bass band's rise.

Both have one value every ``HOP`` samples (5.8 ms). Full band matters: the evidence for a beat
level is what happens between its beats, and eighth-note hi-hats live above 5 kHz -- an envelope
at a low analysis rate (the music engine's 11025 Hz) loses them and sees no subdivision where
there is one. Value ``k`` is dated at the centre of frame ``k``'s window.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import butter, sosfilt

from mixdown.engines.keybpm.backend import ESSENTIA_RATE

FRAME, HOP = 1024, 256
ENVELOPE_RATE = ESSENTIA_RATE / HOP  # values per second
LOW_BAND_HZ = 150.0
_TREND_FRAMES = 32  # ~0.19 s: slow loudness changes are not onsets
_BATCH = 2048  # frames per FFT batch: bounded memory on long inputs


def _frame_count(samples: int) -> int:
    return 1 + max(0, samples - FRAME) // HOP


def onset_envelope(mono: np.ndarray) -> np.ndarray:
    """Spectral flux of log magnitudes of 44.1 kHz mono audio, its slow trend removed.

    Examples
    --------
    >>> x = np.zeros(ESSENTIA_RATE, dtype=np.float32)
    >>> x[ESSENTIA_RATE // 2 :] = np.sin(np.arange(ESSENTIA_RATE // 2) * 0.1)  # a tone from 0.5 s
    >>> env = onset_envelope(x)
    >>> abs(int(np.argmax(env)) - int(frame_of(np.array([0.5]))[0])) <= 1
    True
    """
    if mono.size < FRAME:
        return np.zeros(0)
    window = np.hanning(FRAME).astype(np.float32)
    frames = sliding_window_view(np.asarray(mono, dtype=np.float32), FRAME)[::HOP]
    flux, previous = [], None
    for first in range(0, frames.shape[0], _BATCH):
        spectrum = scipy.fft.rfft(frames[first : first + _BATCH] * window, axis=1)
        mags = np.log1p(np.float32(100.0) * np.abs(spectrum))
        stacked = mags if previous is None else np.vstack([previous, mags])
        rises = np.maximum(np.diff(stacked, axis=0), np.float32(0.0)).sum(axis=1, dtype=np.float64)
        flux.append(np.concatenate([[0.0], rises]) if previous is None else rises)
        previous = mags[-1:]
    envelope = np.concatenate(flux)
    trend = np.convolve(envelope, np.ones(_TREND_FRAMES) / _TREND_FRAMES, mode="same")
    return np.asarray(np.maximum(0.0, envelope - trend))


def low_band_rise(mono: np.ndarray) -> np.ndarray:
    """Per envelope value, the rise of log energy below ``LOW_BAND_HZ`` (kick and bass attacks).

    Examples
    --------
    >>> t = np.arange(ESSENTIA_RATE) / ESSENTIA_RATE
    >>> thump = np.where(t > 0.5, np.sin(2 * np.pi * 60 * t), 0.0)
    >>> abs(int(np.argmax(low_band_rise(thump))) - int(frame_of(np.array([0.5]))[0])) <= 2
    True
    """
    count = _frame_count(mono.size)
    if mono.size < FRAME:
        return np.zeros(0)
    sos = butter(4, LOW_BAND_HZ, btype="low", fs=ESSENTIA_RATE, output="sos")
    low = sosfilt(sos, np.asarray(mono, dtype=np.float64)) ** 2
    sums = np.concatenate([[0.0], np.cumsum(low)])
    # Energy of each frame's centre half (FRAME / 2 around its centre), so values share the envelope's dates.
    centres = np.arange(count) * HOP + FRAME // 2
    energy = (sums[centres + FRAME // 4] - sums[centres - FRAME // 4]) / (FRAME // 2)
    log_energy = np.log1p(1000.0 * energy)
    return np.maximum(0.0, np.diff(log_energy, prepend=log_energy[:1]))


def frame_of(times: np.ndarray) -> np.ndarray:
    """The envelope index dated nearest each time (seconds)."""
    return np.round((np.asarray(times) * ESSENTIA_RATE - FRAME / 2) / HOP).astype(int)


def strength_at(envelope: np.ndarray, times: np.ndarray, *, slack: int = 3) -> np.ndarray:
    """The envelope's maximum within ``slack`` values (±17 ms) of each time.

    Examples
    --------
    >>> env = np.zeros(1000)
    >>> env[frame_of(np.array([1.0]))] = 5.0
    >>> strength_at(env, np.array([1.01, 2.0])).tolist()
    [5.0, 0.0]
    """
    if envelope.size == 0:
        return np.zeros(np.asarray(times).size)
    frames = np.clip(frame_of(times), 0, envelope.size - 1)
    padded = np.pad(envelope, slack)
    return np.asarray(np.max([padded[frames + shift] for shift in range(2 * slack + 1)], axis=0))
