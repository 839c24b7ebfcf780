"""Long signals in segments cut at quiet frames, so WORLD's working set stays bounded.

WORLD holds two ``(frames, bins)`` float64 matrices per channel: at 44.1 kHz that is ~3.3 MB per
second of audio, 2 GB for ten minutes. So a long input is cut near every :data:`SEGMENT_SECONDS`
at the quietest 20 ms within :data:`SEARCH_SECONDS` (at most a quarter segment) of the nominal
cut: a pause or a consonant, where a seam cannot be heard. Each segment is analysed with
:data:`MARGIN_SECONDS` of context on both sides (the F0 tracker and D4C look around each frame)
and its synthesis is cross-faded with its neighbours over :data:`FADE_SECONDS` around the cut.
Cuts fall on WORLD frame boundaries, so every segment's frames are frames of the whole signal's
grid and one F0 contour serves them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from mixdown.engines.voice.world import FRAME_PERIOD_MS, Float64, frame_count

SEGMENT_SECONDS = 20.0
SEARCH_SECONDS = 3.0
MARGIN_SECONDS = 0.5
FADE_SECONDS = 0.02
QUIET_FRAMES = 4  # 20 ms of frames scored together when looking for a cut


@dataclass(frozen=True)
class Segment:
    """Samples ``[start, stop)`` kept from the synthesis of ``[region_start, region_stop)``.

    ``first_frame`` is the whole signal's frame at ``region_start``; ``frames`` the whole
    signal's frames ``[first, stop)`` this segment keeps.
    """

    start: int
    stop: int
    region_start: int
    region_stop: int
    first_frame: int
    frames: tuple[int, int]


def frame_sample(frame: int, sample_rate: int) -> int:
    """The sample where ``frame`` sits.

    Examples
    --------
    >>> frame_sample(3, 44100)   # 15 ms
    662
    """
    return round(frame * FRAME_PERIOD_MS * sample_rate / 1000.0)


def plan(mono: Float64, sample_rate: int, *, segment_seconds: float = SEGMENT_SECONDS) -> list[Segment]:
    """The segments covering ``mono``; one (the whole signal) when it is short.

    Examples
    --------
    >>> sr = 16000
    >>> x = np.random.default_rng(0).standard_normal(sr * 50)
    >>> x[sr * 21 : sr * 21 + 800] = 0.0      # a pause near the first nominal cut (20 s)
    >>> cuts = plan(x, sr)
    >>> len(cuts), round(cuts[0].stop / sr, 2), cuts[-1].stop == len(x)
    (2, 21.01, True)
    """
    total = mono.shape[0]
    frames = frame_count(total, sample_rate)
    per_segment = round(segment_seconds * 1000.0 / FRAME_PERIOD_MS)
    if frames <= per_segment * 3 // 2:
        return [Segment(0, total, 0, total, 0, (0, frames))]
    cuts: list[int | None] = [0, *_cut_frames(mono, sample_rate, frames, per_segment), None]
    return [_segment(a or 0, b, sample_rate, total, frames) for a, b in pairwise(cuts)]


def _cut_frames(mono: Float64, sample_rate: int, frames: int, per_segment: int) -> Iterator[int]:
    """The frame of each cut: the quietest within the search window around every nominal cut."""
    energy = _frame_energy(mono, sample_rate, frames)
    search = min(round(SEARCH_SECONDS * 1000.0 / FRAME_PERIOD_MS), per_segment // 4)
    nominal = per_segment
    while nominal + per_segment // 2 < frames:
        low, high = nominal - search, min(nominal + search, frames - 1)
        cut = low + int(np.argmin(energy[low:high]))
        yield cut
        nominal = cut + per_segment


def _frame_energy(mono: Float64, sample_rate: int, frames: int) -> Float64:
    """Energy of the :data:`QUIET_FRAMES` frames around each frame."""
    bounds = np.minimum([frame_sample(k, sample_rate) for k in range(frames + 1)], mono.shape[0])
    squares = np.concatenate([[0.0], np.cumsum(np.square(mono))])
    per_frame = squares[bounds[1:]] - squares[bounds[:-1]]
    kernel = np.ones(QUIET_FRAMES)
    return np.asarray(np.convolve(per_frame, kernel, mode="same"), dtype=np.float64)


def _segment(first: int, last: int | None, sample_rate: int, total: int, frames: int) -> Segment:
    """Segment from cut frame ``first`` to cut frame ``last`` (None: the end)."""
    margin = round(MARGIN_SECONDS * 1000.0 / FRAME_PERIOD_MS)
    region_first = max(0, first - margin)
    stop = total if last is None else frame_sample(last, sample_rate)
    region_stop = total if last is None else min(total, frame_sample(min(last + margin, frames), sample_rate))
    return Segment(
        start=frame_sample(first, sample_rate),
        stop=stop,
        region_start=frame_sample(region_first, sample_rate),
        region_stop=region_stop,
        first_frame=region_first,
        frames=(first, frames if last is None else last),
    )


def fade_length(sample_rate: int) -> int:
    """Samples of the cross-fade at each cut (even)."""
    return 2 * round(FADE_SECONDS * sample_rate / 2)


def add_segment(out: Float64, piece: Float64, segment: Segment, *, fade: int) -> None:
    """Add ``piece`` (the synthesis of ``segment``'s region) into ``out``, faded at inner cuts.

    Around a cut at sample ``c`` the outgoing segment fades out and the incoming one fades in over
    ``[c - fade/2, c + fade/2)`` with complementary raised-cosine ramps (they sum to 1).

    Examples
    --------
    >>> out = np.zeros(100)
    >>> first, second = Segment(0, 50, 0, 60, 0, (0, 10)), Segment(50, 100, 40, 100, 8, (10, 20))
    >>> add_segment(out, np.ones(60), first, fade=10)
    >>> add_segment(out, np.ones(60), second, fade=10)
    >>> bool(np.allclose(out, 1.0))
    True
    """
    half = fade // 2
    begin = segment.start - half if segment.start > 0 else 0
    end = segment.stop + half if segment.stop < out.shape[0] else segment.stop
    part = piece[begin - segment.region_start : end - segment.region_start].copy()
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(fade) + 0.5) / fade)
    if segment.start > 0:
        part[:fade] *= ramp
    if segment.stop < out.shape[0]:
        part[-fade:] *= ramp[::-1]
    out[begin:end] += part
