"""Audio for derived pieces: render without mastering, master with given gains, splice files.

Everything works on float WAV files block by block, so a 20-minute piece never sits in memory.

Why splicing keeps audio bit-identical: rendering, the per-stem effects, the bus chain and the
limiter are all causal (the limiter looks 4 ms ahead), and a piece mastered with the same
``MasterGains`` goes through the same arithmetic. A score that shares its notes with the original
up to a bar line therefore renders and masters to the same samples up to a few ms before it;
``first_difference`` measures exactly where the two part.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from mixdown.engines.music.produce import render_chunks
from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter
from mixdown.engines.music.produce.master import GRID, MasterGains, run_bus, run_limiter
from mixdown.engines.music.score import MixSettings, Score, Stem

BLOCK = 65536


@dataclass(frozen=True)
class Rendered:
    """A score rendered to files: the premaster (sum of the stems) and each stem."""

    premaster: Path
    stems: dict[Stem, Path]
    frames: int


@dataclass(frozen=True)
class Take:
    """A source file placed in the output: its frame 0 lands on output frame ``offset``."""

    path: Path
    offset: int = 0


@dataclass(frozen=True)
class Segment:
    """Output frames ``[start, end)`` from ``take``, crossfaded in from ``fade_from`` if given."""

    start: int
    end: int
    take: Take | None
    fade_from: Take | None = None


def writer(path: Path, sample_rate: int, channels: int = 2) -> soundfile.SoundFile:
    """A 32-bit float WAV file open for writing."""
    return soundfile.SoundFile(
        path, "w", samplerate=sample_rate, channels=channels, subtype="FLOAT", format="WAV"
    )


def blocks(path: Path, size: int = GRID) -> Iterator[np.ndarray]:
    """A sound file as float32 ``(n, channels)`` blocks."""
    yield from soundfile.blocks(str(path), blocksize=size, dtype="float32", always_2d=True)


def render_to_files(
    score: Score, sample_rate: int, folder: Path, soundfont: str | os.PathLike[str] | None = None
) -> Rendered:
    """Render ``score`` into ``folder``: ``premaster.wav`` and ``stems/<stem>.wav`` (not mastered)."""
    (folder / "stems").mkdir(parents=True, exist_ok=True)
    paths: dict[Stem, Path] = {}
    frames = 0
    with ExitStack() as stack:
        premaster = stack.enter_context(writer(folder / "premaster.wav", sample_rate))
        writers: dict[Stem, soundfile.SoundFile] = {}
        for chunk in render_chunks(score, sample_rate, soundfont=soundfont):
            for stem, audio in chunk.stems.items():
                if stem not in writers:
                    paths[stem] = folder / "stems" / f"{stem.value}.wav"
                    writers[stem] = stack.enter_context(writer(paths[stem], sample_rate))
                writers[stem].write(audio)
            premaster.write(chunk.premaster)
            frames += chunk.frames
    return Rendered(folder / "premaster.wav", paths, frames)


def master_with(
    premaster: Path, out: Path, settings: MixSettings, sample_rate: int, gains: MasterGains
) -> tuple[float, float]:
    """Master ``premaster`` into ``out`` with fixed ``gains``: ``(loudness LUFS, true peak dBTP)``.

    The same stages as ``produce_to_files``'s last pass, so the same premaster and gains give the
    same samples.
    """
    bus_path = out.with_name(f".{out.stem}-bus.wav")
    try:
        with writer(bus_path, sample_rate) as bus_file:
            for block in run_bus(blocks(premaster), settings, sample_rate, gains.bus_db):
                bus_file.write(block)
        meter, peaks = LoudnessMeter(sample_rate), PeakMeter()
        stream, _ = run_limiter(blocks(bus_path), settings, sample_rate, gains.limiter_db)
        with writer(out, sample_rate) as mix_file:
            for block in stream:
                meter.add(block)
                peaks.add(block)
                mix_file.write(block)
    finally:
        bus_path.unlink(missing_ok=True)
    return meter.integrated(), peaks.finish_db()


def first_difference(a: Path, b: Path) -> int:
    """The first frame where two sound files differ (their common length if they never do).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> x = np.zeros((1000, 2), np.float32)
    >>> soundfile.write(folder / "a.wav", x, 22050, subtype="FLOAT")
    >>> x[700, 1] = 0.5
    >>> soundfile.write(folder / "b.wav", x, 22050, subtype="FLOAT")
    >>> first_difference(folder / "a.wav", folder / "b.wav")
    700
    """
    position = 0
    for left, right in zip(blocks(a, BLOCK), blocks(b, BLOCK), strict=False):
        n = min(left.shape[0], right.shape[0])
        differs = np.flatnonzero(np.any(left[:n] != right[:n], axis=1))
        if differs.size:
            return position + int(differs[0])
        position += n
        if n < BLOCK:
            break
    return position


def _read(take: Take | None, start: int, frames: int, channels: int) -> np.ndarray:
    """Frames ``[start, start + frames)`` of the output as ``take`` provides them (silence outside)."""
    out = np.zeros((frames, channels), dtype=np.float32)
    if take is None:
        return out
    with soundfile.SoundFile(str(take.path)) as source:
        first = start - take.offset
        a, b = max(0, first), min(source.frames, first + frames)
        if b > a:
            source.seek(a)
            data = source.read(b - a, dtype="float32", always_2d=True)
            out[a - first : a - first + data.shape[0]] = _channels(data, channels)
    return out


def _channels(data: np.ndarray, channels: int) -> np.ndarray:
    if data.shape[1] == channels:
        return data
    if data.shape[1] == 1:
        return np.repeat(data, channels, axis=1)
    return np.repeat(data.mean(axis=1, keepdims=True), channels, axis=1)


def equal_power(length: int) -> tuple[np.ndarray, np.ndarray]:
    """``(fade out, fade in)`` gains of an equal-power crossfade over ``length`` frames.

    Examples
    --------
    >>> out, into = equal_power(4)
    >>> bool(np.allclose(out**2 + into**2, 1.0)), bool(out[0] > into[0]), bool(out[-1] < into[-1])
    (True, True, True)
    """
    phase = (np.arange(length, dtype=np.float64) + 0.5) / max(1, length) * (np.pi / 2)
    return np.cos(phase).astype(np.float32), np.sin(phase).astype(np.float32)


def write_spliced(out: Path, segments: list[Segment], sample_rate: int, channels: int = 2) -> int:
    """Write the segments one after another into ``out`` (float WAV); returns its frame count.

    A take's samples are copied unchanged (bit-identical); a crossfaded segment mixes ``fade_from``
    out and ``take`` in with ``equal_power`` gains.
    """
    total = 0
    with writer(out, sample_rate, channels) as dest:
        for segment in segments:
            fades = equal_power(segment.end - segment.start) if segment.fade_from is not None else None
            for start in range(segment.start, segment.end, BLOCK):
                frames = min(BLOCK, segment.end - start)
                block = _read(segment.take, start, frames, channels)
                if fades is not None:
                    k = start - segment.start
                    old = _read(segment.fade_from, start, frames, channels)
                    block = old * fades[0][k : k + frames, None] + block * fades[1][k : k + frames, None]
                dest.write(block)
                total += frames
    return total
