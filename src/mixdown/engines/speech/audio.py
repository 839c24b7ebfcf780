"""Audio as the recognisers take it: mono float32 at 16 kHz."""

from __future__ import annotations

import os

import numpy as np

from mixdown.audio.codec import decode
from mixdown.audio.pcm import Samples, to_float32
from mixdown.audio.resample import resample, to_channels

SPEECH_RATE = 16000


def to_speech(samples: Samples, sample_rate: int) -> Samples:
    """``(frames, channels)`` samples as 1-D mono float32 at 16 kHz.

    Examples
    --------
    >>> stereo = np.zeros((44100, 2), dtype=np.int16)
    >>> speech = to_speech(stereo, 44100)
    >>> speech.shape, speech.dtype
    ((16000,), dtype('float32'))
    """
    mono = to_channels(to_float32(samples), 1)
    # HQ: speech needs nothing above 8 kHz and VHQ's longer filter only costs time here.
    return resample(mono, from_rate=sample_rate, to_rate=SPEECH_RATE, quality="HQ")[:, 0]


def load_speech(path: str | os.PathLike[str]) -> Samples:
    """Decode any audio file to mono float32 at 16 kHz (see :func:`to_speech`)."""
    decoded = decode(path)
    return to_speech(decoded.samples, decoded.sample_rate)


def to_pcm16(audio: Samples) -> bytes:
    """Mono float samples as little-endian 16-bit PCM bytes (PocketSphinx's input).

    Examples
    --------
    >>> to_pcm16(np.array([0.0, 0.5, -1.0], dtype=np.float32))
    b'\\x00\\x00\\x00@\\x01\\x80'
    """
    scaled = np.clip(np.rint(audio * 32767.0), -32767, 32767)
    return scaled.astype("<i2").tobytes()
