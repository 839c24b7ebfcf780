"""probe(): header facts of every written format, and refusal of what is not audio."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from mixdown.audio.codec import encode
from mixdown.audio.formats import get_format
from mixdown.audio.probe import probe
from mixdown.errors import AudioDecodeError


@lru_cache(maxsize=16)
def tone(frames: int, rate: int, channels: int) -> np.ndarray:
    """A 440 Hz sine at -6 dBFS, (frames, channels) float32, read-only."""
    t = np.arange(frames) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440.0 * t)
    samples = np.repeat(mono[:, None], channels, axis=1).astype(np.float32)
    samples.setflags(write=False)
    return samples


def write(tmp_path: Path, fmt: str, *, frames: int, rate: int, channels: int) -> Path:
    path = tmp_path / f"probe.{get_format(fmt).extension}"
    encode(tone(frames, rate, channels), rate, path, format=fmt)
    return path


@pytest.mark.parametrize(
    ("fmt", "rate", "codec", "lossless"),
    [
        ("wav", 44100, "pcm", True),
        ("aiff", 22050, "pcm", True),
        ("flac", 96000, "flac", True),
        ("mp3", 44100, "mp3", False),
        ("ogg", 32000, "vorbis", False),
        ("opus", 48000, "opus", False),
        ("opus", 16000, "opus", False),
        ("m4a", 44100, "aac", False),
    ],
)
@pytest.mark.parametrize("channels", [1, 2])
def test_probe_of_each_written_format(
    tmp_path: Path, fmt: str, rate: int, codec: str, lossless: bool, channels: int
) -> None:
    # Given a file of an odd length in each output format
    frames = rate // 3 + 7
    path = write(tmp_path, fmt, frames=frames, rate=rate, channels=channels)
    # When it is probed
    info = probe(path)
    # Then the header facts are those that were written, to the sample
    assert (info.format, info.codec, info.lossless) == (fmt, codec, lossless)
    assert (info.sample_rate, info.channels, info.frames) == (rate, channels, frames)
    assert info.duration == pytest.approx(frames / rate, abs=1e-6)


@pytest.mark.parametrize(
    ("subtype", "bit_depth"),
    [("PCM_16", 16), ("PCM_24", 24), ("PCM_32", 32), ("FLOAT", 32), ("PCM_U8", 8)],
)
def test_probe_reports_bit_depth(tmp_path: Path, subtype: str, bit_depth: int) -> None:
    path = tmp_path / "depth.wav"
    sf.write(path, tone(1000, 8000, 1), 8000, subtype=subtype)
    info = probe(path)
    assert (info.bit_depth, info.subtype) == (bit_depth, subtype)


def test_probe_of_lossy_has_no_bit_depth(tmp_path: Path) -> None:
    assert probe(write(tmp_path, "mp3", frames=4410, rate=44100, channels=2)).bit_depth is None


def test_probe_reads_audio_in_a_video_container(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w", format="mp4") as out:
        video = add_video(out)
        audio = out.add_stream("aac", rate=48000, layout="mono")
        mux_black_frames(out, video, count=5)
        samples = np.zeros((1, 48000), dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate, frame.pts = 48000, 0
        for chunk in av.AudioResampler(format="fltp", layout="mono", rate=48000, frame_size=1024).resample(
            frame
        ):
            out.mux(audio.encode(chunk))
        out.mux(audio.encode(None))
    info = probe(path)
    assert (info.codec, info.sample_rate, info.channels) == ("aac", 48000, 1)
    assert info.duration == pytest.approx(1.0, abs=0.05)


def add_video(out: av.container.OutputContainer) -> av.video.stream.VideoStream:
    video = out.add_stream("mpeg4", rate=10)
    video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
    return video


def mux_black_frames(
    out: av.container.OutputContainer, video: av.video.stream.VideoStream, count: int
) -> None:
    for index in range(count):
        frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
        frame.pts = index
        out.mux(video.encode(frame))
    out.mux(video.encode(None))


def test_video_without_audio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w", format="mp4") as out:
        mux_black_frames(out, add_video(out), count=5)
    with pytest.raises(AudioDecodeError, match="no audio stream"):
        probe(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not audio\n" * 40, "not a decodable audio file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a decodable audio file"),
        (bytes(range(256)) * 8, "not a decodable audio file"),
    ],
)
def test_non_audio_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.wav"
    path.write_bytes(content)
    with pytest.raises(AudioDecodeError, match=message):
        probe(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="no such file"):
        probe(tmp_path / "nothing.wav")


def test_wav_without_frames_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros((0, 2), dtype=np.float32), 44100)
    with pytest.raises(AudioDecodeError, match="no audio frames"):
        probe(path)


@pytest.mark.parametrize("fmt", ["wav", "aiff", "flac", "mp3", "m4a"])
@pytest.mark.parametrize("keep", [0.05, 0.5, 0.97])
def test_truncated_file_is_refused(tmp_path: Path, fmt: str, keep: float) -> None:
    # Given a whole file cut short, as by an interrupted download
    whole = write(tmp_path, fmt, frames=3 * 44100, rate=44100, channels=2).read_bytes()
    cut = tmp_path / f"cut.{get_format(fmt).extension}"
    cut.write_bytes(whole[: int(len(whole) * keep)])
    # Then probing it fails with a decode error, not a shorter success
    with pytest.raises(AudioDecodeError):
        probe(cut)
