"""FFmpeg through PyAV: the probe, decoder and encoder for what libsndfile lacks.

PyAV is used to write MP3 (LAME), Opus and AAC/M4A, and to read any container
libsndfile does not know (MP4/M4A, WebM, Matroska, video files with sound...).
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import av.audio.stream
import numpy as np

from mixdown.audio.formats import AudioFormat
from mixdown.audio.pcm import Samples, to_float32
from mixdown.errors import AudioDecodeError

if TYPE_CHECKING:
    from av.audio.frame import AudioFrame
    from av.audio.stream import AudioStream
    from av.container import InputContainer, OutputContainer

    from mixdown.audio.probe import AudioInfo

# Frames decoded at most to check a file's end (half a second is far fewer).
_TAIL_FRAMES = 1000
_LOSSLESS_CODECS = frozenset({"flac", "alac", "wavpack", "tta", "ape", "mlp", "truehd"})
_LAYOUTS = {1: "mono", 2: "stereo", 3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}
# Muxer, encoder and the sample format we feed the encoder, per output format.
_WRITERS: dict[str, tuple[str, str, str]] = {
    "mp3": ("mp3", "libmp3lame", "fltp"),
    "opus": ("ogg", "libopus", "flt"),
    "m4a": ("ipod", "aac", "fltp"),
}
_FORMAT_NAMES = {
    ("mp3", "mp3"): "mp3",
    ("aac", "mov"): "m4a",
    ("alac", "mov"): "m4a",
    ("opus", "ogg"): "opus",
    ("vorbis", "ogg"): "ogg",
    ("flac", "flac"): "flac",
    ("opus", "matroska"): "webm",
    ("vorbis", "matroska"): "webm",
}
# FFmpeg names a demuxer family by its first member; these read better as extensions.
_FAMILY_NAMES = {"mov": "mp4", "matroska": "mkv"}


def pyav_info(file: Path) -> AudioInfo:
    """Probe ``file`` with FFmpeg (raises ``av.FFmpegError`` or ``AudioDecodeError``)."""
    from mixdown.audio.probe import AudioInfo

    with av.open(str(file)) as container:
        stream = _audio_stream(container, file)
        codec = _codec_name(stream)
        rate, duration = int(stream.codec_context.sample_rate), _duration(container, stream)
        _check_tail(container, stream, file, duration)
        lossless = _is_lossless(codec)
        return AudioInfo(
            format=_format_name(codec, str(container.format.name)),
            codec=codec,
            duration=duration,
            sample_rate=rate,
            channels=int(stream.codec_context.channels),
            frames=round(duration * rate),
            bit_depth=int(stream.codec_context.format.bits) if lossless else None,
            subtype=str(stream.codec_context.format.name),
            lossless=lossless,
            backend="pyav",
        )


def _audio_stream(container: InputContainer, file: Path) -> AudioStream:
    """The first audio stream of ``container``."""
    if not container.streams.audio:
        raise AudioDecodeError(f"{file.name}: the file has no audio stream")
    return container.streams.audio[0]


def _codec_name(stream: AudioStream) -> str:
    """The codec's name, not its decoder's (``mp3``, not ``mp3float``)."""
    name = str(stream.codec_context.codec.name)
    for suffix in ("float", "_fixed"):
        name = name.removesuffix(suffix)
    return name


def _is_lossless(codec: str) -> bool:
    return codec.startswith("pcm_") or codec in _LOSSLESS_CODECS


def _format_name(codec: str, container_name: str) -> str:
    """mixdown's format name for a codec in a container, else the container's name."""
    family = container_name.split(",")[0]
    return _FORMAT_NAMES.get((codec, family), _FAMILY_NAMES.get(family, family))


def _duration(container: InputContainer, stream: AudioStream) -> float:
    """Stream duration in seconds, from the stream when known, else the container."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _check_tail(container: InputContainer, stream: AudioStream, file: Path, duration: float) -> None:
    """Decode the last half second: proves the codec works and the file is whole.

    A file cut short fails here: its index points past the end of the file,
    so demuxing the last packets raises or yields nothing. Where the
    container cannot seek, the first frames are decoded instead.
    """
    if stream.time_base is not None and duration > 1.0:
        offset = int((duration - 0.5) / stream.time_base)
        with contextlib.suppress(av.FFmpegError):
            container.seek(offset, stream=stream, backward=True, any_frame=False)
    try:
        decoded = sum(1 for _frame in itertools.islice(container.decode(stream), _TAIL_FRAMES))
    except av.FFmpegError as exc:
        raise AudioDecodeError(f"{file.name}: truncated or corrupt ({exc.strerror})") from exc
    if decoded == 0:
        raise AudioDecodeError(f"{file.name}: no audio could be decoded (truncated?)")


def pyav_decode(file: Path) -> tuple[Samples, int]:
    """Decode the first audio stream of ``file``: ``(samples, sample_rate)``.

    Samples come back as ``(frames, channels)`` float32, or int16/int32 for
    integer PCM from a lossless codec. FFmpeg drops encoder delay (from an
    edit list, LAME tag or Opus pre-skip) itself; trailing padding is cut by
    the last packet's duration, which MP4 muxers record exactly.
    """
    with av.open(str(file)) as container:
        stream = _audio_stream(container, file)
        lossless = _is_lossless(_codec_name(stream))
        chunks = list(_decoded_chunks(container, stream, lossless=lossless))
        rate = int(stream.codec_context.sample_rate)
    if not chunks:
        raise AudioDecodeError(f"{file.name}: no audio could be decoded")
    return np.concatenate(chunks), rate


def _decoded_chunks(container: InputContainer, stream: AudioStream, *, lossless: bool) -> Iterator[Samples]:
    """Each decoded frame as ``(frames, channels)``; the last trimmed to its duration."""
    previous: AudioFrame | None = None
    for frame in container.decode(stream):
        if previous is not None:
            yield _frame_samples(previous, lossless=lossless)
        previous = frame
    if previous is not None:
        yield _frame_samples(previous, lossless=lossless)[: _frame_length(previous)]


def _frame_length(frame: AudioFrame) -> int:
    """Samples of ``frame`` inside its packet's duration (all when unknown)."""
    if not frame.duration or frame.time_base is None:
        return int(frame.samples)
    counted = math.ceil(frame.duration * frame.time_base * frame.sample_rate - 1e-9)
    # A zero or negative duration is a muxer's placeholder, not a real length.
    return int(frame.samples) if counted <= 0 else min(int(frame.samples), counted)


def _frame_samples(frame: AudioFrame, *, lossless: bool) -> Samples:
    """One decoded frame as a ``(frames, channels)`` array in mixdown's layout."""
    array = frame.to_ndarray()
    channels = len(frame.layout.channels)
    samples = array.T if frame.format.is_planar else array.reshape(-1, channels)
    if lossless and samples.dtype == np.uint8:
        return (samples.astype(np.int16) - 128) << 8
    if lossless and samples.dtype in (np.int16, np.int32):
        return samples
    return to_float32(_float_or_int(samples))


def _float_or_int(samples: Samples) -> Samples:
    """Integer samples other than int16/int32 as float (to_float32 takes the rest)."""
    if samples.dtype == np.uint8:
        return (samples.astype(np.float32) - 128.0) / 128.0
    if samples.dtype == np.int64:
        return (samples / 2.0**63).astype(np.float32)
    return samples


def pyav_encode(samples: Samples, sample_rate: int, path: Path, *, fmt: AudioFormat, bitrate: int) -> None:
    """Encode ``(frames, channels)`` samples to ``path`` with FFmpeg."""
    muxer, encoder, sample_format = _WRITERS[fmt.name]
    channels = samples.shape[1]
    layout = _LAYOUTS.get(channels)
    if layout is None:
        raise ValueError(f"{fmt.name}: cannot write {channels} channels")
    with av.open(str(path), "w", format=muxer, options=_mux_options(fmt, sample_rate)) as out:
        stream = _add_audio_stream(out, encoder, sample_rate, layout)
        stream.codec_context.format = sample_format
        stream.codec_context.bit_rate = _usable_bitrate(fmt, bitrate, channels) * 1000
        stream.codec_context.time_base = Fraction(1, sample_rate)
        stream.codec_context.open()
        for frame in _frames_for(stream, samples, sample_rate, layout):
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _add_audio_stream(out: OutputContainer, encoder: str, sample_rate: int, layout: str) -> AudioStream:
    """A new audio stream of ``encoder`` in ``out``."""
    stream = out.add_stream(encoder, rate=sample_rate, layout=layout)
    if not isinstance(stream, av.audio.stream.AudioStream):
        raise TypeError(f"{encoder} is not an audio encoder")
    return stream


def _usable_bitrate(fmt: AudioFormat, kbps: int, channels: int) -> int:
    """``kbps`` within what the encoder accepts (libopus refuses > 256 kbps a channel)."""
    if fmt.name == "opus":
        return min(kbps, 256 * channels)
    return kbps


def _mux_options(fmt: AudioFormat, sample_rate: int) -> dict[str, str]:
    """Muxer options: for M4A, an edit list exact to the sample, index up front."""
    if fmt.name != "m4a":
        return {}
    # The edit list is counted in the movie timescale (default 1/1000 s), so
    # at the default the duration would be rounded to the millisecond.
    return {"movie_timescale": str(sample_rate), "movflags": "+faststart"}


def _frames_for(stream: AudioStream, samples: Samples, sample_rate: int, layout: str) -> Iterator[AudioFrame]:
    """``samples`` cut into frames of the encoder's frame size, in its sample format."""
    planar = np.ascontiguousarray(to_float32(samples).T)
    whole = av.AudioFrame.from_ndarray(planar, format="fltp", layout=layout)
    whole.sample_rate = sample_rate
    whole.pts = 0
    frame_size = stream.codec_context.frame_size or None
    fifo = av.AudioResampler(
        format=stream.codec_context.format.name,
        layout=layout,
        rate=sample_rate,
        frame_size=frame_size,
    )
    yield from fifo.resample(whole)
    yield from fifo.resample(None)
