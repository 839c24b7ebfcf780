"""Mastering: bus processing, loudness normalisation and a look-ahead true-peak limiter.

The chain is ``premaster x bus_gain -> bus (high-pass, tilt EQ, glue compressor, width) x
limiter_gain -> true-peak limiter``. Every stage works on a fixed grid of ``GRID`` frames counted
from the start of the piece, whatever the sizes of the pieces it is fed, so mastering a whole array
and mastering a stream of chunks with the same gains give identical samples.

A whole piece is mastered in passes (measure, set the bus gain, measure the bus, limit, correct the
limiter gain until the result is within 0.2 LU of the target). A stream cannot wait for the end: it
uses gains predicted before rendering (``predict_master_gain``) and the same limiter, whose
look-ahead keeps the true peak under the ceiling whatever the prediction error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from pedalboard import Chain, Compressor, HighpassFilter, HighShelfFilter, LowShelfFilter
from scipy.ndimage import minimum_filter1d
from scipy.signal import lfilter

from mixdown.engines.music.produce.loudness import TP_DELAY, LoudnessMeter, interpolated_peaks
from mixdown.engines.music.score import MixSettings

GRID = 32768  # frames per mastering block
CEILING_MARGIN_DB = 0.1  # other meters' oversamplers read up to ~0.1 dB above ours
LOUDNESS_TOLERANCE = 0.2  # LU: stop correcting the limiter gain once this close
MAX_PASSES = 4
SILENT_LUFS = -70.0


@dataclass(frozen=True)
class MasterGains:
    """The two gains of the master chain, in dB."""

    bus_db: float  # brings the premaster to the target loudness before the bus compressor
    limiter_db: float  # into the limiter, after the bus

    @property
    def total_db(self) -> float:
        """The overall gain (before the limiter's own reduction)."""
        return self.bus_db + self.limiter_db


def blocks_of(audio: np.ndarray, size: int = GRID) -> Iterator[np.ndarray]:
    """``audio`` in consecutive pieces of ``size`` frames (the last one shorter)."""
    for start in range(0, audio.shape[0], size):
        yield audio[start : start + size]


class Regrid:
    """Collects pieces of any size and hands out consecutive ``GRID``-frame blocks."""

    def __init__(self, size: int = GRID) -> None:
        self.size = size
        self._pending: list[np.ndarray] = []
        self._frames = 0

    def push(self, audio: np.ndarray) -> list[np.ndarray]:
        """Add frames; return the blocks now complete."""
        self._pending.append(audio)
        self._frames += audio.shape[0]
        if self._frames < self.size:
            return []
        joined = np.concatenate(self._pending)
        whole = self._frames - self._frames % self.size
        self._pending = [joined[whole:]]
        self._frames -= whole
        return list(blocks_of(joined[:whole], self.size))

    def flush(self) -> np.ndarray | None:
        """The incomplete last block, if any."""
        rest = np.concatenate(self._pending) if self._frames else None
        self._pending, self._frames = [], 0
        return rest


class BusChain:
    """Mix-bus processing from ``MixSettings``: high-pass, tilt EQ, glue compression, width."""

    def __init__(self, settings: MixSettings, sample_rate: int) -> None:
        tilt = (min(1.0, max(0.0, settings.brightness)) - 0.5) * 2.0
        amount = min(1.0, max(0.0, settings.bus_compression))
        self.sample_rate = sample_rate
        # Input sits at the target loudness (bus gain), so the threshold is relative to it.
        self.board = Chain(
            [
                HighpassFilter(22.0),
                LowShelfFilter(150.0, -1.5 * tilt, 0.7071),
                HighShelfFilter(6000.0, 2.5 * tilt, 0.7071),
                Compressor(
                    threshold_db=settings.target_lufs + 4.0 - 8.0 * amount,
                    ratio=1.2 + 2.5 * amount,
                    attack_ms=30.0,
                    release_ms=250.0,
                ),
            ]
        )
        self.side = np.float32(0.7 + 0.6 * min(1.0, max(0.0, settings.width)))

    def process(self, block: np.ndarray) -> np.ndarray:
        """One grid block, ``(frames, 2)`` float32 in and out."""
        out = self.board(np.ascontiguousarray(block.T), self.sample_rate, reset=False)
        mid = 0.5 * (out[0] + out[1])
        side = 0.5 * (out[0] - out[1]) * self.side
        return np.stack([mid + side, mid - side], axis=1).astype(np.float32, copy=False)


class TruePeakLimiter:
    """A look-ahead limiter that keeps the 4x-oversampled peak under ``ceiling_db``.

    Gain reduction is computed in dB per frame from the true peak around it, spread back over the
    look-ahead (so it is fully in place when the peak arrives), held, then released exponentially.
    Output frame ``n`` is ready once input frame ``n + lookahead`` has arrived.

    Examples
    --------
    >>> sr = 44100
    >>> loud = np.full((sr, 2), 0.5, dtype=np.float32)
    >>> loud[sr // 2] = 2.0  # a spike 12 dB over the rest
    >>> limiter = TruePeakLimiter(sr, ceiling_db=-1.0)
    >>> out = np.concatenate([limiter.process(loud), limiter.finish()])
    >>> out.shape == loud.shape, float(np.abs(out).max()) < 10 ** (-1 / 20)
    (True, True)
    """

    def __init__(
        self,
        sample_rate: int,
        *,
        ceiling_db: float,
        gain_db: float = 0.0,
        lookahead: float = 0.004,
        hold: float = 0.03,
        release: float = 0.12,
        peak_cache: dict[int, np.ndarray] | None = None,
    ) -> None:
        self.ceiling_db = ceiling_db
        self.gain_db = gain_db
        # Peaks scale with the input gain, so passes over the same input at other gains reuse them.
        self.peak_cache = peak_cache
        self._blocks = 0
        self.attack = max(16, int(lookahead * sample_rate))
        self.hold = int(hold * sample_rate)
        self.alpha = math.exp(-1.0 / (release * sample_rate))
        self.ahead = self.attack + TP_DELAY
        self.behind = self.attack + self.hold + TP_DELAY + 12
        self._history = np.zeros((self.behind, 2), dtype=np.float64)
        self._buffer = np.zeros((0, 2), dtype=np.float64)
        self._offset = 0
        self._release_state = np.zeros(1)
        self.max_reduction_db = 0.0

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Feed frames; return the limited frames now ready (whole grid blocks)."""
        self._buffer = np.concatenate([self._buffer[self._offset :], np.asarray(audio, dtype=np.float64)])
        self._offset = 0
        out = []
        while self._buffer.shape[0] - self._offset >= GRID + self.ahead:
            out.append(self._block(GRID))
        return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.float32)

    def finish(self) -> np.ndarray:
        """The remaining frames (the piece is followed by silence)."""
        out = []
        while self._buffer.shape[0] > self._offset:
            out.append(self._block(min(GRID, self._buffer.shape[0] - self._offset)))
        return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.float32)

    def _block(self, size: int) -> np.ndarray:
        start = self._offset
        block = self._buffer[start : start + size]
        ahead = self._buffer[start + size : start + size + self.ahead]
        ahead = np.concatenate([ahead, np.zeros((self.ahead - ahead.shape[0], 2))])
        context = np.concatenate([self._history, block, ahead])
        gain_db = self.gain_db + self._reduction_db(context, size)
        self._history = context[size : size + self.behind]
        self._offset += size
        self._blocks += 1
        return (block * 10.0 ** (gain_db / 20.0)[:, None]).astype(np.float32)

    def _peak_db(self, context: np.ndarray) -> np.ndarray:
        """Per frame of ``context``, the true peak around it in dB (before ``gain_db``)."""
        cached = None if self.peak_cache is None else self.peak_cache.get(self._blocks)
        if cached is not None:
            return cached
        ip = interpolated_peaks(context)
        peak = np.abs(context).max(axis=1)
        # The interpolated points between frames n and n+1 come out at index n + TP_DELAY.
        peak[:-TP_DELAY] = np.maximum(peak[:-TP_DELAY], ip[TP_DELAY:])
        peak[:-TP_DELAY] = np.maximum(peak[:-TP_DELAY], ip[TP_DELAY - 1 : -1])
        peak_db: np.ndarray = 20.0 * np.log10(np.maximum(peak, 1e-12))
        if self.peak_cache is not None:
            self.peak_cache[self._blocks] = peak_db
        return peak_db

    def _reduction_db(self, context: np.ndarray, size: int) -> np.ndarray:
        """Gain reduction in dB for the ``size`` frames after ``behind`` frames of ``context``."""
        reduction = np.minimum(0.0, self.ceiling_db - self.gain_db - self._peak_db(context))
        # Window [j - hold, j + attack - 1] for each j: a peak is covered from `attack` frames before
        # it until `hold` frames after it.
        span = self.attack + self.hold
        floor = minimum_filter1d(reduction, size=span, mode="nearest")
        shift = span // 2 - self.hold  # floor[j + shift] is the window starting at j - hold
        first = self.behind - self.attack + 1  # earliest j the mean needs
        held = floor[first + shift : self.behind + size + shift]
        sums = np.concatenate([[0.0], np.cumsum(held)])
        smooth = (sums[self.attack :] - sums[: -self.attack]) / self.attack
        released, self._release_state = lfilter(
            [1.0 - self.alpha], [1.0, -self.alpha], smooth, zi=self._release_state
        )
        gain = np.minimum(smooth, released)
        self.max_reduction_db = min(self.max_reduction_db, float(gain.min(initial=0.0)))
        return np.asarray(gain)


def loudness_of(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness, measured block by block (no full-length float64 copy)."""
    meter = LoudnessMeter(sample_rate)
    for block in blocks_of(audio):
        meter.add(block)
    return meter.integrated()


def ceiling_of(settings: MixSettings) -> float:
    """The limiter's ceiling: the style's true-peak limit less a margin for other meters."""
    return settings.true_peak_db - CEILING_MARGIN_DB


def gain_to(target: float, measured: float) -> float:
    """dB that move ``measured`` to ``target`` (none for silence)."""
    return 0.0 if measured <= SILENT_LUFS else target - measured


def scaled(blocks: Iterable[np.ndarray], gain_db: float) -> Iterator[np.ndarray]:
    """Each block times the gain (float32)."""
    factor = np.float32(10.0 ** (gain_db / 20.0))
    for block in blocks:
        yield block * factor


@dataclass
class Mastered:
    """A mastered piece and what was measured on it."""

    audio: np.ndarray
    gains: MasterGains
    loudness_lufs: float
    max_reduction_db: float


def run_bus(
    premaster: Iterable[np.ndarray], settings: MixSettings, sample_rate: int, gain_db: float
) -> Iterator[np.ndarray]:
    """The bus stage over grid blocks of ``premaster`` (any block sizes in)."""
    bus = BusChain(settings, sample_rate)
    regrid = Regrid()
    for piece in scaled(premaster, gain_db):
        for block in regrid.push(piece):
            yield bus.process(block)
    rest = regrid.flush()
    if rest is not None:
        yield bus.process(rest)


def run_limiter(
    bus: Iterable[np.ndarray],
    settings: MixSettings,
    sample_rate: int,
    gain_db: float,
    peak_cache: dict[int, np.ndarray] | None = None,
) -> tuple[Iterator[np.ndarray], TruePeakLimiter]:
    """The limiter stage; the limiter is returned too, for its statistics once consumed."""
    ceiling = ceiling_of(settings)
    limiter = TruePeakLimiter(sample_rate, ceiling_db=ceiling, gain_db=gain_db, peak_cache=peak_cache)

    def stream() -> Iterator[np.ndarray]:
        for block in bus:
            out = limiter.process(block)
            if out.shape[0]:
                yield out
        yield limiter.finish()

    return stream(), limiter


def master_audio(
    premaster: np.ndarray, settings: MixSettings, sample_rate: int, *, premaster_lufs: float | None = None
) -> Mastered:
    """Master a whole premaster ``(frames, 2)`` to ``settings.target_lufs`` under the true-peak limit.

    Examples
    --------
    >>> sr = 44100
    >>> rng = np.random.default_rng(1)
    >>> pre = (rng.standard_normal((sr * 3, 2)) * 0.02).astype(np.float32)
    >>> done = master_audio(pre, MixSettings(), sr)
    >>> abs(done.loudness_lufs + 14.0) < 0.15, done.audio.shape == pre.shape
    (True, True)
    """
    target = settings.target_lufs
    if premaster_lufs is None:  # produce() measures it while rendering
        premaster_lufs = loudness_of(premaster, sample_rate)
    bus_db = gain_to(target, premaster_lufs)
    bus = np.concatenate(list(run_bus(blocks_of(premaster), settings, sample_rate, bus_db)))
    limiter_db = gain_to(target, loudness_of(bus, sample_rate))
    return limit_to_target(bus, settings, sample_rate, bus_db, limiter_db)


def limit_to_target(
    bus: np.ndarray, settings: MixSettings, sample_rate: int, bus_db: float, limiter_db: float
) -> Mastered:
    """Limit ``bus``, nudging the limiter gain until the loudness is on target."""
    peaks: dict[int, np.ndarray] = {}
    for attempt in range(MAX_PASSES):
        stream, limiter = run_limiter(blocks_of(bus), settings, sample_rate, limiter_db, peaks)
        out = np.concatenate(list(stream))
        loudness = loudness_of(out, sample_rate)
        error = settings.target_lufs - loudness
        if abs(error) <= LOUDNESS_TOLERANCE or loudness <= SILENT_LUFS or attempt == MAX_PASSES - 1:
            break
        # The limiter eats loudness that more gain gives back only in part: overshoot a little.
        limiter_db += error * (1.3 if error > 0 else 1.0)
    gains = MasterGains(bus_db=bus_db, limiter_db=limiter_db)
    return Mastered(audio=out, gains=gains, loudness_lufs=loudness, max_reduction_db=limiter.max_reduction_db)


class StreamMaster:
    """Masters a piece chunk by chunk with fixed gains (typically ``predict_master_gain``'s).

    Output lags input by up to one grid block plus the look-ahead; the concatenation of everything
    ``process`` and ``finish`` return is exactly as long as the input, and equals ``master_audio``'s
    output whenever the gains are the same.
    """

    def __init__(self, settings: MixSettings, sample_rate: int, gains: MasterGains) -> None:
        self.gains = gains
        self.bus_factor = np.float32(10.0 ** (gains.bus_db / 20.0))
        self.bus = BusChain(settings, sample_rate)
        self.regrid = Regrid()
        self.limiter = TruePeakLimiter(sample_rate, ceiling_db=ceiling_of(settings), gain_db=gains.limiter_db)

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Feed premaster frames ``(n, 2)``; return the mastered frames now ready."""
        out = [self._stage(block) for block in self.regrid.push(chunk)]
        return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.float32)

    def finish(self) -> np.ndarray:
        """The rest of the mastered piece."""
        rest = self.regrid.flush()
        head = [self._stage(rest)] if rest is not None else []
        return np.concatenate([*head, self.limiter.finish()])

    def _stage(self, block: np.ndarray) -> np.ndarray:
        return self.limiter.process(self.bus.process(block * self.bus_factor))
