"""A short song whose parts are known, for the extraction API tests: noise-burst drums on every
beat over a two-note bass line (sine), 22.05 kHz stereo."""

from __future__ import annotations

import base64
import io

import numpy as np
import soundfile as sf

RATE = 22050


def parts(seconds: float = 4.0) -> dict[str, np.ndarray]:
    """``drums`` and ``bass``, float32 ``(frames, 2)``."""
    t = np.arange(int(seconds * RATE)) / RATE
    bass = 0.3 * np.sin(2 * np.pi * np.where(t % 2 < 1, 55.0, 73.4) * t)
    drums = np.zeros_like(t)
    burst = np.random.default_rng(1).normal(0, 0.4, 1500) * np.exp(-np.arange(1500) / 250)
    for start in range(0, len(t) - 1500, RATE // 2):
        drums[start : start + 1500] += burst
    return {name: np.stack([x, x], 1).astype(np.float32) for name, x in (("drums", drums), ("bass", bass))}


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit WAV file bytes at ``RATE``."""
    buffer = io.BytesIO()
    sf.write(buffer, samples, RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def wav_base64(samples: np.ndarray) -> str:
    """The WAV bytes as base64 text (what ``input_audio`` takes)."""
    return base64.b64encode(wav_bytes(samples)).decode()
