"""Sample-accurate editing: slicing by frame and by time, and fades."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np

from mixdown.audio.pcm import Samples, as_frames, like, to_float32

FadeCurve: TypeAlias = Literal["linear", "equal_power"]


def time_to_frame(seconds: float, *, sample_rate: int) -> int:
    """The frame index at ``seconds``: ``round(seconds * sample_rate)``.

    Examples
    --------
    >>> time_to_frame(1.5, sample_rate=44100)
    66150
    """
    if seconds < 0:
        raise ValueError(f"time must be >= 0, got {seconds}")
    return round(seconds * sample_rate)


def slice_frames(samples: Samples, *, start: int, stop: int) -> Samples:
    """Frames ``start`` (inclusive) to ``stop`` (exclusive) of ``samples``.

    Unlike plain slicing, out-of-range bounds are an error rather than a
    silently shorter result, so a cut is exactly ``stop - start`` frames long.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` samples (1-D is taken as mono).
    start, stop : int
        Frame bounds, ``0 <= start < stop <= frames``.

    Returns
    -------
    numpy.ndarray
        A copy of the ``stop - start`` frames.

    Examples
    --------
    >>> slice_frames(np.arange(10, dtype=np.float32), start=2, stop=5).ravel().tolist()
    [2.0, 3.0, 4.0]
    """
    frames = as_frames(samples)
    if not 0 <= start < stop <= len(frames):
        raise ValueError(f"frame range [{start}, {stop}) is not within [0, {len(frames)}] or is empty")
    return frames[start:stop].copy()


def fade_gain(length: int, *, curve: FadeCurve = "linear") -> Samples:
    """A rising gain ramp of ``length`` values from 0 towards 1 (float64).

    ``linear`` rises in amplitude; ``equal_power`` follows a quarter sine, so
    it sounds like a constant-power crossfade with silence: it gets loud
    sooner. The ramp starts at exactly 0 and stops one step short of 1, so
    the first faded frame is silent and the frame after the fade is untouched.

    Examples
    --------
    >>> fade_gain(4).tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    ramp = np.arange(length, dtype=np.float64) / max(length, 1)
    if curve == "equal_power":
        return np.sin(ramp * (np.pi / 2))
    if curve == "linear":
        return ramp
    raise ValueError(f"unknown fade curve {curve!r}; use 'linear' or 'equal_power'")


def apply_fades(
    samples: Samples,
    *,
    sample_rate: int,
    fade_in_ms: float = 0.0,
    fade_out_ms: float = 0.0,
    curve: FadeCurve = "linear",
) -> Samples:
    """``samples`` with a fade-in at the start and a fade-out at the end.

    Fade lengths are rounded to whole frames and capped at the signal length;
    a fade-in and a fade-out that overlap both apply (their gains multiply).
    The default curve is linear: a fade to or from silence has no second
    signal whose power must be kept constant, and linear is what editors use.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` samples (1-D is taken as mono).
    sample_rate : int
        Sample rate in Hz, to turn milliseconds into frames.
    fade_in_ms, fade_out_ms : float
        Fade durations in milliseconds, ``>= 0``.
    curve : {"linear", "equal_power"}
        Gain curve, see :func:`fade_gain`.

    Returns
    -------
    numpy.ndarray
        Faded samples of the same shape and dtype; the first frame of a
        fade-in and the last frame of a fade-out are silent.

    Examples
    --------
    >>> x = np.ones((4, 1), dtype=np.float32)
    >>> apply_fades(x, sample_rate=1000, fade_in_ms=2).ravel().tolist()
    [0.0, 0.5, 1.0, 1.0]
    >>> apply_fades(x, sample_rate=1000, fade_out_ms=2).ravel().tolist()
    [1.0, 1.0, 0.5, 0.0]
    """
    if fade_in_ms < 0 or fade_out_ms < 0:
        raise ValueError("fade lengths must be >= 0")
    frames = as_frames(samples)
    gain = _gain_curve(len(frames), sample_rate, fade_in_ms, fade_out_ms, curve)
    if gain is None:
        return frames
    faded = to_float32(frames).astype(np.float64) * gain[:, np.newaxis]
    return like(faded.astype(np.float32), frames)


def _gain_curve(
    total: int, sample_rate: int, fade_in_ms: float, fade_out_ms: float, curve: FadeCurve
) -> Samples | None:
    """The per-frame gain of both fades, or ``None`` when there is no fade."""
    fade_in = min(total, round(fade_in_ms * sample_rate / 1000))
    fade_out = min(total, round(fade_out_ms * sample_rate / 1000))
    if fade_in == 0 and fade_out == 0:
        return None
    gain = np.ones(total, dtype=np.float64)
    gain[:fade_in] *= fade_gain(fade_in, curve=curve)
    if fade_out:
        gain[total - fade_out :] *= fade_gain(fade_out, curve=curve)[::-1]
    return gain
