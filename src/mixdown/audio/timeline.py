"""Pieces of audio placed on a timeline: settled spans, clips with fades, one file rendered in blocks.

A soundtrack is a list of regions. Each asks for a span ``[time, time + duration]`` and holds
either *flexible* content (generated to whatever length its span ends up with) or *fixed* content
(an earlier piece of a given length). :func:`plan_spans` settles the spans: a region's ``method``
says which of its ends may move (``strict``: neither; ``adjust_end``: the end; ``adjust_start``:
the start; ``auto_adjust``: both, for flexible content). :func:`clip_for` turns a settled span into
a :class:`Clip` of a source file, and :func:`render` sums clips into one float WAV file block by
block, so a 20-minute soundtrack never sits in memory whole.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

import numpy as np
import soundfile as sf

from mixdown.audio.edit import fade_gain
from mixdown.audio.resample import to_channels

Method: TypeAlias = Literal["strict", "adjust_start", "adjust_end", "auto_adjust"]
METHODS: tuple[Method, ...] = ("strict", "adjust_start", "adjust_end", "auto_adjust")
MIN_SPAN_SECONDS = 1.0  # a region squeezed shorter than this by its neighbours is refused
EDGE_FADE_SECONDS = 0.005  # every clip edge: no click where a region starts or stops mid-waveform
CUT_FADE_SECONDS = 0.25  # where a clip cuts into its source's music (a head dropped, a tail cut off)
BLOCK = 65536


@dataclass(frozen=True)
class RegionTime:
    """What a region asks for: its span, its method, and its content's own length if fixed."""

    time: float
    duration: float
    method: Method = "strict"
    length: float | None = None  # fixed content (a copy) of this many seconds; None: flexible

    @property
    def end(self) -> float:
        """The requested end."""
        return self.time + self.duration


@dataclass(frozen=True)
class Span:
    """A settled span on the timeline and where in its content it starts (seconds)."""

    start: float
    end: float
    offset: float = 0.0

    @property
    def seconds(self) -> float:
        """Its length."""
        return self.end - self.start


@dataclass(frozen=True)
class Clip:
    """Frames ``[offset, offset + frames)`` of ``path`` placed at frame ``start``, faded at both ends."""

    path: Path
    start: int
    offset: int
    frames: int
    fade_in: int
    fade_out: int


def total_seconds(regions: Sequence[RegionTime]) -> float:
    """The soundtrack's length: the latest requested end (adjustments never lengthen it)."""
    return max((r.end for r in regions), default=0.0)


def plan_spans(regions: Sequence[RegionTime]) -> list[Span]:
    """The settled span of every region, in the order given.

    Fixed content settles first: ``adjust_end`` and ``auto_adjust`` keep its start and let it run
    its own length; ``adjust_start`` keeps its end and starts it its length earlier. Either never
    pushes into a neighbour's request by more than leaves it ``MIN_SPAN_SECONDS`` (nor before 0):
    the content's head (``adjust_start``) or tail (``adjust_end``) is cut instead. Flexible content
    then moves its free ends onto the settled neighbours in time order (``adjust_end``: up to the
    next region's start or the soundtrack's end; ``adjust_start``: from the previous region's
    settled end or 0), earliest first, so two flexible regions moving towards each other meet where
    the first one ends. ``strict`` keeps the request. Spans never run past the soundtrack's end.
    ``ValueError`` names a region left shorter than ``MIN_SPAN_SECONDS``.

    Examples
    --------
    >>> regions = [RegionTime(0, 20.2, "adjust_end"), RegionTime(20.2, 27.8, "adjust_start", length=25.0)]
    >>> [(round(s.start, 3), round(s.end, 3)) for s in plan_spans(regions)]
    [(0.0, 23.0), (23.0, 48.0)]
    >>> long_jingle = [regions[0], RegionTime(20.2, 27.8, "adjust_start", length=60.0)]
    >>> [(round(s.start, 3), round(s.end, 3), round(s.offset, 3)) for s in plan_spans(long_jingle)]
    [(0.0, 1.0, 0.0), (1.0, 48.0, 13.0)]
    """
    total = total_seconds(regions)
    order = sorted(range(len(regions)), key=lambda i: (regions[i].time, i))
    requested = [Span(*_requested(r)) for r in regions]
    first = list(requested)
    for position, index in enumerate(order):
        if regions[index].length is not None:
            floor = requested[order[position - 1]].start + MIN_SPAN_SECONDS if position else 0.0
            last = position + 1 == len(order)
            ceiling = total if last else requested[order[position + 1]].end - MIN_SPAN_SECONDS
            first[index] = _fixed_span(regions[index], floor, min(ceiling, total))
    spans = list(first)
    for position, index in enumerate(order):
        if regions[index].length is None:
            before = spans[order[position - 1]] if position > 0 else None  # already settled
            after = first[order[position + 1]] if position + 1 < len(order) else None
            spans[index] = _flexible_span(regions[index], before, after, total)
    for number, span in enumerate(spans):
        if span.seconds < MIN_SPAN_SECONDS:
            raise ValueError(
                f"region {number} would last {max(span.seconds, 0.0):.2f} s after its neighbours' "
                f"adjustments; a region needs at least {MIN_SPAN_SECONDS:g} s"
            )
    return spans


def _requested(region: RegionTime) -> tuple[float, float]:
    return float(region.time), float(region.end)


def _fixed_span(region: RegionTime, floor: float, ceiling: float) -> Span:
    """A fixed region's span: it may start no earlier than ``floor`` nor end later than ``ceiling``
    (unless its request already does)."""
    length = float(region.length or 0.0)
    time, end = _requested(region)
    if region.method == "adjust_start":
        start = end - length
        settled = max(start, min(floor, time))
        return Span(settled, end, settled - start)
    if region.method == "strict":
        return Span(time, end)
    return Span(time, min(time + length, max(ceiling, end)))


def _flexible_span(region: RegionTime, before: Span | None, after: Span | None, total: float) -> Span:
    start, end = _requested(region)
    if region.method in ("adjust_start", "auto_adjust"):
        start = before.end if before is not None else 0.0
    if region.method in ("adjust_end", "auto_adjust"):
        end = after.start if after is not None else total
    return Span(start, min(end, total))


def clip_for(path: Path, span: Span, *, content_seconds: float, sample_rate: int) -> Clip:
    """The clip that plays ``path`` (``content_seconds`` long) over ``span``.

    A side where the span cuts into the content's music gets a ``CUT_FADE_SECONDS`` fade; the
    other sides get ``EDGE_FADE_SECONDS``. Content shorter than the span leaves silence after it.

    Examples
    --------
    >>> clip = clip_for(Path("a.wav"), Span(2.0, 4.0, offset=1.0), content_seconds=5.0, sample_rate=100)
    >>> clip.start, clip.offset, clip.frames, clip.fade_in, clip.fade_out
    (200, 100, 200, 25, 25)
    """
    start, offset = round(span.start * sample_rate), round(span.offset * sample_rate)
    available = round(content_seconds * sample_rate) - offset
    frames = max(0, min(round(span.end * sample_rate) - start, available))
    cut_tail = available > frames
    fade_in = _fade(CUT_FADE_SECONDS if offset > 0 else EDGE_FADE_SECONDS, sample_rate, frames)
    fade_out = _fade(CUT_FADE_SECONDS if cut_tail else EDGE_FADE_SECONDS, sample_rate, frames)
    return Clip(path=path, start=start, offset=offset, frames=frames, fade_in=fade_in, fade_out=fade_out)


def _fade(seconds: float, sample_rate: int, frames: int) -> int:
    return min(round(seconds * sample_rate), frames // 2)


def render(
    clips: Sequence[Clip], dest: str | os.PathLike[str], *, total_frames: int, sample_rate: int
) -> None:
    """Sum ``clips`` into a stereo float WAV of exactly ``total_frames`` frames, block by block.

    Sources must be at ``sample_rate`` (mono is widened to stereo). Overlapping clips add up;
    the caller's loudness stage keeps the sum under its ceiling.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> sf.write(folder / "one.wav", np.full((100, 2), 0.5, np.float32), 100, subtype="FLOAT")
    >>> clip = Clip(folder / "one.wav", start=50, offset=0, frames=100, fade_in=0, fade_out=0)
    >>> render([clip], folder / "out.wav", total_frames=200, sample_rate=100)
    >>> out, _ = sf.read(folder / "out.wav")
    >>> out.shape, float(out[49, 0]), float(out[50, 0]), float(out[150, 0])
    ((200, 2), 0.0, 0.5, 0.0)
    """
    handles = {clip.path: sf.SoundFile(str(clip.path)) for clip in clips}
    try:
        with sf.SoundFile(str(dest), "w", samplerate=sample_rate, channels=2, subtype="FLOAT") as out:
            for begin in range(0, total_frames, BLOCK):
                stop = min(begin + BLOCK, total_frames)
                block = np.zeros((stop - begin, 2), dtype=np.float32)
                for clip in clips:
                    _add(block, begin, clip, handles[clip.path])
                out.write(block)
    finally:
        for handle in handles.values():
            handle.close()


def _add(block: np.ndarray, begin: int, clip: Clip, source: sf.SoundFile) -> None:
    """Add the part of ``clip`` that falls in ``block`` (which starts at timeline frame ``begin``)."""
    lo, hi = max(begin, clip.start), min(begin + len(block), clip.start + clip.frames)
    if lo >= hi:
        return
    position = lo - clip.start  # frames into the clip
    source.seek(clip.offset + position)
    audio = source.read(hi - lo, dtype="float32", always_2d=True)
    audio = to_channels(audio, 2) if audio.shape[1] != 2 else audio
    gain = _clip_gain(clip, position, len(audio))
    block[lo - begin : lo - begin + len(audio)] += audio * gain[:, None]


def _clip_gain(clip: Clip, position: int, count: int) -> np.ndarray:
    """The fade gain of frames ``[position, position + count)`` of the clip (1 outside the fades)."""
    index = np.arange(position, position + count)
    gain = np.ones(count, dtype=np.float32)
    if clip.fade_in:
        rising = fade_gain(clip.fade_in)
        inside = index < clip.fade_in
        gain[inside] *= rising[index[inside]]
    if clip.fade_out:
        falling = fade_gain(clip.fade_out)[::-1]
        tail = clip.frames - clip.fade_out
        inside = index >= tail
        gain[inside] *= falling[index[inside] - tail]
    return gain
