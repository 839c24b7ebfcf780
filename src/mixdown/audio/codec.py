"""Decode any audio file to samples, encode samples to an output format, transcode.

Which library does what:

* libsndfile (soundfile) reads and writes WAV, AIFF and FLAC bit-exact, writes
  Ogg Vorbis, and reads Ogg Vorbis, Ogg Opus and MP3 with encoder delay and
  padding removed;
* FFmpeg (PyAV) writes MP3 (LAME), Opus and M4A (AAC), and reads whatever
  libsndfile cannot (M4A/MP4, WebM, Matroska, video with sound...).

Duration through a lossy round trip (encode, then :func:`decode`):

* MP3 -- exact: LAME writes delay and padding into its Xing/LAME tag;
* Opus -- exact: pre-skip and the end granule position trim both ends;
* Ogg Vorbis -- exact: the end granule position trims the last packet;
* M4A (AAC) -- exact: the edit list skips the 1024 priming samples and the
  last packet records its true duration. M4A files from other encoders that
  signal the delay only in an ``iTunSMPB`` tag (no edit list) decode with
  their priming samples, typically 2112 frames (48 ms at 44.1 kHz) too many.

Files are decoded whole into memory: a minute of 48 kHz stereo is 23 MB as
float32.
"""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from mixdown.audio._pyav import pyav_decode, pyav_encode
from mixdown.audio.conform import conform
from mixdown.audio.formats import AudioFormat, BitDepth, check_rate, get_format
from mixdown.audio.pcm import DecodedAudio, Samples, as_frames, depth_of, quantize
from mixdown.audio.probe import AudioInfo, probe
from mixdown.errors import AudioDecodeError

_SF_MAJOR = {"wav": "WAV", "aiff": "AIFF", "flac": "FLAC", "ogg": "OGG"}
_SF_SUBTYPE: dict[BitDepth, str] = {16: "PCM_16", 24: "PCM_24", "32f": "FLOAT"}
_WRITE_BLOCK = 1 << 15
# Nominal libvorbis bitrates (kbps, stereo 44.1 kHz) at quality 0.0, 0.1 ... 1.0.
_VORBIS_KBPS = (64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 500)


def decode(path: str | os.PathLike[str]) -> DecodedAudio:
    """Decode the audio file at ``path`` into memory.

    Lossless sources keep their exact integer PCM (int16 for 8/16-bit, int32
    left-justified for 24/32-bit, float32 for float), so writing them back is
    bit-exact. Lossy sources are float32 with encoder delay and padding
    removed, so the frame count is the one that was encoded (see the module
    docstring for the precision per format).

    Parameters
    ----------
    path : str or os.PathLike
        A local audio file in any format libsndfile or FFmpeg can read.

    Returns
    -------
    DecodedAudio
        ``(frames, channels)`` samples with their rate.

    Raises
    ------
    AudioDecodeError
        The file is not decodable audio, or is truncated.

    Examples
    --------
    >>> import tempfile
    >>> wav = Path(tempfile.mkdtemp()) / "a.wav"
    >>> encode(np.zeros((100, 2), np.int16), 8000, wav, format="wav")
    >>> audio = decode(wav)
    >>> (audio.frames, audio.channels, audio.sample_rate, audio.samples.dtype.name)
    (100, 2, 8000, 'int16')
    """
    file = Path(path)
    info = probe(file)
    if info.backend == "soundfile":
        return _sf_decode(file, info)
    try:
        samples, rate = pyav_decode(file)
    except av.FFmpegError as exc:
        raise AudioDecodeError(f"{file.name}: decoding failed ({exc.strerror})") from exc
    return DecodedAudio(samples=samples, sample_rate=rate, lossless=info.lossless, backend="pyav")


def _sf_decode(file: Path, info: AudioInfo) -> DecodedAudio:
    """Read a file libsndfile knows, refusing one that ends early."""
    try:
        samples, rate = sf.read(file, dtype=_sf_dtype(info), always_2d=True)
    except sf.LibsndfileError as exc:
        raise AudioDecodeError(f"{file.name}: decoding failed ({exc})") from exc
    if len(samples) < info.frames:
        raise AudioDecodeError(f"{file.name}: truncated, {len(samples)} of {info.frames} frames decoded")
    return DecodedAudio(samples=samples, sample_rate=int(rate), lossless=info.lossless, backend="soundfile")


def _sf_dtype(info: AudioInfo) -> str:
    """The numpy dtype to read a libsndfile subtype into without losing bits."""
    if not info.lossless or info.subtype in ("FLOAT", "DOUBLE"):
        return "float32"
    return "int16" if (info.bit_depth or 16) <= 16 else "int32"


def encode(
    samples: Samples,
    sample_rate: int,
    path: str | os.PathLike[str],
    *,
    format: str,
    bit_depth: BitDepth | None = None,
    bitrate: int | None = None,
) -> None:
    """Write ``samples`` to ``path`` in ``format``.

    Integer samples already in the layout of ``bit_depth`` are written
    bit-exact. The rate must be one the format holds (use
    :func:`mixdown.audio.conform.conform` to resample first); ``bit_depth``
    is ignored by lossy formats and ``bitrate`` by lossless ones.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` int16, int32 (left-justified) or float samples.
    sample_rate : int
        Sample rate in Hz.
    path : str or os.PathLike
        Output file; its extension is not looked at.
    format : str
        Output format (``wav``, ``flac``, ``aiff``, ``mp3``, ``ogg``,
        ``opus``, ``m4a``; aliases accepted).
    bit_depth : {16, 24, "32f"}, optional
        Lossless formats: the stored depth. Default: the samples' own
        layout if the format holds it, else 24.
    bitrate : int, optional
        Lossy formats: kbps, default the format's. Vorbis is VBR: the
        bitrate picks the nominal quality level.

    Raises
    ------
    ValueError
        The format cannot hold this rate, channel count or bit depth.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "tone.flac"
    >>> tone = np.sin(np.linspace(0, 880 * np.pi, 44100, dtype=np.float32))
    >>> encode(tone, 44100, out, format="flac", bit_depth=16)
    >>> probe(out).bit_depth
    16
    """
    fmt = get_format(format)
    frames = as_frames(samples)
    _check_encodable(fmt, frames, sample_rate)
    target = Path(path)
    try:
        if fmt.lossless:
            _encode_lossless(fmt, frames, sample_rate, target, bit_depth)
        else:
            _encode_lossy(fmt, frames, sample_rate, target, bitrate)
    except BaseException:
        # A half-written file must not be mistaken for a result.
        target.unlink(missing_ok=True)
        raise


def _encode_lossless(
    fmt: AudioFormat, frames: Samples, sample_rate: int, path: Path, bit_depth: BitDepth | None
) -> None:
    """Write WAV, AIFF or FLAC with libsndfile."""
    depth = _lossless_depth(fmt, frames, bit_depth)
    samples = quantize(frames, bit_depth=depth)
    _sf_write(path, samples, sample_rate, format=_SF_MAJOR[fmt.name], subtype=_SF_SUBTYPE[depth])


def _check_encodable(fmt: AudioFormat, frames: Samples, sample_rate: int) -> None:
    """Refuse what ``fmt`` cannot hold before any file is created."""
    check_rate(fmt, sample_rate)
    if not 0 < frames.shape[1] <= fmt.max_channels:
        raise ValueError(f"{fmt.name} holds 1 to {fmt.max_channels} channels")
    if len(frames) == 0:
        raise ValueError("no samples to encode")


def _lossless_depth(fmt: AudioFormat, frames: Samples, requested: BitDepth | None) -> BitDepth:
    """The requested depth, else the samples' own if ``fmt`` holds it, else 24."""
    if requested is not None:
        if not fmt.allows_bit_depth(requested):
            raise ValueError(f"{fmt.name} cannot hold bit depth {requested}")
        return requested
    own = depth_of(frames)
    return own if fmt.allows_bit_depth(own) else 24


def _encode_lossy(
    fmt: AudioFormat, frames: Samples, sample_rate: int, path: Path, bitrate: int | None
) -> None:
    """Write a lossy format with its encoder."""
    kbps = bitrate or fmt.default_bitrate or 128
    if kbps <= 0:
        raise ValueError(f"bitrate must be positive, got {kbps}")
    if fmt.backend == "pyav":
        pyav_encode(frames, sample_rate, path, fmt=fmt, bitrate=kbps)
        return
    samples = quantize(frames, bit_depth="32f")
    _sf_write(path, samples, sample_rate, format="OGG", subtype="VORBIS", level=vorbis_level(kbps))


def _sf_write(
    path: Path, samples: Samples, rate: int, *, format: str, subtype: str, level: float | None = None
) -> None:
    """Write with libsndfile in blocks.

    libvorbis allocates its analysis buffer on the stack, sized by the write:
    one call with a minute of audio overflows the stack and kills the process.
    """
    channels = samples.shape[1]
    with sf.SoundFile(path, "w", rate, channels, subtype, format=format, compression_level=level) as handle:
        for start in range(0, len(samples), _WRITE_BLOCK):
            handle.write(samples[start : start + _WRITE_BLOCK])


def vorbis_level(kbps: int) -> float:
    """libsndfile's compression level (1 - Vorbis quality) for a nominal bitrate.

    Examples
    --------
    >>> vorbis_level(160)
    0.5
    """
    quality = float(np.interp(kbps, _VORBIS_KBPS, np.linspace(0.0, 1.0, 11)))
    return round(1.0 - quality, 3)


def transcode(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    format: str,
    sample_rate: int | None = None,
    channels: int | None = None,
    bit_depth: BitDepth | None = None,
    bitrate: int | None = None,
) -> AudioInfo:
    """Convert the audio file ``src`` into ``dest`` in ``format``.

    Rate, channels and bit depth are kept unless given, within what the
    format holds (see :mod:`mixdown.audio.conform`).

    Parameters
    ----------
    src, dest : str or os.PathLike
        Input and output files.
    format : str
        Output format name (aliases accepted).
    sample_rate, channels, bit_depth, bitrate : optional
        As for :func:`conform` and :func:`encode`.

    Returns
    -------
    AudioInfo
        The probe of the written file.

    Raises
    ------
    AudioDecodeError
        ``src`` is not decodable audio.
    ValueError
        The format cannot hold what was asked for.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> encode(np.zeros((4800, 1), np.int16), 48000, folder / "a.wav", format="wav")
    >>> transcode(folder / "a.wav", folder / "a.flac", format="flac").frames
    4800
    """
    audio = conform(
        decode(src),
        format=format,
        sample_rate=sample_rate,
        channels=channels,
        bit_depth=bit_depth,
    )
    encode(
        audio.samples,
        audio.sample_rate,
        dest,
        format=format,
        bit_depth=audio.bit_depth,
        bitrate=bitrate,
    )
    return probe(dest)
