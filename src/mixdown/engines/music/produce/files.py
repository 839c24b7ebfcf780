"""``produce_to_files``: long pieces produced in bounded memory, straight to float WAV files.

Same chunks, same mastering passes and the same samples as ``produce``, but nothing longer than a
chunk (3 s) or a mastering block (32768 frames) is held: stems and the premaster are written while
rendering, then the premaster file is read back block by block for the bus pass, and the bus file
for the limiter passes. A 20-minute piece stays well under 600 MB of memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from mixdown.engines.music.produce.chunks import check_rate, render_chunks
from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter
from mixdown.engines.music.produce.master import (
    GRID,
    LOUDNESS_TOLERANCE,
    MAX_PASSES,
    SILENT_LUFS,
    MasterGains,
    gain_to,
    run_bus,
    run_limiter,
)
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.score import Score, Stem


@dataclass
class ProductionFiles:
    """A produced piece on disk (32-bit float WAV) and what was measured on it."""

    mix: Path
    premaster: Path
    stems: dict[Stem, Path]
    sample_rate: int
    frames: int
    loudness_lufs: float
    true_peak_db: float
    gain_db: float
    gains: MasterGains
    limiter_reduction_db: float


def _writer(path: Path, sample_rate: int) -> soundfile.SoundFile:
    return soundfile.SoundFile(path, "w", samplerate=sample_rate, channels=2, subtype="FLOAT", format="WAV")


def _blocks(path: Path) -> Iterator[np.ndarray]:
    yield from soundfile.blocks(path, blocksize=GRID, dtype="float32", always_2d=True)


def produce_to_files(
    score: Score,
    *,
    sample_rate: int,
    directory: str | os.PathLike[str],
    soundfont: str | os.PathLike[str] | None = None,
) -> ProductionFiles:
    """Produce ``score`` into ``directory``: ``mix.wav``, ``premaster.wav``, ``stems/<stem>.wav``.

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
    premaster_path, bus_path, mix_path = folder / "premaster.wav", folder / ".bus.wav", folder / "mix.wav"
    stems = _render_pass(score, sample_rate, folder, premaster_path, soundfont)
    target = score.mix.target_lufs
    bus_db = gain_to(target, _loudness(_blocks(premaster_path), sample_rate))
    with _writer(bus_path, sample_rate) as bus_file:
        meter = LoudnessMeter(sample_rate)
        for block in run_bus(_blocks(premaster_path), score.mix, sample_rate, bus_db):
            meter.add(block)
            bus_file.write(block)
    limiter_db = gain_to(target, meter.integrated())
    try:
        for attempt in range(MAX_PASSES):
            loudness, peak, reduction = _limit_pass(bus_path, mix_path, score, sample_rate, limiter_db)
            error = target - loudness
            if abs(error) <= LOUDNESS_TOLERANCE or loudness <= SILENT_LUFS or attempt == MAX_PASSES - 1:
                break
            limiter_db += error * (1.3 if error > 0 else 1.0)  # as in master.limit_to_target
    finally:
        bus_path.unlink(missing_ok=True)
    gains = MasterGains(bus_db=bus_db, limiter_db=limiter_db)
    return ProductionFiles(
        mix=mix_path,
        premaster=premaster_path,
        stems=stems,
        sample_rate=sample_rate,
        frames=total_frames(score, sample_rate),
        loudness_lufs=loudness,
        true_peak_db=peak,
        gain_db=gains.total_db,
        gains=gains,
        limiter_reduction_db=reduction,
    )


def _render_pass(
    score: Score,
    sample_rate: int,
    folder: Path,
    premaster_path: Path,
    soundfont: str | os.PathLike[str] | None,
) -> dict[Stem, Path]:
    """Render every chunk, writing each stem and the premaster as they come."""
    paths: dict[Stem, Path] = {}
    with ExitStack() as stack:
        premaster = stack.enter_context(_writer(premaster_path, sample_rate))
        writers: dict[Stem, soundfile.SoundFile] = {}
        for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
            for stem, audio in chunk.stems.items():
                if stem not in writers:
                    paths[stem] = folder / "stems" / f"{stem.value}.wav"
                    writers[stem] = stack.enter_context(_writer(paths[stem], sample_rate))
                writers[stem].write(audio)
            premaster.write(chunk.premaster)
    return paths


def _loudness(blocks: Iterator[np.ndarray], sample_rate: int) -> float:
    meter = LoudnessMeter(sample_rate)
    for block in blocks:
        meter.add(block)
    return meter.integrated()


def _limit_pass(
    bus_path: Path, mix_path: Path, score: Score, sample_rate: int, gain_db: float
) -> tuple[float, float, float]:
    """One limiter pass from the bus file to the mix file: (loudness, true peak dB, max reduction dB)."""
    meter, peaks = LoudnessMeter(sample_rate), PeakMeter()
    stream, limiter = run_limiter(_blocks(bus_path), score.mix, sample_rate, gain_db)
    with _writer(mix_path, sample_rate) as mix_file:
        for block in stream:
            meter.add(block)
            peaks.add(block)
            mix_file.write(block)
    return meter.integrated(), peaks.finish_db(), limiter.max_reduction_db
