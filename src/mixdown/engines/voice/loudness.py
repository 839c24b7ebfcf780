"""Bring a changed voice back to the input's loudness, without clipping.

Loudness is BS.1770 integrated loudness (K-weighted, gated), so a formant shift that moves energy
to where the ear is more sensitive is levelled as heard, not as measured in RMS. Inputs too short
or too quiet for the gates (under 0.4 s) are levelled by RMS instead. If the gain would push a
sample past :data:`PEAK_CEILING` the whole signal is scaled down to it (no limiter: the loudness
then ends under the input's).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from mixdown.engines.music.produce.loudness import ABSOLUTE_GATE, integrated_loudness

Audio = npt.NDArray[np.float32]
PEAK_CEILING = 0.98


def loudness_db(audio: Audio, sample_rate: int) -> float | None:
    """Integrated loudness (LUFS), else RMS in dBFS when the gates keep nothing; None for silence.

    Examples
    --------
    >>> sr = 48000
    >>> tone = (0.1 * np.sin(2 * np.pi * 997 * np.arange(sr * 2) / sr)).astype(np.float32)[:, None]
    >>> round(loudness_db(tone, sr), 1), loudness_db(np.zeros((100, 1), np.float32), sr) is None
    (-23.1, True)
    """
    if audio.shape[0] == 0:
        return None
    lufs = integrated_loudness(audio.astype(np.float64), sample_rate)
    if lufs > ABSOLUTE_GATE:
        return float(lufs)
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 0 else None


def match_loudness(audio: Audio, reference: Audio, sample_rate: int) -> Audio:
    """``audio`` with a gain that gives it ``reference``'s loudness, scaled down if it would clip.

    A silent reference gives silence (WORLD resynthesizes digital silence as noise near -150 dB).

    Examples
    --------
    >>> sr = 16000
    >>> tone = np.sin(2 * np.pi * 440 * np.arange(sr) / sr).astype(np.float32)[:, None]
    >>> out = match_loudness(0.01 * tone, 0.2 * tone, sr)
    >>> round(float(np.abs(out).max()), 3)
    0.2
    """
    target, level = loudness_db(reference, sample_rate), loudness_db(audio, sample_rate)
    if target is None:
        return np.zeros_like(audio)
    if level is None:
        return audio
    out = audio * np.float32(10.0 ** ((target - level) / 20.0))
    peak = float(np.abs(out).max(initial=0.0))
    if peak > PEAK_CEILING:
        out = out * np.float32(PEAK_CEILING / peak)
    return np.asarray(out, dtype=np.float32)
