"""Exporting float WAV files (long ones block by block) or float samples to delivery formats."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


def export(
    src: str | os.PathLike[str] | np.ndarray,
    dest: str | os.PathLike[str],
    *,
    format: str,
    sample_rate: int | None = None,
) -> None:
    """Write the audio of ``src`` to ``dest`` in ``format``, block by block where the codec allows.

    ``src`` is a sound file, or float32 ``(frames, channels)`` samples at ``sample_rate``. WAV and
    AIFF (and FLAC) get 16-bit PCM from :func:`to_pcm16`, so a stream of ``to_pcm16`` chunks of the
    same samples is byte-identical to the file's data.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> sf.write(folder / "a.wav", np.zeros((100, 2), np.float32), 22050, subtype="FLOAT")
    >>> export(folder / "a.wav", folder / "b.flac", format="flac")
    >>> export(np.zeros((100, 2), np.float32), folder / "c.flac", format="flac", sample_rate=22050)
    >>> sf.info(str(folder / "b.flac")).frames, sf.read(folder / "c.flac")[0].shape
    (100, (100, 2))
    """
    name = normalize_format(format)
    if isinstance(src, np.ndarray):
        if sample_rate is None:
            raise ValueError("sample_rate is needed to export samples")
        _export_samples(src, sample_rate, dest, name)
        return
    if name not in _STREAMED:
        transcode(src, dest, format=name)
        return
    info = sf.info(str(src))
    with _streamed_writer(dest, name, info.samplerate, info.channels) as out:
        for block in float_blocks(src):
            out.write(to_pcm16(block) if out.subtype == "PCM_16" else block)


def _export_samples(samples: np.ndarray, sample_rate: int, dest: str | os.PathLike[str], name: str) -> None:
    """``export`` of float samples; codecs FFmpeg writes take the same float WAV detour as files."""
    if name not in _STREAMED:
        with tempfile.TemporaryDirectory() as folder:
            float_wav = Path(folder) / "export.wav"
            sf.write(float_wav, samples, sample_rate, subtype="FLOAT")
            transcode(float_wav, dest, format=name)
        return
    with _streamed_writer(dest, name, sample_rate, samples.shape[1]) as out:
        for start in range(0, samples.shape[0], BLOCK):
            block = samples[start : start + BLOCK]
            out.write(to_pcm16(block) if out.subtype == "PCM_16" else block)


def _streamed_writer(dest: str | os.PathLike[str], name: str, rate: int, channels: int) -> sf.SoundFile:
    container, subtype = _STREAMED[name]
    return sf.SoundFile(str(dest), "w", samplerate=rate, channels=channels, format=container, subtype=subtype)
