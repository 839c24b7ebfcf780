"""Exporting long float WAV files to delivery formats without holding them in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import soundfile as sf

from mixdown.audio.codec import transcode
from mixdown.audio.formats import normalize_format

BLOCK = 65536
# libsndfile writes these block by block; the others go through FFmpeg in one piece.
_STREAMED = {
    "wav": ("WAV", "PCM_16"),
    "aiff": ("AIFF", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
}


def to_pcm16(block: np.ndarray) -> np.ndarray:
    """Float samples as 16-bit integers, rounded and clipped (the one conversion used everywhere).

    Examples
    --------
    >>> to_pcm16(np.array([[0.5, -1.0], [1.2, 0.0]], dtype=np.float32)).tolist()
    [[16384, -32767], [32767, 0]]
    """
    return np.clip(np.round(block * 32767.0), -32768, 32767).astype(np.int16)


def float_blocks(path: str | os.PathLike[str], block: int = BLOCK) -> Iterator[np.ndarray]:
    """A sound file's samples as float32 ``(n, channels)`` blocks."""
    yield from sf.blocks(str(path), blocksize=block, dtype="float32", always_2d=True)


def export(src: str | os.PathLike[str], dest: str | os.PathLike[str], *, format: str) -> None:
    """Write the audio of ``src`` to ``dest`` in ``format``, block by block where the codec allows.

    WAV and AIFF (and FLAC) get 16-bit PCM from :func:`to_pcm16`, so a stream of
    ``to_pcm16`` chunks of the same samples is byte-identical to the file's data.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> sf.write(folder / "a.wav", np.zeros((100, 2), np.float32), 22050, subtype="FLOAT")
    >>> export(folder / "a.wav", folder / "b.flac", format="flac")
    >>> sf.info(str(folder / "b.flac")).frames
    100
    """
    name = normalize_format(format)
    if name not in _STREAMED:
        transcode(src, dest, format=name)
        return
    container, subtype = _STREAMED[name]
    info = sf.info(str(src))
    with sf.SoundFile(
        str(dest), "w", samplerate=info.samplerate, channels=info.channels, format=container, subtype=subtype
    ) as out:
        for block in float_blocks(src):
            out.write(to_pcm16(block) if subtype == "PCM_16" else block)
