"""A vocal added to a rendered piece *before* mastering, in bounded memory (for :mod:`.sung`).

The backing's stems are rendered to tapes (:mod:`.produce.tape`: in memory for short pieces,
float WAV files for long ones) while the premaster's loudness is measured. Once the vocal is
sung, every stem is pocketed block by block (the vocal pocket of
:class:`mixdown.engines.singing.mix.Pocket`, linear, so the stems still sum to the premaster),
the gained vocal becomes the ``vocals`` stem, the premaster (their sum) is written to a tape, and
the producer's own master pass (bus, loudness, true-peak limiter) makes the mix, while a side
thread reads the tempo and key back from the premaster for the quality report. The result is a
:class:`~mixdown.engines.music.produce.files.ProductionFiles`, as ``produce_to_files`` returns.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from mixdown.engines.music.produce import ProductionFiles, render_chunks
from mixdown.engines.music.produce.files import _master_pass
from mixdown.engines.music.produce.loudness import LoudnessMeter
from mixdown.engines.music.produce.master import GRID, SILENT_LUFS
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.produce.tape import STEMS_MEMORY_BYTES, Tape, new_tape
from mixdown.engines.music.score import Score, Stem
from mixdown.engines.singing.mix import FALLBACK_LUFS, Pocket, vocal_envelope

Stems = dict[Stem, Tape]


def render_stems(score: Score, sample_rate: int, soundfont: str | None, folder: Path) -> tuple[Stems, float]:
    """Every stem of ``score`` on a tape (post-effects, pre-master), and the premaster's loudness."""
    frames = total_frames(score, sample_rate)
    (folder / "rendered").mkdir(parents=True, exist_ok=True)
    tapes: Stems = {}
    meter = LoudnessMeter(sample_rate)
    for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
        for stem, audio in chunk.stems.items():
            if stem not in tapes:
                budget = STEMS_MEMORY_BYTES // (len(chunk.stems) + 1)  # and the vocal's
                tapes[stem] = new_tape(
                    folder / "rendered" / f"{stem.value}.wav", sample_rate, frames, budget=budget
                )
            tapes[stem].write(audio)
        meter.add(chunk.premaster)
    for tape in tapes.values():
        tape.close()
    return tapes, meter.integrated()


def reference_lufs(measured: float) -> float:
    """The backing's loudness to set the vocal against (a fallback for a silent backing)."""
    return measured if math.isfinite(measured) and measured > SILENT_LUFS else FALLBACK_LUFS


def overdub(stems: Stems, vocals: np.ndarray, sample_rate: int, folder: Path) -> tuple[Stems, Tape]:
    """The pocketed stems plus ``vocals`` (already at its level) as the ``vocals`` stem, and their sum.

    ``stems`` are read once and discarded.

    Examples
    --------
    >>> import tempfile
    >>> sr = 22050
    >>> t = np.arange(sr * 2) / sr
    >>> bass = new_tape(Path(tempfile.mkdtemp()) / "b.wav", sr, 2 * sr)
    >>> bass.write(np.stack([0.1 * np.sin(2 * np.pi * 110 * t)] * 2, 1).astype(np.float32))
    >>> voice = np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32)
    >>> out, premaster = overdub({Stem.BASS: bass}, voice, sr, Path(tempfile.mkdtemp()))
    >>> sorted(out), bool(np.allclose(premaster.source(), out[Stem.BASS].source() + voice, atol=1e-6))
    ([<Stem.BASS: 'bass'>, <Stem.VOCALS: 'vocals'>], True)
    """
    frames = vocals.shape[0]
    (folder / "stems").mkdir(parents=True, exist_ok=True)
    budget = STEMS_MEMORY_BYTES // (len(stems) + 1)
    out = {
        stem: new_tape(folder / "stems" / f"{stem.value}.wav", sample_rate, frames, budget=budget)
        for stem in stems
    }
    premaster = new_tape(folder / "premaster.wav", sample_rate, frames)
    envelope = vocal_envelope(vocals, sample_rate)
    pockets = {stem: Pocket(envelope, sample_rate) for stem in stems}
    readers = {stem: tape.blocks() for stem, tape in stems.items()}
    for start in range(0, frames, GRID):
        total = np.array(vocals[start : start + GRID], dtype=np.float32)
        for stem, reader in readers.items():
            block = pockets[stem](next(reader))
            out[stem].write(block)
            total += block
        premaster.write(total)
    out[Stem.VOCALS] = _vocal_tape(vocals, sample_rate, folder / "stems" / "vocals.wav", budget)
    for tape in (*out.values(), premaster, *stems.values()):
        tape.close()
    for tape in stems.values():
        tape.discard()
    return out, premaster


def _vocal_tape(vocals: np.ndarray, sample_rate: int, path: Path, budget: int) -> Tape:
    tape = new_tape(path, sample_rate, vocals.shape[0], budget=budget)
    for start in range(0, vocals.shape[0], GRID):
        tape.write(vocals[start : start + GRID])
    return tape


def master(score: Score, stems: Stems, premaster: Tape, sample_rate: int, folder: Path) -> ProductionFiles:
    """The producer's master pass over ``premaster``; tempo and key read from it on a side thread."""
    from mixdown.engines.music.quality import read_music

    with ThreadPoolExecutor(2, thread_name_prefix="overdub-side") as side:
        reading = side.submit(read_music, premaster.source(), sample_rate)
        mix, gains, levels, reduction = _master_pass(score, sample_rate, folder, premaster, side)
        analysis = reading.result()
    premaster.discard()
    return ProductionFiles(
        mix_tape=mix,
        stem_tapes=stems,
        directory=folder,
        sample_rate=sample_rate,
        frames=total_frames(score, sample_rate),
        loudness_lufs=levels.loudness.integrated(),
        true_peak_db=levels.peaks.finish_db(),
        gain_db=gains.total_db,
        gains=gains,
        limiter_reduction_db=reduction,
        levels=levels,
        analysis=analysis,
    )
