"""Shaping synthesised speech: trim each chunk, shift pitch, stretch time, join with pauses.

Pitch moves by exact semitones with Rubber Band (through pedalboard) with formants kept, so a
shifted voice still sounds like a person rather than a tape sped up; eSpeak's own ``-p`` is a
0-99 scale that spans only about -7 to +9 semitones (measured), and Festival's HTS voices have
no pitch control at all, so one method for every engine keeps the unit exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Mono = npt.NDArray[np.float32]

FRAME_SECONDS = 0.01
SILENCE_DB = -45.0  # below the chunk's loudest frame
MARGIN_SECONDS = 0.03  # kept around speech, so soft onsets ("h", "f") are not cut
LEAD_SECONDS = 0.05
TAIL_SECONDS = 0.15
PEAK_DBFS = -1.0


def trim_silence(samples: Mono, sample_rate: int, *, floor_db: float = SILENCE_DB) -> Mono:
    """``samples`` without the leading and trailing silence engines put around speech.

    Examples
    --------
    >>> x = np.zeros(16000, np.float32); x[4000:8000] = 0.5
    >>> len(trim_silence(x, 16000))
    4960
    """
    frame = max(1, round(FRAME_SECONDS * sample_rate))
    count = len(samples) // frame
    if count == 0:
        return samples
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 0.0:
        return samples[:0]
    loud = np.flatnonzero(rms >= peak * 10 ** (floor_db / 20))
    margin = round(MARGIN_SECONDS * sample_rate)
    start = max(0, int(loud[0]) * frame - margin)
    end = min(len(samples), (int(loud[-1]) + 1) * frame + margin)
    return samples[start:end]


def reshape(samples: Mono, sample_rate: int, *, stretch: float = 1.0, semitones: float = 0.0) -> Mono:
    """Speed up by ``stretch`` (2.0 halves the length) and shift pitch by ``semitones``.

    Formants are preserved; a no-op when both are neutral.

    Examples
    --------
    >>> t = np.arange(16000) / 16000
    >>> tone = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    >>> len(reshape(tone, 16000, stretch=2.0))
    8000
    """
    if (abs(stretch - 1.0) < 1e-6 and abs(semitones) < 1e-6) or len(samples) == 0:
        return samples
    from pedalboard import time_stretch  # imported on first use: it loads a large native module

    shaped = time_stretch(
        samples[np.newaxis, :].astype(np.float32),
        float(sample_rate),
        stretch_factor=float(stretch),
        pitch_shift_in_semitones=float(semitones),
        preserve_formants=True,
    )
    return np.ascontiguousarray(shaped[0], dtype=np.float32)


def join(
    pieces: Sequence[Mono],
    pauses: Sequence[float],
    sample_rate: int,
    *,
    lead: float = LEAD_SECONDS,
    tail: float = TAIL_SECONDS,
) -> tuple[Mono, list[tuple[float, float]]]:
    """Pieces one after another with ``pauses[i]`` seconds of silence after piece ``i``.

    The last pause is replaced by ``tail``. Returns the audio and each piece's (start, end)
    in seconds.

    Examples
    --------
    >>> one = np.ones(100, np.float32)
    >>> audio, spans = join([one, one], [0.5, 0.5], 100, lead=0.0, tail=0.0)
    >>> len(audio), spans
    (250, [(0.0, 1.0), (1.5, 2.5)])
    """
    gaps = [round(p * sample_rate) for p in pauses[:-1]] + [round(tail * sample_rate)]
    position = round(lead * sample_rate)
    parts: list[Mono] = [np.zeros(position, np.float32)]
    spans: list[tuple[float, float]] = []
    for piece, gap in zip(pieces, gaps, strict=True):
        spans.append((position / sample_rate, (position + len(piece)) / sample_rate))
        parts += [piece.astype(np.float32, copy=False), np.zeros(gap, np.float32)]
        position += len(piece) + gap
    return np.concatenate(parts), spans


def peak_normalize(samples: Mono, *, peak_dbfs: float = PEAK_DBFS) -> Mono:
    """``samples`` scaled so the highest peak sits at ``peak_dbfs`` (engines differ by ~10 dB).

    Examples
    --------
    >>> peak_normalize(np.array([0.1, -0.25], np.float32), peak_dbfs=0.0).tolist()
    [0.4000000059604645, -1.0]
    """
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak <= 0.0:
        return samples
    return (samples * (10 ** (peak_dbfs / 20) / peak)).astype(np.float32)
