"""Speed changes: time stretch with the pitch kept (Rubber Band) or varispeed (soxr resampling).

Both ways return exactly :func:`output_length` frames, ``round(frames / factor)``: the engines'
own lengths differ from it by a few frames at most, and the difference is trimmed or zero-padded
at the end, so the output duration is ``input / factor`` to the sample.

* **Time stretch** (``preserve_pitch=True``) is Rubber Band's high-quality offline stretcher as
  ``pedalboard.time_stretch`` ships it. A pitch shift is done in the same call (one analysis and
  resynthesis, not two), with formants preserved.
* **Varispeed** (``preserve_pitch=False``) plays the samples faster or slower, like a tape or a
  turntable: the signal is resampled by ``1 / factor`` with soxr's very-high-quality filter and read
  back at the original rate, so every frequency moves by ``12 * log2(factor)`` semitones. An extra
  ``pitch_semitones`` is applied by Rubber Band (no stretch) before the resampling.
"""

from __future__ import annotations

import math
from typing import Literal, TypeAlias

import numpy as np
import pedalboard
import soxr

from mixdown.audio.pcm import Samples, as_frames, to_float32

Engine: TypeAlias = Literal["none", "rubberband", "soxr", "soxr+rubberband"]
MIN_FACTOR = 0.25
MAX_FACTOR = 4.0


def output_length(frames: int, factor: float) -> int:
    """The frame count of ``frames`` played ``factor`` times as fast: ``round(frames / factor)``.

    Examples
    --------
    >>> output_length(44100, 2.0), output_length(44100, 0.75), output_length(3, 2.0)
    (22050, 58800, 2)
    """
    if not MIN_FACTOR <= factor <= MAX_FACTOR:
        raise ValueError(f"factor must be within {MIN_FACTOR}..{MAX_FACTOR}, got {factor}")
    return max(1, round(frames / factor)) if frames else 0


def engine_for(factor: float, *, preserve_pitch: bool, pitch_semitones: float) -> Engine:
    """Which engine :func:`change_speed` uses for these settings.

    Examples
    --------
    >>> engine_for(1.0, preserve_pitch=True, pitch_semitones=0.0)
    'none'
    >>> engine_for(1.5, preserve_pitch=False, pitch_semitones=2.0)
    'soxr+rubberband'
    """
    if preserve_pitch:
        return "none" if factor == 1.0 and pitch_semitones == 0.0 else "rubberband"
    if factor == 1.0:
        return "none" if pitch_semitones == 0.0 else "rubberband"
    return "soxr" if pitch_semitones == 0.0 else "soxr+rubberband"


def pitch_change(factor: float, *, preserve_pitch: bool, pitch_semitones: float) -> float:
    """The resulting pitch change in semitones: the shift, plus ``12 log2(factor)`` for varispeed.

    Examples
    --------
    >>> pitch_change(2.0, preserve_pitch=False, pitch_semitones=0.0)
    12.0
    >>> pitch_change(2.0, preserve_pitch=True, pitch_semitones=-3.0)
    -3.0
    """
    varispeed = 0.0 if preserve_pitch else 12.0 * math.log2(factor)
    return varispeed + pitch_semitones


def change_speed(
    samples: Samples,
    sample_rate: int,
    *,
    factor: float,
    preserve_pitch: bool = True,
    pitch_semitones: float = 0.0,
) -> Samples:
    """``samples`` played ``factor`` times as fast, as float32 ``(round(frames / factor), channels)``.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` samples of any dtype :func:`~mixdown.audio.pcm.to_float32` takes.
    sample_rate : int
        Their rate in Hz (unchanged in the output).
    factor : float
        Speed, 0.25 to 4: 2 halves the duration, 0.5 doubles it.
    preserve_pitch : bool
        True: time stretch, the pitch stays. False: varispeed, the pitch follows the speed.
    pitch_semitones : float
        An extra pitch shift in semitones.

    Returns
    -------
    numpy.ndarray
        float32 samples, exactly ``output_length(frames, factor)`` frames.

    Examples
    --------
    >>> sr = 22050
    >>> tone = np.sin(2 * np.pi * 440 * np.arange(sr) / sr).astype(np.float32)[:, None]
    >>> change_speed(tone, sr, factor=1.5).shape
    (14700, 1)
    >>> change_speed(tone, sr, factor=0.5, preserve_pitch=False).shape
    (44100, 1)
    """
    audio = to_float32(as_frames(samples))
    length = output_length(audio.shape[0], factor)
    engine = engine_for(factor, preserve_pitch=preserve_pitch, pitch_semitones=pitch_semitones)
    if engine == "none" or audio.shape[0] == 0:
        return audio.copy()
    if engine == "rubberband":
        out = stretch(audio, sample_rate, factor=factor if preserve_pitch else 1.0, semitones=pitch_semitones)
    else:
        # Shift before the varispeed: Rubber Band resolves partials at their original frequencies
        # better than after a slow-down crowded them into the lowest octaves.
        shifted = (
            audio if engine == "soxr" else stretch(audio, sample_rate, factor=1.0, semitones=pitch_semitones)
        )
        out = varispeed(shifted, factor=factor)
    return fit_length(out, length)


def stretch(audio: Samples, sample_rate: int, *, factor: float, semitones: float) -> Samples:
    """Rubber Band time stretch by ``factor`` (speed) and pitch shift, float32 ``(frames, channels)``.

    Examples
    --------
    >>> x = np.zeros((8000, 2), dtype=np.float32)
    >>> stretch(x, 8000, factor=2.0, semitones=0.0).shape
    (4000, 2)
    """
    out = pedalboard.time_stretch(
        np.ascontiguousarray(audio.T),
        float(sample_rate),
        stretch_factor=float(factor),
        pitch_shift_in_semitones=float(semitones),
        high_quality=True,
    )
    return np.ascontiguousarray(out.T, dtype=np.float32)


def varispeed(audio: Samples, *, factor: float) -> Samples:
    """Resample by ``1 / factor`` (soxr VHQ) so that played at the same rate it runs ``factor`` times as fast.

    Examples
    --------
    >>> x = np.zeros((8000, 1), dtype=np.float32)
    >>> varispeed(x, factor=2.0).shape
    (4000, 1)
    """
    # soxr takes rates as floats: reading at rate r * factor and writing at r is the speed change.
    out = soxr.resample(audio, float(factor), 1.0, quality="VHQ")
    return as_frames(np.asarray(out, dtype=np.float32))


def fit_length(audio: Samples, length: int) -> Samples:
    """``audio`` trimmed or zero-padded at the end to exactly ``length`` frames.

    Examples
    --------
    >>> fit_length(np.ones((3, 1), np.float32), 5).ravel().tolist()
    [1.0, 1.0, 1.0, 0.0, 0.0]
    """
    if audio.shape[0] >= length:
        return audio[:length]
    pad = np.zeros((length - audio.shape[0], audio.shape[1]), dtype=audio.dtype)
    return np.concatenate([audio, pad])
