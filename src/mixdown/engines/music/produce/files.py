"""``produce_to_files``: pieces of any length produced in bounded memory, straight to float WAV files.

Same chunks, same mastering passes and the same samples as ``produce``. Stems are written while
rendering; the premaster and the bus are tapes (:mod:`.tape`): in memory for pieces up to two
minutes, float WAV files beyond, read back block by block by the bus and limiter passes, so a
20-minute piece stays well under 600 MB of memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.engines.music.produce import tape
from mixdown.engines.music.produce.chunks import check_rate, render_chunks
from mixdown.engines.music.produce.loudness import LevelMeter, LoudnessMeter
from mixdown.engines.music.produce.master import (
    LOUDNESS_TOLERANCE,
    MAX_PASSES,
    SILENT_LUFS,
    MasterGains,
    gain_to,
    run_bus,
    run_limiter,
)
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.produce.tape import Tape, new_tape
from mixdown.engines.music.score import Score, Stem


@dataclass
class ProductionFiles:
    """A produced piece (the mix a 32-bit float WAV file, stems on tapes) and what was measured on it."""

    mix_tape: Tape
    stem_tapes: dict[Stem, Tape]
    directory: Path
    sample_rate: int
    frames: int
    loudness_lufs: float
    true_peak_db: float
    gain_db: float
    gains: MasterGains
    limiter_reduction_db: float
    levels: LevelMeter  # of the mix, measured while it was written
    analysis: Any = None  # what ``analyse`` returned

    @property
    def mix(self) -> Path:
        """The mix's float WAV file (``mix.wav``); a mix held in memory is written now."""
        return self.mix_tape.save(self.directory / "mix.wav", self.sample_rate)

    def mix_audio(self) -> np.ndarray | Path:
        """The mix as samples when held in memory, else its file (what ``export`` takes)."""
        return self.mix_tape.source()

    @property
    def stems(self) -> dict[Stem, Path]:
        """The stems' float WAV files (``stems/<stem>.wav``); stems held in memory are written now."""
        folder = self.directory / "stems"
        return {
            stem: tape.save(folder / f"{stem.value}.wav", self.sample_rate)
            for stem, tape in self.stem_tapes.items()
        }

    def stem_audio(self) -> dict[Stem, np.ndarray | Path]:
        """Each stem as samples when held in memory, else its file (what ``export`` takes)."""
        return {stem: tape.source() for stem, tape in self.stem_tapes.items()}


def produce_to_files(
    score: Score,
    *,
    sample_rate: int,
    directory: str | os.PathLike[str],
    soundfont: str | os.PathLike[str] | None = None,
    analyse: Callable[[np.ndarray | Path], Any] | None = None,
) -> ProductionFiles:
    """Produce ``score`` into ``directory``: ``mix.wav`` and ``stems/<stem>.wav``.

    ``analyse``, when given, is called with the premaster (an array, or a file's path for pieces
    over ``tape.MEMORY_SECONDS``) in a second thread while the (single-threaded) mastering passes
    run; its result is ``ProductionFiles.analysis``.

    Examples
    --------
    >>> import tempfile
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> lead = Part(name="lead", stem=Stem.MELODY, program=80, notes=[Note(0.0, 1.0, 72, 100)])
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=0, mode="major", duration=1.5,
    ...               sections=[], chords=[], parts=[lead])
    >>> files = produce_to_files(score, sample_rate=22050, directory=tempfile.mkdtemp())
    >>> files.frames, sorted(files.stems), files.true_peak_db <= -1.0
    (33075, [<Stem.MELODY: 'melody'>], True)
    """
    check_rate(sample_rate)
    folder = Path(directory)
    (folder / "stems").mkdir(parents=True, exist_ok=True)
    frames = total_frames(score, sample_rate)
    premaster = new_tape(folder / "premaster.wav", sample_rate, frames)
    stems = _render_pass(score, sample_rate, folder, premaster, soundfont)
    # Two side threads: one for ``analyse``, one measuring and writing the limited mix.
    with ThreadPoolExecutor(2, thread_name_prefix="produce-side") as side:
        analysis = side.submit(analyse, premaster.source()) if analyse else None
        mix, gains, levels, reduction = _master_pass(score, sample_rate, folder, premaster, side)
        result = None if analysis is None else analysis.result()
    premaster.discard()
    return ProductionFiles(
        mix_tape=mix,
        stem_tapes=stems,
        directory=folder,
        sample_rate=sample_rate,
        frames=frames,
        loudness_lufs=levels.loudness.integrated(),
        true_peak_db=levels.peaks.finish_db(),
        gain_db=gains.total_db,
        gains=gains,
        limiter_reduction_db=reduction,
        levels=levels,
        analysis=result,
    )


def _master_pass(
    score: Score, sample_rate: int, folder: Path, premaster: Tape, side: ThreadPoolExecutor
) -> tuple[Tape, MasterGains, LevelMeter, float]:
    """Bus pass to a tape, then limiter passes to the mix's tape until the loudness is on target."""
    target = score.mix.target_lufs
    bus_db = gain_to(target, _loudness(premaster.blocks(), sample_rate))
    bus = new_tape(folder / ".bus.wav", sample_rate, total_frames(score, sample_rate))
    meter = LoudnessMeter(sample_rate)
    for block in run_bus(premaster.blocks(), score.mix, sample_rate, bus_db):
        meter.add(block)
        bus.write(block)
    bus.close()
    limiter_db = gain_to(target, meter.integrated())
    try:
        for attempt in range(MAX_PASSES):
            mix = new_tape(folder / "mix.wav", sample_rate, total_frames(score, sample_rate))
            levels, reduction = _limit_pass(bus, mix, score, sample_rate, limiter_db, side)
            loudness = levels.loudness.integrated()
            error = target - loudness
            if abs(error) <= LOUDNESS_TOLERANCE or loudness <= SILENT_LUFS or attempt == MAX_PASSES - 1:
                break
            limiter_db += error * (1.3 if error > 0 else 1.0)  # as in master.limit_to_target
            mix.discard()
    finally:
        bus.discard()
    return mix, MasterGains(bus_db=bus_db, limiter_db=limiter_db), levels, reduction


def _render_pass(
    score: Score,
    sample_rate: int,
    folder: Path,
    premaster: Tape,
    soundfont: str | os.PathLike[str] | None,
) -> dict[Stem, Tape]:
    """Render every chunk, writing each stem and the premaster as they come."""
    frames = total_frames(score, sample_rate)
    tapes: dict[Stem, Tape] = {}
    with ExitStack() as stack:
        stack.callback(premaster.close)
        for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
            for stem, audio in chunk.stems.items():
                if stem not in tapes:
                    budget = tape.STEMS_MEMORY_BYTES // len(chunk.stems)  # every chunk has every stem
                    tapes[stem] = new_tape(
                        folder / "stems" / f"{stem.value}.wav", sample_rate, frames, budget=budget
                    )
                    stack.callback(tapes[stem].close)
                tapes[stem].write(audio)
            premaster.write(chunk.premaster)
    return tapes


def _loudness(blocks: Iterator[np.ndarray], sample_rate: int) -> float:
    meter = LoudnessMeter(sample_rate)
    for block in blocks:
        meter.add(block)
    return meter.integrated()


def _limit_pass(
    bus: Tape, mix: Tape, score: Score, sample_rate: int, gain_db: float, side: ThreadPoolExecutor
) -> tuple[LevelMeter, float]:
    """One limiter pass from the bus to the mix: (the mix's levels, max reduction dB).

    Each limited block is measured and written by ``side`` while the limiter works on the next.
    """
    levels = LevelMeter(sample_rate, 2)
    stream, limiter = run_limiter(bus.blocks(), score.mix, sample_rate, gain_db)
    pending: Future[None] | None = None
    for block in stream:
        if pending is not None:
            pending.result()
        pending = side.submit(_measure_and_write, levels, mix, block)
    if pending is not None:
        pending.result()
    mix.close()
    return levels, limiter.max_reduction_db


def _measure_and_write(levels: LevelMeter, mix: Tape, block: np.ndarray) -> None:
    levels.add(block)
    mix.write(block)
