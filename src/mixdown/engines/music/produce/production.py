"""``produce``: a Score to mastered audio plus exact stems, in memory; and the streaming gain forecast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from mixdown.engines.music.produce.chunks import check_rate, render_chunks
from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter, gated_loudness
from mixdown.engines.music.produce.master import (
    BusChain,
    MasterGains,
    StreamMaster,
    TruePeakLimiter,
    blocks_of,
    ceiling_of,
    gain_to,
    master_audio,
)
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.score import Score, Stem


@dataclass
class Production:
    """A produced piece: the master, the premaster and the stems it is the sum of."""

    mix: np.ndarray  # float32 (frames, 2), mastered
    premaster: np.ndarray  # float32 (frames, 2), exactly the sum of the stems
    stems: dict[Stem, np.ndarray]  # float32 (frames, 2) each, post-effects, pre-master
    sample_rate: int
    loudness_lufs: float  # integrated, of ``mix``
    true_peak_db: float  # dBTP of ``mix``, 4x oversampled
    gain_db: float  # total master gain (bus gain + limiter input gain)
    gains: MasterGains = field(default_factory=lambda: MasterGains(0.0, 0.0))
    limiter_reduction_db: float = 0.0  # deepest gain reduction of the limiter (<= 0)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return float(self.mix.shape[0]) / self.sample_rate


def produce(score: Score, *, sample_rate: int, soundfont: str | os.PathLike[str] | None = None) -> Production:
    """Render, mix and master ``score`` (in memory; see ``produce_to_files`` for long pieces).

    Parameters
    ----------
    score
        The piece; its ``mix`` settings drive the bus and the loudness/true-peak targets.
    sample_rate
        22050, 32000, 44100 or 48000. The output has exactly ``round(duration * sample_rate)``
        frames, stereo.
    soundfont
        Configured soundfont (path or name), ``None`` for the default.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> keys = Part(name="keys", stem=Stem.CHORDS, program=0,
    ...             notes=[Note(0.0, 1.5, p, 90) for p in (60, 64, 67)])
    >>> score = Score(bpm=100, meter=(4, 4), key_tonic=0, mode="major", duration=2.0,
    ...               sections=[], chords=[], parts=[keys])
    >>> result = produce(score, sample_rate=22050)
    >>> result.mix.shape, round(result.loudness_lufs), result.true_peak_db <= -1.0
    ((44100, 2), -14, True)
    """
    check_rate(sample_rate)
    frames = total_frames(score, sample_rate)
    stems: dict[Stem, np.ndarray] = {}
    premaster = np.zeros((frames, 2), dtype=np.float32)
    meter = LoudnessMeter(sample_rate)
    for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
        for stem, audio in chunk.stems.items():
            if stem not in stems:
                stems[stem] = np.zeros((frames, 2), dtype=np.float32)
            stems[stem][chunk.start : chunk.end] = audio
        # Same additions in the same order as sum_stems over whole arrays: identical samples.
        premaster[chunk.start : chunk.end] = chunk.premaster
        meter.add(premaster[chunk.start : chunk.end])  # while the next chunk renders
    mastered = master_audio(premaster, score.mix, sample_rate, premaster_lufs=meter.integrated())
    return Production(
        mix=mastered.audio,
        premaster=premaster,
        stems=stems,
        sample_rate=sample_rate,
        loudness_lufs=mastered.loudness_lufs,
        true_peak_db=_true_peak_db(mastered.audio),
        gain_db=mastered.gains.total_db,
        gains=mastered.gains,
        limiter_reduction_db=mastered.max_reduction_db,
    )


def _true_peak_db(audio: np.ndarray) -> float:
    meter = PeakMeter()
    for block in blocks_of(audio):
        meter.add(block)
    return meter.finish_db()


FORECAST_RATE = 22050


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

    Renders a few seconds from the middle of every section (at most 12), measures them through the
    bus and the limiter, and weighs each excerpt by the length of its section. A streamed piece
    mastered with these gains lands within about 1 LU of the target; its true peak is held by the
    limiter regardless.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> pad = Part(name="pad", stem=Stem.PADS, program=89, notes=[Note(0.0, 3.5, 57, 90)])
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
    renders = [(x, _render_excerpt(score, sample_rate, x, soundfont)) for x in excerpts(score, sample_rate)]
    if not renders:
        return MasterGains(0.0, 0.0)
    bus_db = gain_to(target, _weighted_loudness(renders, sample_rate))
    bussed = [(x, _bus(audio, score, sample_rate, bus_db)) for x, audio in renders]
    limiter_db = gain_to(target, _weighted_loudness(bussed, sample_rate))
    limited = [(x, _limit(audio, score, sample_rate, limiter_db)) for x, audio in bussed]
    limiter_db += gain_to(target, _weighted_loudness(limited, sample_rate))
    return MasterGains(bus_db=bus_db, limiter_db=limiter_db)


def stream_mastered(
    score: Score,
    *,
    sample_rate: int,
    soundfont: str | os.PathLike[str] | None = None,
    gains: MasterGains | None = None,
) -> Iterator[np.ndarray]:
    """The mastered piece in consecutive float32 ``(n, 2)`` pieces, without waiting for the end.

    Uses ``gains`` (default: ``predict_master_gain``) and a look-ahead true-peak limiter. The
    pieces lag the rendered chunks by up to one mastering block (0.7 s at 44.1 kHz); their
    concatenation has exactly ``round(duration * sample_rate)`` frames and is what a streamed job
    stores.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> bass = Part(name="bass", stem=Stem.BASS, program=33, notes=[Note(0.0, 1.0, 40, 100)])
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=4, mode="minor", duration=1.5,
    ...               sections=[], chords=[], parts=[bass])
    >>> sum(piece.shape[0] for piece in stream_mastered(score, sample_rate=22050))
    33075
    """
    check_rate(sample_rate)
    if gains is None:
        gains = predict_master_gain(score, sample_rate=sample_rate, soundfont=soundfont)
    master = StreamMaster(score.mix, sample_rate, gains)
    for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
        out = master.process(chunk.premaster)
        if out.shape[0]:
            yield out
    yield master.finish()


def _render_excerpt(
    score: Score, sample_rate: int, excerpt: Excerpt, soundfont: str | os.PathLike[str] | None
) -> np.ndarray:
    """Premaster of the excerpt including its pre-roll."""
    start = excerpt.start - excerpt.preroll
    pieces = [
        c.premaster
        for c in render_chunks(score, sample_rate, soundfont=soundfont, start=start, end=excerpt.end)
    ]
    return np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.float32)


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
