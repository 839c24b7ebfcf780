"""The loudness forecast a stream is mastered with: gains chosen before the piece is rendered.

A streamed piece cannot be measured before it is sent, so its master gains come from excerpts
rendered first: a few seconds from the middle of sections, measured through the same bus and
limiter as the piece. The excerpts are rendered back to back as one short "digest" score on one
synth, which costs one synth instead of one per excerpt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

from mixdown.engines.music.produce.chunks import check_rate, render_chunks
from mixdown.engines.music.produce.loudness import LoudnessMeter, gated_loudness
from mixdown.engines.music.produce.master import (
    SILENT_LUFS,
    BusChain,
    MasterGains,
    TruePeakLimiter,
    blocks_of,
    ceiling_of,
    gain_to,
)
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.score import ControlPoint, Note, Part, Score

FORECAST_RATE = 22050
# Excerpts come from the middle of sections, which are fuller than their edges (entries, fills,
# the ring-out at the end), so the piece measures quieter than its excerpts. Measured over 12
# styles at 60 s (docs/music-engine.md, "Streaming"): +0.8 LU on average without this correction.
EXCERPT_BIAS_LU = 0.7


@dataclass(frozen=True)
class Excerpt:
    """A window of the piece rendered for the loudness forecast, standing for ``weight`` seconds."""

    start: int
    end: int
    preroll: int  # frames rendered before ``start`` to let notes, reverbs and compressors settle
    weight: float


def excerpts(
    score: Score, sample_rate: int, *, seconds: float = 2.5, preroll: float = 0.5, limit: int = 4
) -> list[Excerpt]:
    """Where to listen before rendering: the middle of each section (at most ``limit``, evenly spread)."""
    frames = total_frames(score, sample_rate)
    spans = [(s.start, s.end) for s in score.sections if s.end > s.start] or [(0.0, score.duration)]
    if len(spans) > limit:
        picks = np.linspace(0, len(spans) - 1, limit).round().astype(int)
        spans = [spans[i] for i in sorted(set(picks.tolist()))]
    weight_scale = score.duration / max(1e-9, sum(end - start for start, end in spans))
    chosen = []
    for start, end in spans:
        middle = 0.5 * (start + end)
        half = min(seconds, end - start) / 2
        a = max(0, int((middle - half) * sample_rate))
        b = min(frames, int((middle + half) * sample_rate))
        if b - a >= int(0.4 * sample_rate):  # shorter than one gating block: nothing to measure
            pre = min(a, int(preroll * sample_rate))
            chosen.append(Excerpt(a, b, pre, (end - start) * weight_scale))
    return chosen


def predict_master_gain(
    score: Score, *, sample_rate: int = 44100, soundfont: str | os.PathLike[str] | None = None
) -> MasterGains:
    """Master gains for a stream, forecast from excerpts rendered before the piece is.

    Renders a few seconds from the middle of sections (at most 4, back to back on one synth: see
    ``render_excerpts``), measures them through the bus and the limiter, and weighs each excerpt by
    the length of its section. A streamed piece
    mastered with these gains lands within about 1 LU of the target; its true peak is held by the
    limiter regardless.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> pad = Part(name="pad", stem=Stem.PADS, program=89, notes=[Note(t, 0.9, 57, 90) for t in range(4)])
    >>> score = Score(bpm=90, meter=(4, 4), key_tonic=9, mode="minor", duration=4.0,
    ...               sections=[], chords=[], parts=[pad])
    >>> gains = predict_master_gain(score, sample_rate=22050)
    >>> gains.total_db > 0
    True
    """
    check_rate(sample_rate)
    # The forecast listens at 22.05 kHz at most: loudness barely depends on the top octave, and
    # half the samples halve the wait before a stream's first chunk.
    sample_rate = min(sample_rate, FORECAST_RATE)
    target = score.mix.target_lufs
    renders = render_excerpts(score, sample_rate, excerpts(score, sample_rate), soundfont)
    if not renders:
        return MasterGains(0.0, 0.0)
    bus_db = gain_to(target, _weighted_loudness(renders, sample_rate))
    bussed = [(x, _bus(audio, score, sample_rate, bus_db)) for x, audio in renders]
    limiter_db = gain_to(target, _weighted_loudness(bussed, sample_rate))
    limited = [(x, _limit(audio, score, sample_rate, limiter_db)) for x, audio in bussed]
    settled = _weighted_loudness(limited, sample_rate)
    if settled <= SILENT_LUFS:
        return MasterGains(bus_db=bus_db, limiter_db=limiter_db)
    return MasterGains(bus_db=bus_db, limiter_db=limiter_db + gain_to(target, settled) - EXCERPT_BIAS_LU)


def render_excerpts(
    score: Score, sample_rate: int, chosen: list[Excerpt], soundfont: str | os.PathLike[str] | None
) -> list[tuple[Excerpt, np.ndarray]]:
    """Premaster of each excerpt (pre-roll included), rendered back to back in one digest score.

    Each window keeps the notes that start inside it (cut at its end) and the controller values in
    force at its start, as a render starting mid-piece would (re-striking notes held from before
    measured worse: pads came out too loud); the pre-roll lets notes, reverbs and compressors
    settle, and the previous window's tails fade, before the measured part.
    """
    if not chosen:
        return []
    digest, placed = _digest(score, sample_rate, chosen)
    premaster = np.concatenate([c.premaster for c in render_chunks(digest, sample_rate, soundfont=soundfont)])
    return [
        (excerpt, premaster[at.start - at.preroll : at.end])
        for excerpt, at in zip(chosen, placed, strict=True)
    ]


def _digest(score: Score, sample_rate: int, chosen: list[Excerpt]) -> tuple[Score, list[Excerpt]]:
    """The excerpts' windows placed one after another, and where each excerpt landed."""
    windows, placed, offset = [], [], 0
    for excerpt in chosen:
        first = excerpt.start - excerpt.preroll
        windows.append((first / sample_rate, excerpt.end / sample_rate, offset / sample_rate))
        placed.append(replace(excerpt, start=offset + excerpt.preroll, end=offset + excerpt.end - first))
        offset += excerpt.end - first
    parts = [_part_windows(part, windows) for part in score.parts]
    # A short silent tail keeps the mixer's end-of-piece fade off the last excerpt.
    duration = offset / sample_rate + 0.25
    return replace(score, duration=duration, sections=[], chords=[], parts=parts), placed


def _part_windows(part: Part, windows: list[tuple[float, float, float]]) -> Part:
    notes: list[Note] = []
    controls: list[ControlPoint] = []
    for begin, end, at in windows:
        notes += [_note_in(n, begin, end, at) for n in part.notes if begin <= n.start < end]
        controls += _controls_in(part.controls, begin, end, at)
    return replace(part, notes=notes, controls=controls)


def _note_in(note: Note, begin: float, end: float, at: float) -> Note:
    """``note`` (starting inside the window) moved to a window placed at ``at``, cut at its end."""
    return Note(at + note.start - begin, min(note.end, end) - note.start, note.pitch, note.velocity)


def _controls_in(points: list[ControlPoint], begin: float, end: float, at: float) -> list[ControlPoint]:
    """The window's control points, led by each controller's value in force at its start."""
    in_force: dict[int, int] = {}
    for point in points:
        if point.time < begin:
            in_force[point.controller] = point.value
    leading = [ControlPoint(at, controller, value) for controller, value in in_force.items()]
    inside = [replace(p, time=at + p.time - begin) for p in points if begin <= p.time < end]
    return leading + inside


def _bus(audio: np.ndarray, score: Score, sample_rate: int, gain_db: float) -> np.ndarray:
    bus = BusChain(score.mix, sample_rate)
    factor = np.float32(10.0 ** (gain_db / 20.0))
    return np.concatenate([bus.process(block * factor) for block in blocks_of(audio)])


def _limit(audio: np.ndarray, score: Score, sample_rate: int, gain_db: float) -> np.ndarray:
    limiter = TruePeakLimiter(sample_rate, ceiling_db=ceiling_of(score.mix), gain_db=gain_db)
    return np.concatenate([limiter.process(audio), limiter.finish()])


def _weighted_loudness(renders: list[tuple[Excerpt, np.ndarray]], sample_rate: int) -> float:
    """Gated loudness over every excerpt's blocks (pre-roll excluded), each weighted by its section."""
    blocks, weights = [], []
    for excerpt, audio in renders:
        meter = LoudnessMeter(sample_rate)
        meter.add(audio[excerpt.preroll :])
        loudness = meter.block_loudness()
        blocks.append(loudness)
        weights.append(np.full(loudness.shape, excerpt.weight / max(1, loudness.size)))
    return gated_loudness(np.concatenate(blocks), np.concatenate(weights))
