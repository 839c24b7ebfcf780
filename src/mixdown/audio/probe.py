"""What an audio file holds, read from its header: :func:`probe`.

libsndfile answers for the formats it knows (WAV, AIFF, FLAC, Ogg Vorbis/Opus,
MP3 and a few more): it reads the header and knows the exact frame count,
including MP3 and Opus encoder delay and padding. Everything else (MP4/M4A,
WebM, video containers...) goes to FFmpeg through PyAV. Besides the header,
a probe decodes a few frames at the very end of the file, so a file cut short
in transfer is refused here rather than half-way through a job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import av
import soundfile as sf

from mixdown.audio._pyav import pyav_info
from mixdown.audio.formats import Backend
from mixdown.errors import AudioDecodeError

# Frames read at the end of a file to prove it is whole.
_TAIL_FRAMES = 1024
# libsndfile notes a chunk longer than the file as "data : 176400 (should be 88178)".
_SHORT_CHUNK = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)
# Streaming writers leave this size in the header when they cannot seek back.
_UNKNOWN_SIZE = 0xFFFFFFFF

_SF_FORMATS = {"WAV": "wav", "WAVEX": "wav", "AIFF": "aiff", "FLAC": "flac", "MP3": "mp3"}
_SF_CODECS = {
    "VORBIS": "vorbis",
    "OPUS": "opus",
    "MPEG_LAYER_I": "mp1",
    "MPEG_LAYER_II": "mp2",
    "MPEG_LAYER_III": "mp3",
}
_SF_BITS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
}


@dataclass(frozen=True, kw_only=True)
class AudioInfo:
    """What :func:`probe` found in an audio file.

    ``format`` is a mixdown format name (``wav``, ``flac``, ``aiff``, ``mp3``,
    ``ogg``, ``opus``, ``m4a``) when the file is one, else FFmpeg's or
    libsndfile's container name. ``bit_depth`` is the stored sample size of
    PCM and FLAC (``32`` with ``subtype`` ``FLOAT`` for float) and ``None``
    for lossy codecs. ``frames`` is exact when the container records it
    (everything libsndfile reads, and M4A written by mixdown); otherwise it is
    ``round(duration * sample_rate)``.
    """

    format: str
    codec: str
    duration: float
    sample_rate: int
    channels: int
    frames: int
    bit_depth: int | None
    subtype: str
    lossless: bool
    backend: Backend


def probe(path: str | os.PathLike[str]) -> AudioInfo:
    """Read the header of the audio file at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        A local file.

    Returns
    -------
    AudioInfo
        Format, codec, duration, rate, channels, frame count and sample type.

    Raises
    ------
    AudioDecodeError
        The file is missing, empty, truncated, not audio, has no audio
        stream, or holds no frames.

    Examples
    --------
    >>> import numpy as np, soundfile, tempfile
    >>> wav = Path(tempfile.mkdtemp()) / "a.wav"
    >>> soundfile.write(wav, np.zeros((4410, 2)), 44100, subtype="PCM_24")
    >>> info = probe(wav)
    >>> (info.format, info.sample_rate, info.channels, info.frames, info.bit_depth)
    ('wav', 44100, 2, 4410, 24)
    """
    file = Path(path)
    _check_file(file)
    try:
        info = _probe_soundfile(file)
    except sf.LibsndfileError as exc:
        info = _probe_other(file, libsndfile_error=exc)
    if info.frames <= 0 or info.sample_rate <= 0 or info.channels <= 0:
        raise AudioDecodeError(f"{file.name}: the file holds no audio frames")
    return info


def _check_file(file: Path) -> None:
    """Refuse a missing, special or empty file before any library looks at it."""
    if not file.is_file():
        raise AudioDecodeError(f"{file.name}: no such file")
    if file.stat().st_size == 0:
        raise AudioDecodeError(f"{file.name}: the file is empty")


def _probe_other(file: Path, *, libsndfile_error: sf.LibsndfileError) -> AudioInfo:
    """Probe with FFmpeg what libsndfile refused; name the clearer reason on failure."""
    try:
        return pyav_info(file)
    except av.FFmpegError as exc:
        reason = _reason(libsndfile_error, exc)
        raise AudioDecodeError(f"{file.name}: not a decodable audio file ({reason})") from exc


def _reason(libsndfile_error: sf.LibsndfileError, ffmpeg_error: av.FFmpegError) -> str:
    """libsndfile's message when it knew the format (it says what is wrong), else FFmpeg's."""
    message = str(libsndfile_error.error_string).strip().rstrip(".")
    # libsndfile reports an unparsable MP3 as a missing file: not worth repeating.
    if any(text in message.lower() for text in ("not recognised", "does not exist")):
        if isinstance(ffmpeg_error, av.InvalidDataError):
            return "not a recognised audio format"
        return str(ffmpeg_error.strerror or ffmpeg_error).strip()
    return message


def _probe_soundfile(file: Path) -> AudioInfo:
    """Header of a file libsndfile knows, after checking it is not cut short."""
    with sf.SoundFile(file) as handle:
        _check_whole(file, handle)
        return _soundfile_info(handle)


def _soundfile_info(handle: sf.SoundFile) -> AudioInfo:
    """An :class:`AudioInfo` from an open libsndfile handle."""
    major, subtype = str(handle.format), str(handle.subtype)
    codec = _SF_CODECS.get(subtype, "pcm" if subtype in _SF_BITS else subtype.lower())
    if major == "FLAC":
        codec = "flac"
    lossless = subtype in _SF_BITS and codec != "mp3"
    return AudioInfo(
        format=_soundfile_format(major, subtype),
        codec=codec,
        duration=handle.frames / handle.samplerate,
        sample_rate=int(handle.samplerate),
        channels=int(handle.channels),
        frames=int(handle.frames),
        bit_depth=_SF_BITS.get(subtype) if lossless else None,
        subtype=subtype,
        lossless=lossless,
        backend="soundfile",
    )


def _soundfile_format(major: str, subtype: str) -> str:
    """mixdown's name for a libsndfile major format."""
    if major == "OGG":
        return "opus" if subtype == "OPUS" else "ogg"
    return _SF_FORMATS.get(major, major.lower())


def _check_whole(file: Path, handle: sf.SoundFile) -> None:
    """Raise ``AudioDecodeError`` when the file ends before its header says."""
    if _declares_more_data(str(handle.extra_info)):
        raise AudioDecodeError(f"{file.name}: the file is truncated")
    start = max(0, int(handle.frames) - _TAIL_FRAMES)
    try:
        handle.seek(start)
        got = len(handle.read(int(handle.frames) - start, dtype="float32"))
    except sf.LibsndfileError as exc:
        raise AudioDecodeError(f"{file.name}: truncated or corrupt ({exc})") from exc
    if got < handle.frames - start:
        raise AudioDecodeError(f"{file.name}: the file is truncated")


def _declares_more_data(extra_info: str) -> bool:
    """Whether a WAV/AIFF data chunk claims more bytes than the file has."""
    for declared, actual in _SHORT_CHUNK.findall(extra_info):
        if int(declared) != _UNKNOWN_SIZE and int(declared) > int(actual):
            return True
    return False
