"""Spectrogram tools of the embedded separator: STFT geometry, kernel medians and frequency priors.

Signals are float32 ``(frames, channels)``; spectrograms are complex ``(channels, bins, frames)``
(librosa's layout per channel). The window is ~93 ms at any rate (4096 samples at 44.1 kHz), so
kernel sizes in bins and frames mean the same in Hz and seconds at every rate the engine sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

Floats = npt.NDArray[np.float32]
Complexes = npt.NDArray[np.complex64]
EPS = 1e-10


@dataclass(frozen=True)
class Geometry:
    """STFT size, hop and the bin frequencies for one sample rate."""

    sample_rate: int
    n_fft: int

    @property
    def hop(self) -> int:
        """A quarter window."""
        return self.n_fft // 4

    @property
    def freqs(self) -> npt.NDArray[np.float64]:
        """Centre frequency of each bin in Hz."""
        return np.arange(self.n_fft // 2 + 1) * self.sample_rate / self.n_fft

    @property
    def bin_hz(self) -> float:
        """Bin spacing in Hz."""
        return self.sample_rate / self.n_fft


def geometry(sample_rate: int) -> Geometry:
    """The power-of-two window nearest 93 ms at ``sample_rate``.

    Examples
    --------
    >>> geometry(44100).n_fft, geometry(22050).n_fft, geometry(48000).hop
    (4096, 2048, 1024)
    """
    return Geometry(sample_rate, 2 ** round(math.log2(0.093 * sample_rate)))


def stft(samples: Floats, geo: Geometry) -> Complexes:
    """``(frames, channels)`` -> complex ``(channels, bins, stft_frames)``."""
    import librosa

    return np.stack(
        [
            librosa.stft(np.ascontiguousarray(samples[:, c]), n_fft=geo.n_fft, hop_length=geo.hop)
            for c in range(samples.shape[1])
        ]
    ).astype(np.complex64)


def istft(spectra: Complexes, geo: Geometry, length: int) -> Floats:
    """Inverse of :func:`stft`: ``(frames, channels)`` float32 of exactly ``length`` frames."""
    import librosa

    out = [librosa.istft(spectra[c], hop_length=geo.hop, length=length) for c in range(spectra.shape[0])]
    return np.stack(out, axis=1).astype(np.float32)


def vertical(magnitude: Floats, bins: int) -> Floats:
    """Median over ``bins`` neighbouring bins in each frame: high where a frame is broadband."""
    return np.asarray(ndimage.median_filter(magnitude, size=(bins, 1)), dtype=np.float32)


def horizontal(magnitude: Floats, frames: int) -> Floats:
    """Median over ``frames`` neighbouring frames in each bin: high where a bin is steady."""
    return np.asarray(ndimage.median_filter(magnitude, size=(1, frames)), dtype=np.float32)


def high_prior(geo: Geometry, gain: float, *, start: float = 2000.0, stop: float = 6000.0) -> Floats:
    """Per-bin weight rising (log-frequency) from 1 at ``start`` Hz to ``gain`` at ``stop`` Hz.

    Examples
    --------
    >>> w = high_prior(geometry(44100), 2.0)
    >>> float(w[10]), float(w[-1])
    (1.0, 2.0)
    """
    with np.errstate(divide="ignore"):
        position = (np.log(geo.freqs + 1.0) - math.log(start)) / (math.log(stop) - math.log(start))
    return (1.0 + (gain - 1.0) * np.clip(position, 0.0, 1.0)).astype(np.float32)


def low_pass(geo: Geometry, cutoff: float, order: int = 8) -> Floats:
    """Butterworth-shaped magnitude weight per bin: 1 well below ``cutoff`` Hz, 0 well above.

    Examples
    --------
    >>> w = low_pass(geometry(44100), 300.0)
    >>> round(float(w[2]), 3), round(float(w[300]), 6)
    (1.0, 0.0)
    """
    return (1.0 / (1.0 + (geo.freqs / cutoff) ** order)).astype(np.float32)


def stereo_similarity(spectra: Complexes) -> Floats:
    """Per bin, how alike left and right are: 1 for a centred source, 0 for one side alone.

    ``2 |L R*| / (|L|^2 + |R|^2)``; 1 everywhere for mono.
    """
    if spectra.shape[0] < 2:
        return np.ones(spectra.shape[1:], dtype=np.float32)
    left, right = spectra[0], spectra[1]
    cross = 2.0 * np.abs(left * np.conj(right))
    power = np.abs(left) ** 2 + np.abs(right) ** 2
    similarity: Floats = (cross / (power + EPS)).astype(np.float32)
    return similarity
