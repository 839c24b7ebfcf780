"""Tapes: the producer's tracks (premaster, bus, stems), in memory when short, on disk when long.

A 30 s premaster is 10 MB of float32 and lives in memory; a 20-minute one (420 MB) goes to a float
WAV file so a long piece stays within its memory budget. Both hand the audio back in the
mastering grid's blocks, so the passes that read them see the same samples either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile

from mixdown.engines.music.produce.master import GRID

# A track stays in memory while it is at most this big (float32 stereo: ~2 minutes at 48 kHz) ...
MEMORY_BYTES = 48 * 2**20
# ... and the stems of a piece share this much (six stems of 30 s at 44.1 kHz take 64 MB).
STEMS_MEMORY_BYTES = 128 * 2**20
_FRAME_BYTES = 8


class MemoryTape:
    """A track held as the list of blocks written to it."""

    def __init__(self) -> None:
        self._pieces: list[np.ndarray] = []
        self._audio: np.ndarray | None = None

    def write(self, block: np.ndarray) -> None:
        """Append ``(frames, 2)`` float32 audio."""
        self._pieces.append(np.asarray(block, dtype=np.float32))
        self._audio = None

    def audio(self) -> np.ndarray:
        """Everything written, as one ``(frames, 2)`` array."""
        if self._audio is None:
            self._audio = np.concatenate(self._pieces) if self._pieces else np.zeros((0, 2), np.float32)
            self._pieces = [self._audio]
        return self._audio

    def blocks(self) -> Iterator[np.ndarray]:
        """The track in ``GRID``-frame blocks (the last one shorter)."""
        audio = self.audio()
        for start in range(0, audio.shape[0], GRID):
            yield audio[start : start + GRID]

    def source(self) -> np.ndarray:
        """What an analysis reads: the array."""
        return self.audio()

    def close(self) -> None:
        """Nothing to flush."""

    def discard(self) -> None:
        """Free the audio."""
        self._pieces, self._audio = [], None

    def save(self, path: Path, sample_rate: int) -> Path:
        """Write the track to a float WAV file at ``path`` (once) and return the path."""
        if not path.exists():
            soundfile.write(path, self.audio(), sample_rate, subtype="FLOAT", format="WAV")
        return path


class FileTape:
    """A track in a 32-bit float WAV file."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self._file: soundfile.SoundFile | None = soundfile.SoundFile(
            path, "w", samplerate=sample_rate, channels=2, subtype="FLOAT", format="WAV"
        )

    def write(self, block: np.ndarray) -> None:
        """Append ``(frames, 2)`` float32 audio."""
        assert self._file is not None, "tape closed"
        self._file.write(block)

    def close(self) -> None:
        """Finish the file (before reading it)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def blocks(self) -> Iterator[np.ndarray]:
        """The track in ``GRID``-frame blocks (the last one shorter)."""
        yield from soundfile.blocks(self.path, blocksize=GRID, dtype="float32", always_2d=True)

    def source(self) -> Path:
        """What an analysis reads: the file."""
        return self.path

    def save(self, path: Path, sample_rate: int) -> Path:
        """The file (already written; ``path`` and ``sample_rate`` are for ``MemoryTape``'s sake)."""
        self.close()
        return self.path

    def discard(self) -> None:
        """Delete the file."""
        self.close()
        self.path.unlink(missing_ok=True)


Tape = MemoryTape | FileTape


def new_tape(path: Path, sample_rate: int, frames: int, *, budget: int | None = None) -> Tape:
    """A tape for a track of ``frames`` frames: in memory within ``budget`` bytes, else a file at ``path``.

    ``budget`` defaults to ``MEMORY_BYTES``.

    Examples
    --------
    >>> import tempfile
    >>> tape = new_tape(Path(tempfile.mkdtemp()) / "t.wav", 22050, 22050 * 2)
    >>> tape.write(np.ones((40000, 2), np.float32)); tape.close()
    >>> type(tape).__name__, [len(b) for b in tape.blocks()]
    ('MemoryTape', [32768, 7232])
    >>> type(new_tape(Path(tempfile.mkdtemp()) / "t.wav", 48000, 48000 * 200)).__name__
    'FileTape'
    """
    if frames * _FRAME_BYTES <= (MEMORY_BYTES if budget is None else budget):
        return MemoryTape()
    return FileTape(path, sample_rate)
