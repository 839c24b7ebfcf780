"""Reference mastering: match a reference's tonal balance and stereo width (loudness is the chain's job).

The method is the one matchering popularised, rebuilt here on scipy:

1. **Long-term average spectrum** of each signal's mid channel: Hann-windowed 4096-point frames,
   the quiet ones dropped (absolute gate -70 dB and a relative gate 20 dB under the energy mean of
   the rest, as loudness gating does), power averaged, then smoothed over third-octave bands centred
   on a 1/12-octave grid (20 Hz to 95 % of Nyquist).
2. **EQ curve** = reference minus input, in dB, with its mean over the grid removed (level is the
   loudness stage's job), smoothed again over half an octave and clipped to +-``max_eq_db``.
3. A **linear-phase FIR** (``scipy.signal.firwin2``, 4097 taps) realises the curve; its delay is
   removed, so the output lines up with the input sample for sample.
4. **Width**: the side/mid RMS ratio of the input is moved to the reference's by scaling the side,
   within ``MAX_SIDE_GAIN``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import firwin2, oaconvolve

from mixdown.engines.mastering.presets import scale_side

FRAME = 4096
HOP = 2048
GRID_PER_OCTAVE = 12
BAND_OCTAVES = 1.0 / 3.0  # smoothing of the spectra
CURVE_OCTAVES = 0.5  # smoothing of the difference
LOWEST_HZ = 20.0
FIR_TAPS = 4097
MAX_SIDE_GAIN = 2.0
FRAME_GATE_DB = -20.0
SILENT_DB = -70.0


@dataclass(frozen=True)
class Profile:
    """What reference matching compares: a smoothed spectrum (dB on ``freqs``) and the stereo width."""

    freqs: np.ndarray
    spectrum_db: np.ndarray
    width: float | None  # side RMS / mid RMS; None for mono

    def on(self, freqs: np.ndarray) -> np.ndarray:
        """The spectrum interpolated onto other grid frequencies (held flat past its ends)."""
        return np.asarray(np.interp(np.log(freqs), np.log(self.freqs), self.spectrum_db))


def grid(sample_rate: int) -> np.ndarray:
    """Log-spaced analysis frequencies, ``GRID_PER_OCTAVE`` per octave, 20 Hz to 95 % of Nyquist."""
    top = 0.95 * sample_rate / 2.0
    count = math.floor(math.log2(top / LOWEST_HZ) * GRID_PER_OCTAVE) + 1
    return np.asarray(LOWEST_HZ * 2.0 ** (np.arange(count) / GRID_PER_OCTAVE))


def gated_mean_power(frames: np.ndarray) -> np.ndarray | None:
    """Mean power spectrum over STFT frames ``(n, bins)`` loud enough to count; None if all are quiet."""
    energy = frames.sum(axis=1)
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(energy / FRAME + 1e-30)
    keep = level > SILENT_DB
    if not keep.any():
        return None
    mean_db = 10.0 * math.log10(float(np.mean(10.0 ** (level[keep] / 10.0))))
    keep &= level > mean_db + FRAME_GATE_DB
    return np.asarray(frames[keep].mean(axis=0))


def power_frames(mid: np.ndarray) -> np.ndarray:
    """Power spectra of Hann-windowed ``FRAME``-sample frames every ``HOP`` samples, ``(n, bins)``."""
    if mid.shape[0] < FRAME:
        mid = np.concatenate([mid, np.zeros(FRAME - mid.shape[0], dtype=mid.dtype)])
    starts = np.arange(0, mid.shape[0] - FRAME + 1, HOP)
    window = np.hanning(FRAME).astype(np.float32)
    spectra = []
    for chunk in np.array_split(starts, max(1, len(starts) // 256)):  # bounded temporary memory
        frames = np.stack([mid[s : s + FRAME] for s in chunk]) * window
        spectra.append(np.abs(np.fft.rfft(frames, axis=1)) ** 2)
    return np.concatenate(spectra)


def band_smoothed(power: np.ndarray, sample_rate: int, centres: np.ndarray, octaves: float) -> np.ndarray:
    """Mean of a linear-bin power spectrum over ``octaves``-wide bands around ``centres``, in dB."""
    bins = np.fft.rfftfreq(FRAME, 1.0 / sample_rate)
    sums = np.concatenate([[0.0], np.cumsum(power)])
    low = np.searchsorted(bins, centres * 2.0 ** (-octaves / 2.0))
    high = np.maximum(np.searchsorted(bins, centres * 2.0 ** (octaves / 2.0)), low + 1)
    mean = (sums[high] - sums[low]) / (high - low)
    return np.asarray(10.0 * np.log10(mean + 1e-20))


def side_mid_ratio(audio: np.ndarray) -> float | None:
    """RMS of the side over RMS of the mid; None for mono or silence.

    Examples
    --------
    >>> x = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> side_mid_ratio(x)
    1.0
    """
    if audio.shape[1] != 2:
        return None
    mid = 0.5 * (audio[:, 0] + audio[:, 1])
    side = 0.5 * (audio[:, 0] - audio[:, 1])
    mid_rms = float(np.sqrt(np.mean(np.square(mid, dtype=np.float64))))
    side_rms = float(np.sqrt(np.mean(np.square(side, dtype=np.float64))))
    return side_rms / mid_rms if mid_rms > 0 else None


def profile(audio: np.ndarray, sample_rate: int) -> Profile | None:
    """The spectrum and width of ``(frames, channels)`` audio; None if it is silent.

    Examples
    --------
    >>> sr = 22050
    >>> noise = np.random.default_rng(0).standard_normal((sr * 2, 2)).astype(np.float32) * 0.1
    >>> p = profile(noise, sr)
    >>> bool(np.ptp(p.spectrum_db[(p.freqs > 100) & (p.freqs < 8000)]) < 2.5), round(p.width, 1)
    (True, 1.0)
    """
    mid = np.asarray(audio.mean(axis=1), dtype=np.float32)
    power = gated_mean_power(power_frames(mid))
    if power is None:
        return None
    freqs = grid(sample_rate)
    return Profile(freqs, band_smoothed(power, sample_rate, freqs, BAND_OCTAVES), side_mid_ratio(audio))


def eq_curve(source: Profile, reference: Profile, *, max_db: float) -> tuple[np.ndarray, np.ndarray]:
    """``(freqs, gain_db)``: the smoothed, level-free, clipped correction from ``source`` to ``reference``.

    Examples
    --------
    >>> f = grid(44100)
    >>> flat, tilted = Profile(f, np.zeros_like(f), None), Profile(f, np.log2(f / 1000.0) * 3.0, None)
    >>> _, gain = eq_curve(flat, tilted, max_db=6.0)
    >>> float(gain.max()), float(gain.min()), bool(np.all(np.diff(gain) >= 0))
    (6.0, -6.0, True)
    """
    freqs = source.freqs if source.freqs[-1] <= reference.freqs[-1] else reference.freqs
    diff = reference.on(freqs) - source.on(freqs)
    half = round(CURVE_OCTAVES * GRID_PER_OCTAVE / 2)
    padded = np.pad(diff, half, mode="edge")
    smooth = np.convolve(padded, np.ones(2 * half + 1) / (2 * half + 1), mode="valid")
    return freqs, np.clip(smooth - smooth.mean(), -max_db, max_db)


def eq_filter(freqs: np.ndarray, gain_db: np.ndarray, sample_rate: int) -> np.ndarray:
    """A linear-phase FIR (``FIR_TAPS`` taps) whose magnitude follows ``gain_db`` (flat past its ends)."""
    nyquist = sample_rate / 2.0
    points = np.concatenate([[0.0], freqs, [nyquist]])
    gains = np.concatenate([[gain_db[0]], gain_db, [gain_db[-1]]])
    return np.asarray(firwin2(FIR_TAPS, points, 10.0 ** (gains / 20.0), fs=sample_rate))


def apply_fir(audio: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """``audio`` filtered by the linear-phase ``taps`` with their delay removed (same length, aligned).

    Examples
    --------
    >>> impulse = np.zeros((9, 1), dtype=np.float32); impulse[4] = 1.0
    >>> np.allclose(apply_fir(impulse, np.array([0.0, 1.0, 0.0])), impulse, atol=1e-6)
    True
    """
    delay = (taps.shape[0] - 1) // 2
    full = oaconvolve(audio, taps[:, None].astype(np.float32), mode="full", axes=0)
    return np.ascontiguousarray(full[delay : delay + audio.shape[0]], dtype=np.float32)


@dataclass(frozen=True)
class Match:
    """What matching did: the EQ applied (``freqs``, ``gain_db``) and the side gain."""

    freqs: np.ndarray
    gain_db: np.ndarray
    side_gain: float


def plan_match(source: Profile, reference: Profile, *, max_eq_db: float) -> Match:
    """The EQ and side gain that move ``source`` towards ``reference``."""
    freqs, gain_db = eq_curve(source, reference, max_db=max_eq_db)
    side_gain = 1.0
    if source.width and reference.width is not None:
        side_gain = min(MAX_SIDE_GAIN, reference.width / source.width)
    return Match(freqs, gain_db, side_gain)


def apply_match(audio: np.ndarray, sample_rate: int, match: Match) -> np.ndarray:
    """``(frames, channels)`` float32 audio with the matched EQ and width."""
    taps = eq_filter(match.freqs, match.gain_db, sample_rate)
    return scale_side(apply_fir(audio, taps), match.side_gain)
