"""Does this audio say these words? An independent ear for TTS tests: pocketsphinx.

pocketsphinx's en-us acoustic model, language model and dictionary ship inside its wheel, so
this runs offline and shares no code with the TTS engines it checks. It is good on the clear,
short utterances the tests speak; eSpeak's robotic voice is beyond it (the benchmark checks
that one with Whisper).
"""

from __future__ import annotations

import re
import shutil
from functools import lru_cache
from typing import Any

import jiwer
import numpy as np
import pytest
import soxr

from tests.conftest import IN_CI

RATE = 16000


@lru_cache(maxsize=1)
def decoder() -> Any:
    """One pocketsphinx decoder per test process (loading takes ~1 s)."""
    from pocketsphinx import Decoder

    return Decoder(samprate=RATE)


def transcribe(samples: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx hears in mono float ``samples``."""
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    audio = soxr.resample(mono.astype(np.float32), sample_rate, RATE) if sample_rate != RATE else mono
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
    sphinx = decoder()
    sphinx.start_utt()
    sphinx.process_raw(pcm, full_utt=True)
    sphinx.end_utt()
    hypothesis = sphinx.hyp()
    return str(hypothesis.hypstr) if hypothesis is not None else ""


def words(text: str) -> str:
    """Lower-case words without punctuation, for comparing transcripts."""
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def word_error_rate(expected: str, heard: str) -> float:
    """WER of ``heard`` against ``expected`` after :func:`words`."""
    return float(jiwer.wer(words(expected), words(heard) or "<nothing>"))


def require(*binaries: str) -> None:
    """Skip when an engine is missing here; fail instead under CI, where it must be installed."""
    missing = [b for b in binaries if shutil.which(b) is None]
    if missing:
        if IN_CI:
            pytest.fail(f"{', '.join(missing)} must be installed in CI (see the TTS set-up in the README)")
        pytest.skip(f"{', '.join(missing)} not installed")


def median_f0(samples: np.ndarray, sample_rate: int, *, fmin: float = 60.0, fmax: float = 450.0) -> float:
    """Median pitch (Hz) over the voiced frames, by normalised autocorrelation: our own estimator."""
    frame = int(0.064 * sample_rate)  # four periods even at 60 Hz
    lags = np.arange(int(sample_rate / fmax), int(sample_rate / fmin))
    energy_floor = 0.1 * float(np.sqrt(np.mean(samples**2)))
    estimates = []
    for start in range(0, len(samples) - frame, frame // 2):
        piece = samples[start : start + frame].astype(np.float64)
        piece = piece - piece.mean()
        if float(np.sqrt(np.mean(piece**2))) < energy_floor:
            continue
        corr = np.correlate(piece, piece, mode="full")[frame - 1 :] / (frame - np.arange(frame))
        lag = _period(corr, lags)
        if corr[lag] > 0.6 * corr[0]:  # clearly periodic: a voiced frame
            estimates.append(sample_rate / lag)
    return float(np.median(estimates)) if estimates else 0.0


def _period(corr: np.ndarray, lags: np.ndarray) -> int:
    """The shortest lag whose peak is near the highest: multiples of the period peak as high."""
    near = lags[corr[lags] >= 0.9 * float(corr[lags].max())]
    lag = int(near[0])
    while lag + 1 <= lags[-1] and corr[lag + 1] > corr[lag]:
        lag += 1
    return lag
