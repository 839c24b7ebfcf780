"""``produce``: a Score to mastered audio plus exact stems, in memory; and streams mastered on the fly."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

import numpy as np

from mixdown.engines.music.produce.chunks import Chunk, check_rate, render_chunks
from mixdown.engines.music.produce.forecast import predict_master_gain
from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter
from mixdown.engines.music.produce.master import (
    MasterGains,
    StreamMaster,
    blocks_of,
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


@dataclass
class MasteredStream:
    """A piece being mastered on the fly: the forecast gains and the mastered pieces to come."""

    gains: MasterGains
    pieces: Iterator[np.ndarray]  # float32 (n, 2), consecutive


def start_stream(
    score: Score, *, sample_rate: int, soundfont: str | os.PathLike[str] | None = None
) -> MasteredStream:
    """Forecast ``score``'s master gains, then master it chunk by chunk as it renders.

    (Rendering the first chunk in a background thread during the forecast was measured slower on
    two cores: both already use both cores.)

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> bass = Part(name="bass", stem=Stem.BASS, program=33, notes=[Note(0.0, 1.0, 40, 100)])
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=4, mode="minor", duration=1.5,
    ...               sections=[], chords=[], parts=[bass])
    >>> stream = start_stream(score, sample_rate=22050)
    >>> sum(piece.shape[0] for piece in stream.pieces), stream.gains.total_db > 0
    (33075, True)
    """
    check_rate(sample_rate)
    gains = predict_master_gain(score, sample_rate=sample_rate, soundfont=soundfont)
    chunks = render_chunks(score, sample_rate, soundfont=soundfont)
    return MasteredStream(gains, _mastered(chunks, score, sample_rate, gains))


def stream_mastered(
    score: Score,
    *,
    sample_rate: int,
    soundfont: str | os.PathLike[str] | None = None,
    gains: MasterGains | None = None,
) -> Iterator[np.ndarray]:
    """The mastered piece in consecutive float32 ``(n, 2)`` pieces, without waiting for the end.

    Uses ``gains`` (default: ``predict_master_gain``'s, see ``start_stream``) and a look-ahead
    true-peak limiter. The pieces lag the rendered chunks by up to one mastering block (0.7 s at
    44.1 kHz); their concatenation has exactly ``round(duration * sample_rate)`` frames and is what
    a streamed job stores.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> bass = Part(name="bass", stem=Stem.BASS, program=33, notes=[Note(0.0, 1.0, 40, 100)])
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=4, mode="minor", duration=1.5,
    ...               sections=[], chords=[], parts=[bass])
    >>> sum(piece.shape[0] for piece in stream_mastered(score, sample_rate=22050))
    33075
    """
    if gains is None:
        yield from start_stream(score, sample_rate=sample_rate, soundfont=soundfont).pieces
        return
    check_rate(sample_rate)
    yield from _mastered(render_chunks(score, sample_rate, soundfont=soundfont), score, sample_rate, gains)


def _mastered(
    chunks: Iterator[Chunk], score: Score, sample_rate: int, gains: MasterGains
) -> Generator[np.ndarray, None, None]:
    master = StreamMaster(score.mix, sample_rate, gains)
    try:
        for chunk in chunks:
            out = master.process(chunk.premaster)
            if out.shape[0]:
                yield out
        yield master.finish()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
