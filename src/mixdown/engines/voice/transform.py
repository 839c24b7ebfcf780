"""What a voice change does to WORLD's parameters: the F0 contour, the envelope, the aperiodicity.

All functions are pure and work on the 5 ms frame grid of :mod:`mixdown.engines.voice.world`;
unvoiced frames (F0 0) stay unvoiced. The random drift of ``tremble`` is seeded, so the same
request always gives the same audio (the result cache relies on it).
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.voice.presets import Contour
from mixdown.engines.voice.world import FRAME_PERIOD_MS, Float64, frame_times

TREMOR_HZ = 5.5
TREMOR_CENTS = 35.0
DRIFT_CENTS = 15.0
DRIFT_SMOOTHING_FRAMES = 8  # 40 ms: slower than a period, faster than a syllable
_TINY = 1e-16


def ratio(semitones: float) -> float:
    """The frequency ratio of ``semitones``.

    Examples
    --------
    >>> ratio(12.0), ratio(-12.0)
    (2.0, 0.5)
    """
    return float(2.0 ** (semitones / 12.0))


def median_f0(f0: Float64) -> float | None:
    """The median F0 of the voiced frames (Hz), None when nothing is voiced.

    Examples
    --------
    >>> median_f0(np.array([0.0, 100.0, 110.0, 0.0, 120.0])), median_f0(np.zeros(3))
    (110.0, None)
    """
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if voiced.size else None


def new_contour(f0: Float64, *, semitones: float, contour: Contour, seed: int = 0) -> Float64:
    """The F0 to synthesize: ``f0`` moved by ``semitones`` and reshaped by ``contour``.

    Examples
    --------
    >>> f0 = np.array([0.0, 100.0, 200.0])
    >>> new_contour(f0, semitones=12.0, contour="follow").tolist()
    [0.0, 200.0, 400.0]
    >>> new_contour(f0, semitones=0.0, contour="monotone").tolist()
    [0.0, 150.0, 150.0]
    >>> new_contour(f0, semitones=5.0, contour="whisper").tolist()
    [0.0, 0.0, 0.0]
    """
    voiced = f0 > 0
    if contour == "whisper":
        return np.zeros_like(f0)
    if contour == "monotone":
        centre = median_f0(f0) or 0.0
        return np.where(voiced, centre * ratio(semitones), 0.0)
    moved = f0 * ratio(semitones)
    if contour == "tremble":
        moved = moved * 2.0 ** (tremor_cents(f0.shape[0], seed=seed) / 1200.0)
    return np.where(voiced, moved, 0.0)


def tremor_cents(frames: int, *, seed: int = 0) -> Float64:
    """An old voice's pitch wobble per frame, in cents: a 5.5 Hz tremor plus smoothed random drift.

    Examples
    --------
    >>> wobble = tremor_cents(2000)
    >>> bool(np.abs(wobble).max() < TREMOR_CENTS + 4 * DRIFT_CENTS), abs(float(np.median(wobble))) < 10
    (True, True)
    """
    times = frame_times(frames, frame_period=FRAME_PERIOD_MS)
    tremor = TREMOR_CENTS * np.sin(2 * np.pi * TREMOR_HZ * times)
    noise = np.random.default_rng(seed).standard_normal(frames + DRIFT_SMOOTHING_FRAMES)
    kernel = np.ones(DRIFT_SMOOTHING_FRAMES) / np.sqrt(DRIFT_SMOOTHING_FRAMES)
    drift = DRIFT_CENTS * np.convolve(noise, kernel, mode="valid")[:frames]
    return np.asarray(tremor + drift, dtype=np.float64)


def warp_envelope(envelope: Float64, formant_ratio: float) -> Float64:
    """Spectral envelopes ``(frames, bins)`` with every frequency moved by ``formant_ratio``.

    The new envelope at frequency ``f`` is the old one at ``f / formant_ratio``, interpolated on
    the log power (a peak moves without being smeared); above the old Nyquist frequency the top
    bin's value carries on.

    Examples
    --------
    >>> env = np.ones((1, 9)); env[0, 2] = 100.0   # a formant in bin 2
    >>> int(np.argmax(warp_envelope(env, 2.0)[0]))
    4
    """
    if formant_ratio == 1.0:
        return envelope
    bins = envelope.shape[1]
    source = np.minimum(np.arange(bins) / formant_ratio, bins - 1)
    low = np.minimum(np.floor(source).astype(np.intp), bins - 2)
    weight = source - low
    logs = np.log(np.maximum(envelope, _TINY))
    warped = logs[:, low] * (1.0 - weight) + logs[:, low + 1] * weight
    return np.asarray(np.exp(warped), dtype=np.float64)


def shape_aperiodicity(aperiodicity: Float64, f0: Float64, *, breath: float, buzz: bool) -> Float64:
    """Aperiodicity with ``breath`` of the periodic part turned to noise, or (``buzz``) none left.

    Only voiced frames change: unvoiced ones are noise whatever the aperiodicity says.

    Examples
    --------
    >>> ap = np.full((2, 3), 0.2); f0 = np.array([0.0, 120.0])
    >>> shape_aperiodicity(ap, f0, breath=0.5, buzz=False)[:, 0].round(3).tolist()
    [0.2, 0.6]
    """
    voiced = (f0 > 0)[:, None]
    shaped = aperiodicity
    if breath > 0:
        shaped = shaped + breath * (1.0 - shaped)
    if buzz:
        shaped = np.minimum(shaped, 0.01)
    return np.where(voiced, shaped, aperiodicity)
