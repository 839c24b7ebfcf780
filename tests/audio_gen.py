"""Test audio, generated in code (no binary fixtures)."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
import soundfile as sf


@lru_cache(maxsize=32)
def sine(seconds: float = 1.0, rate: int = 44100, channels: int = 2, freq: float = 440.0) -> np.ndarray:
    """A sine tone at -6 dBFS, shape (frames, channels)."""
    t = np.arange(round(seconds * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.repeat(tone[:, None], channels, axis=1).astype(np.float32)


def wav_bytes(
    seconds: float = 1.0, rate: int = 44100, channels: int = 2, freq: float = 440.0, subtype: str = "PCM_16"
) -> bytes:
    """A WAV file of a sine tone."""
    buffer = io.BytesIO()
    sf.write(buffer, sine(seconds, rate, channels, freq), rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def flac_bytes(seconds: float = 1.0, rate: int = 44100, channels: int = 2) -> bytes:
    """A FLAC file of a sine tone."""
    buffer = io.BytesIO()
    sf.write(buffer, sine(seconds, rate, channels), rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()
