"""Loudness (ITU-R BS.1770-4) and true peak, measured in bounded memory.

``LoudnessMeter`` uses pyloudnorm's K-weighting filters and its block layout (400 ms blocks every
100 ms, absolute gate -70 LUFS, relative gate -10 LU) but takes the audio in pieces, so a 20-minute
piece is measured without holding it; it agrees with ``pyloudnorm.Meter.integrated_loudness``
within 0.01 LU. ``true_peak_db`` oversamples 4x with the interpolation filter of BS.1770-4 Annex 2.
"""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
from scipy.signal import sosfilt

ABSOLUTE_GATE = -70.0
SILENCE_LUFS = -120.0  # what an all-silent signal measures
SILENCE_DB = -60.0  # a 50 ms window quieter than this (RMS, loudest channel) is silent
CLIP_LEVEL = 0.999

# BS.1770-4 Annex 2: 48-tap, 4-phase interpolation filter (phase p = taps p, p+4, ...).
_TP_PHASES = np.array(
    [
        [0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875,
         0.1373291015625, 0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250,
         0.0148925781250, -0.0083007812500],
        [-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500,
         0.4650878906250, 0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625,
         0.0330810546875, -0.0189208984375],
        [-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125,
         0.7797851562500, 0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000,
         0.0292968750000, -0.0291748046875],
        [-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750,
         0.9721679687500, 0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125,
         0.0109863281250, 0.0017089843750],
    ]
)  # fmt: skip
_TP_PHASES_32 = _TP_PHASES.astype(np.float32)
TP_TAPS = _TP_PHASES.shape[1]
TP_DELAY = 6  # interpolated points of input m sit between samples m - 6 and m - 5


def k_weighting(sample_rate: int) -> np.ndarray:
    """pyloudnorm's K-weighting (high shelf, then high pass) as second-order sections."""
    meter = pyloudnorm.Meter(sample_rate)
    stages = [meter._filters["high_shelf"], meter._filters["high_pass"]]
    return np.array([[*stage.b, *stage.a] for stage in stages], dtype=np.float64)


class LoudnessMeter:
    """Integrated loudness of audio fed in consecutive pieces of shape ``(frames, channels)``.

    Examples
    --------
    >>> sr = 48000
    >>> tone = 0.1 * np.sin(2 * np.pi * 997 * np.arange(sr * 3) / sr)
    >>> meter = LoudnessMeter(sr, channels=2)
    >>> meter.add(np.stack([tone, tone], axis=1))
    >>> round(meter.integrated(), 1)
    -20.0
    """

    def __init__(self, sample_rate: int, *, channels: int = 2) -> None:
        self.sample_rate = sample_rate
        self.sos = k_weighting(sample_rate)
        self.state = np.zeros((self.sos.shape[0], 2, channels))
        self.hop = sample_rate / 10.0  # 100 ms sub-blocks; a gating block is 4 of them
        self.sub_energy: list[float] = []  # per sub-block: sum over channels of squared sums
        self._pending = 0.0
        self._pending_frames = 0
        self._frames = 0

    def add(self, audio: np.ndarray) -> None:
        """Feed the next frames (float, ``(frames, channels)``)."""
        if audio.shape[0] == 0:
            return
        weighted, self.state = sosfilt(self.sos, np.asarray(audio, dtype=np.float64), axis=0, zi=self.state)
        squares = np.einsum("ij,ij->i", weighted, weighted)
        start = self._frames
        self._frames += audio.shape[0]
        # Sub-block k covers frames [int(k * hop), int((k + 1) * hop)), as pyloudnorm's blocks do.
        k = len(self.sub_energy)
        pos = 0
        while True:
            bound = int((k + 1) * self.hop) - start
            if bound > squares.shape[0]:
                self._pending += float(squares[pos:].sum())
                return
            self.sub_energy.append(self._pending + float(squares[pos:bound].sum()))
            self._pending = 0.0
            pos, k = bound, k + 1

    def block_loudness(self) -> np.ndarray:
        """Loudness of every complete 400 ms block, in LUFS."""
        energy = np.asarray(self.sub_energy)
        if energy.size < 4:
            return np.array([])
        blocks = energy[:-3] + energy[1:-2] + energy[2:-1] + energy[3:]
        mean_square = blocks / (0.4 * self.sample_rate)
        with np.errstate(divide="ignore"):
            loudness: np.ndarray = -0.691 + 10.0 * np.log10(mean_square)
        return loudness

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS (``SILENCE_LUFS`` when nothing passes the gates)."""
        return gated_loudness(self.block_loudness())


def gated_loudness(blocks: np.ndarray, weights: np.ndarray | None = None) -> float:
    """BS.1770 two-stage gating over block loudness values (optionally weighted blocks)."""
    weights = np.ones_like(blocks) if weights is None else weights
    power = 10.0 ** ((blocks + 0.691) / 10.0)
    keep = blocks >= ABSOLUTE_GATE
    if not keep.any() or weights[keep].sum() <= 0:
        return SILENCE_LUFS
    relative = -0.691 + 10.0 * math.log10(np.average(power[keep], weights=weights[keep])) - 10.0
    keep &= blocks > relative
    if not keep.any():
        return SILENCE_LUFS
    return -0.691 + 10.0 * math.log10(float(np.average(power[keep], weights=weights[keep])))


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness of a whole ``(frames, channels)`` signal in LUFS.

    Examples
    --------
    >>> sr = 44100
    >>> noise = np.random.default_rng(0).standard_normal((sr * 4, 2)) * 0.05
    >>> bool(abs(integrated_loudness(noise, sr) - pyloudnorm.Meter(sr).integrated_loudness(noise)) < 0.02)
    True
    """
    meter = LoudnessMeter(sample_rate, channels=audio.shape[1] if audio.ndim == 2 else 1)
    meter.add(audio if audio.ndim == 2 else audio[:, None])
    return meter.integrated()


def interpolated_peaks(audio: np.ndarray) -> np.ndarray:
    """Per input frame ``m``, the largest 4x-interpolated magnitude between frames ``m-6`` and ``m-5``.

    ``audio`` is ``(frames, channels)``; the result has ``frames`` values (max over channels). Float32
    direct convolution per phase: 3x faster than ``upfirdn`` and within 1e-7 of it.
    """
    frames = audio.shape[0]
    peaks = np.zeros(frames, dtype=np.float32)
    for channel in range(audio.shape[1]):
        signal = np.ascontiguousarray(audio[:, channel], dtype=np.float32)
        for phase in _TP_PHASES_32:
            np.maximum(peaks, np.abs(np.convolve(signal, phase)[:frames]), out=peaks)
    return peaks


def true_peak(audio: np.ndarray) -> float:
    """The true peak (linear): max of the sample peak and the 4x-oversampled peak."""
    if audio.size == 0:
        return 0.0
    audio = audio if audio.ndim == 2 else audio[:, None]
    padded = np.concatenate([audio, np.zeros((TP_TAPS, audio.shape[1]), dtype=audio.dtype)])
    return float(max(np.abs(audio).max(), interpolated_peaks(padded).max()))


def true_peak_db(audio: np.ndarray) -> float:
    """The true peak in dBTP, measured on 4x oversampled audio (BS.1770-4 Annex 2).

    Parameters
    ----------
    audio
        ``(frames, channels)`` or ``(frames,)`` float audio, full scale 1.0.

    Examples
    --------
    >>> sr = 48000
    >>> t = np.arange(sr) / sr
    >>> # A sine at fs/4 sampled 45 degrees off its peaks: samples read 0.707, the wave reaches 1.0.
    >>> x = np.sin(2 * np.pi * sr / 4 * t + np.pi / 4)
    >>> round(float(20 * np.log10(np.abs(x).max())), 1), round(true_peak_db(x))
    (-3.0, 0)
    """
    peak = true_peak(audio)
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


class PeakMeter:
    """True peak of audio fed in consecutive pieces ``(frames, channels)``, in bounded memory."""

    def __init__(self) -> None:
        self._tail: np.ndarray | None = None
        self.peak = 0.0

    def add(self, audio: np.ndarray) -> None:
        """Feed the next frames."""
        if audio.shape[0] == 0:
            return
        joined = audio if self._tail is None else np.concatenate([self._tail, audio])
        self.peak = max(self.peak, float(np.abs(audio).max()), float(interpolated_peaks(joined).max()))
        self._tail = joined[-TP_TAPS:]

    def finish_db(self) -> float:
        """The true peak in dBTP (the signal is followed by silence)."""
        if self._tail is not None:
            self.add(np.zeros((TP_TAPS, self._tail.shape[1]), dtype=self._tail.dtype))
            self._tail = None
        return 20.0 * math.log10(self.peak) if self.peak > 0 else -math.inf


class LevelMeter:
    """Loudness, true peak, clipped samples and silent share of audio fed block by block.

    What a quality report checks of a mix; the producer feeds it while writing the mix, so the
    report need not read the file again.

    Examples
    --------
    >>> sr = 20000  # 50 ms windows of 1000 frames
    >>> tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> levels = LevelMeter(sr, 1)
    >>> levels.add(np.concatenate([tone, np.zeros(sr)])[:, None])
    >>> levels.frames, levels.clipped, round(levels.silence_ratio(), 2)
    (40000, 0, 0.5)
    """

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.loudness = LoudnessMeter(sample_rate, channels=channels)
        self.peaks = PeakMeter()
        self.window = max(1, int(0.05 * sample_rate))
        self.clipped = 0
        self.frames = 0
        self.windows = 0
        self.silent = 0
        self._rest = np.zeros((0, channels), dtype=np.float32)

    def add(self, block: np.ndarray) -> None:
        """Feed the next frames (float, ``(frames, channels)``)."""
        self.loudness.add(block)
        self.peaks.add(block)
        self.clipped += int(np.count_nonzero(np.abs(block) >= CLIP_LEVEL))
        self.frames += block.shape[0]
        joined = np.concatenate([self._rest, block])
        whole = joined.shape[0] - joined.shape[0] % self.window
        self._count_silence(joined[:whole])
        self._rest = joined[whole:]

    def _count_silence(self, audio: np.ndarray) -> None:
        if not audio.shape[0]:
            return
        size = min(self.window, audio.shape[0])  # the last window may be shorter
        windows = audio.reshape(-1, size, audio.shape[1]).astype(np.float64)
        rms = np.sqrt((windows**2).mean(axis=1)).max(axis=1)
        self.windows += rms.size
        self.silent += int(np.count_nonzero(rms < 10.0 ** (SILENCE_DB / 20.0)))

    def silence_ratio(self) -> float:
        """Share of 50 ms windows below ``SILENCE_DB`` (call once everything is fed)."""
        self._count_silence(self._rest)
        self._rest = self._rest[:0]
        return self.silent / self.windows if self.windows else 1.0
