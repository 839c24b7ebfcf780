"""Loudness to a target under a true-peak ceiling: gain into the music engine's look-ahead limiter.

The limiter (:class:`~mixdown.engines.music.produce.master.TruePeakLimiter`) holds the 4x-oversampled
peak under the ceiling whatever the gain; the loudness it leaves depends on how much it had to take
off, so the gain into it is found by search: a first guess from the input loudness, then secant
steps, and once one try lands under the target and another over it, regula falsi inside that
bracket. Loudness rises monotonically with the gain, so the search converges within
``TOLERANCE_LU``; the peaks the limiter reacts to are computed once and reused by every pass.

A limiter cannot make everything loud: its release recovers in dB at a fixed rate, so when sharp
peaks stand far above the rest (clicks over a quiet bed, a very dynamic mix pushed to -8 LUFS) the
quiet part never gets the gain back before the next peak, and loudness stops rising with the gain.
When the search sees that (a secant slope under ``SATURATION_SLOPE`` LU/dB while still short of
the target), it switches to **clip mode**: a soft clipper (linear up to 6 dB under the ceiling,
then a tanh knee towards it) shaves the peaks before the limiter, which then only catches the
inter-sample overs the clipper leaves. Clip mode is only used when the target needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np

from mixdown.engines.mastering.meter import metered
from mixdown.engines.music.produce.loudness import ABSOLUTE_GATE
from mixdown.engines.music.produce.master import CEILING_MARGIN_DB, TruePeakLimiter, blocks_of

Mode: TypeAlias = Literal["limiter", "clip"]
TOLERANCE_LU = 0.1
MAX_PASSES = 16
MAX_STEP_DB = 12.0
MIN_SLOPE = 0.05  # LU per dB: flatter than this, the secant would overshoot wildly
SATURATION_SLOPE = 0.3  # LU per dB: the limiter alone has stopped making it louder
CLIP_KNEE = 0.5  # the clipper is linear up to this fraction of its level (-6 dB)


@dataclass(frozen=True)
class Limited:
    """The limited audio, the gain that got it there, and what it measures."""

    audio: np.ndarray
    gain_db: float
    loudness_lufs: float | None
    passes: int
    max_reduction_db: float
    mode: Mode = "limiter"


def integrated(audio: np.ndarray, sample_rate: int) -> float | None:
    """Integrated loudness (LUFS) of ``(frames, channels)`` audio; None below the absolute gate."""
    value = metered(audio, sample_rate).integrated()
    return value if value >= ABSOLUTE_GATE else None


def soft_clip(audio: np.ndarray, level: float) -> np.ndarray:
    """``audio`` through a soft clipper: unchanged up to ``CLIP_KNEE * level``, then a tanh knee to ``level``.

    Examples
    --------
    >>> out = soft_clip(np.array([[0.2], [0.6], [5.0]], dtype=np.float32), 1.0)
    >>> [round(float(v), 3) for v in out.ravel()]
    [0.2, 0.599, 1.0]
    """
    knee = CLIP_KNEE * level
    span = level - knee
    magnitude = np.abs(audio)
    over = magnitude > knee
    shaped = knee + span * np.tanh((magnitude[over] - knee) / span)
    out = audio.copy()
    out[over] = np.sign(audio[over]) * shaped
    return out


def limit(
    audio: np.ndarray,
    sample_rate: int,
    *,
    ceiling_db: float,
    gain_db: float,
    cache: dict[int, np.ndarray] | None,
) -> tuple[np.ndarray, float]:
    """``audio`` times ``gain_db`` through the true-peak limiter; also its largest gain reduction (dB)."""
    stereo = audio if audio.shape[1] == 2 else np.repeat(audio[:, :1], 2, axis=1)
    limiter = TruePeakLimiter(sample_rate, ceiling_db=ceiling_db, gain_db=gain_db, peak_cache=cache)
    parts = [limiter.process(block) for block in blocks_of(stereo)]
    parts.append(limiter.finish())
    out = np.concatenate(parts)
    return (out if audio.shape[1] == 2 else out[:, :1]), limiter.max_reduction_db


def clip_and_limit(
    audio: np.ndarray, sample_rate: int, *, ceiling_db: float, gain_db: float
) -> tuple[np.ndarray, float]:
    """Clip mode: ``audio`` times ``gain_db``, soft-clipped at the ceiling, then limited at unity gain."""
    level = 10.0 ** (ceiling_db / 20.0)
    driven = soft_clip(audio * np.float32(10.0 ** (gain_db / 20.0)), level)
    return limit(driven, sample_rate, ceiling_db=ceiling_db, gain_db=0.0, cache=None)


def next_gain(tries: list[tuple[float, float]], target: float) -> float:
    """The next gain to try, from the ``(gain_db, loudness)`` pairs tried so far.

    Examples
    --------
    >>> round(next_gain([(0.0, -20.0)], -14.0), 3)  # too quiet: step up, a little beyond the error
    7.8
    >>> round(next_gain([(0.0, -20.0), (8.0, -13.0)], -14.0), 3)  # bracketed: interpolate
    6.857
    """
    below = [t for t in tries if t[1] < target]
    above = [t for t in tries if t[1] > target]
    if below and above:
        (g0, l0), (g1, l1) = max(below), min(above)
        guess = g0 + (target - l0) * (g1 - g0) / (l1 - l0)
        margin = 0.05 * (g1 - g0)  # stay off the bracket's ends so it keeps shrinking
        return min(max(guess, g0 + margin), g1 - margin)
    gain, loudness = tries[-1]
    error = target - loudness
    step = error * (1.3 if error > 0 else 1.0)  # the limiter eats part of any boost
    slope = secant_slope(tries)
    if slope is not None:
        step = error / max(slope, MIN_SLOPE)
    return gain + float(np.clip(step, -MAX_STEP_DB, MAX_STEP_DB))


def secant_slope(tries: list[tuple[float, float]]) -> float | None:
    """LU per dB between the last two tries, if there are two at different gains."""
    if len(tries) < 2 or tries[-1][0] == tries[-2][0]:
        return None
    (g0, l0), (g1, l1) = tries[-2], tries[-1]
    return (l1 - l0) / (g1 - g0)


def saturated(tries: list[tuple[float, float]], target: float) -> bool:
    """The limiter alone has stopped getting louder while still short of the target."""
    slope = secant_slope(tries)
    return slope is not None and slope < SATURATION_SLOPE and tries[-1][1] < target - TOLERANCE_LU


class Search:
    """The state of one gain search: the tries per mode and the best result so far."""

    def __init__(self, audio: np.ndarray, sample_rate: int, *, target: float, ceiling_db: float) -> None:
        self.audio, self.sample_rate = audio, sample_rate
        self.target, self.ceiling_db = target, ceiling_db
        self.cache: dict[int, np.ndarray] = {}
        self.tries: list[tuple[float, float]] = []
        self.mode: Mode = "limiter"
        self.best: Limited | None = None

    def run(self, gain_db: float, passes: int) -> Limited:
        """One pass at ``gain_db`` in the current mode; remembers it."""
        if self.mode == "limiter":
            out, reduction = limit(
                self.audio, self.sample_rate, ceiling_db=self.ceiling_db, gain_db=gain_db, cache=self.cache
            )
        else:
            out, reduction = clip_and_limit(
                self.audio, self.sample_rate, ceiling_db=self.ceiling_db, gain_db=gain_db
            )
        result = Limited(out, gain_db, integrated(out, self.sample_rate), passes, reduction, self.mode)
        if result.loudness_lufs is not None:
            self.tries.append((gain_db, result.loudness_lufs))
            if self.best is None or self.error(result) < self.error(self.best):
                self.best = result
        return result

    def error(self, result: Limited) -> float:
        """LU between a result and the target."""
        return abs((result.loudness_lufs or -np.inf) - self.target)

    def next(self, first_gain: float) -> float:
        """The gain of the next pass, switching to clip mode when the limiter has saturated."""
        if self.mode == "limiter" and saturated(self.tries, self.target):
            self.mode, self.tries = "clip", []
            return first_gain
        return next_gain(self.tries, self.target)


def to_loudness(audio: np.ndarray, sample_rate: int, *, target_lufs: float, true_peak_db: float) -> Limited:
    """``(frames, channels)`` float audio limited to ``target_lufs``, its true peak under ``true_peak_db``.

    The limiter's ceiling sits ``CEILING_MARGIN_DB`` under ``true_peak_db`` (other meters read a
    little higher than this one). Silence is limited at unity gain and left silent.

    Examples
    --------
    >>> sr = 44100
    >>> rng = np.random.default_rng(0)
    >>> peaky = (rng.standard_normal((sr * 4, 2)) * 0.01).astype(np.float32)
    >>> peaky[::4410] = 0.9  # clicks 40 dB above the noise, ten a second
    >>> done = to_loudness(peaky, sr, target_lufs=-12.0, true_peak_db=-1.0)
    >>> abs(done.loudness_lufs + 12.0) <= TOLERANCE_LU, done.mode, done.audio.shape == peaky.shape
    (True, 'clip', True)
    """
    measured = integrated(audio, sample_rate)
    first = 0.0 if measured is None else target_lufs - measured
    search = Search(audio, sample_rate, target=target_lufs, ceiling_db=true_peak_db - CEILING_MARGIN_DB)
    gain = first
    for passes in range(1, MAX_PASSES + 1):
        result = search.run(gain, passes)
        if result.loudness_lufs is None:
            return result
        if search.error(result) <= TOLERANCE_LU:
            break
        gain = search.next(first)
    best = search.best
    assert best is not None
    return Limited(best.audio, best.gain_db, best.loudness_lufs, passes, best.max_reduction_db, best.mode)
