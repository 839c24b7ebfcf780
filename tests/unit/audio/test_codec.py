"""decode/encode/transcode: bit-exact lossless round trips, sample-exact durations."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from numpy.testing import assert_allclose, assert_array_equal

from mixdown.audio.codec import decode, encode, transcode, vorbis_level
from mixdown.audio.conform import conform
from mixdown.audio.formats import BitDepth, get_format
from mixdown.audio.pcm import DecodedAudio, quantize, to_float32
from mixdown.audio.probe import probe
from mixdown.errors import AudioDecodeError

LOSSLESS = ("wav", "flac", "aiff")
LOSSY = ("mp3", "ogg", "opus", "m4a")


@lru_cache(maxsize=32)
def pcm_noise(frames: int, channels: int, bit_depth: int, seed: int = 0) -> np.ndarray:
    """Full-range random PCM in mixdown's in-memory layout (int16, or int32 << 8), read-only."""
    rng = np.random.default_rng(seed)
    if bit_depth == 16:
        samples = rng.integers(-(2**15), 2**15, size=(frames, channels), dtype=np.int16)
    else:
        samples = rng.integers(-(2**23), 2**23, size=(frames, channels), dtype=np.int32) << 8
    samples.setflags(write=False)
    return samples


@lru_cache(maxsize=32)
def chirp(frames: int, rate: int, channels: int) -> np.ndarray:
    """A 200 Hz -> 2 kHz sweep at -6 dBFS with 10 ms ramps, float32, read-only."""
    t = np.arange(frames) / rate
    duration = frames / rate
    phase = 2 * np.pi * (200 * t + (1800 / (2 * duration)) * t**2)
    ramp = np.minimum(1.0, np.minimum(t, duration - t) / 0.01)
    mono = 0.5 * np.sin(phase) * ramp
    samples = np.stack([mono * (0.8 + 0.2 * c) for c in range(channels)], axis=1).astype(np.float32)
    samples.setflags(write=False)
    return samples


def path_for(tmp_path: Path, fmt: str, stem: str = "audio") -> Path:
    return tmp_path / f"{stem}.{get_format(fmt).extension}"


# -- lossless: bit-exact ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", LOSSLESS)
@pytest.mark.parametrize("bit_depth", [16, 24])
@pytest.mark.parametrize("channels", [1, 2])
def test_lossless_round_trip_is_bit_exact(tmp_path: Path, fmt: str, bit_depth: int, channels: int) -> None:
    # Given full-range integer noise of an odd length
    source = pcm_noise(12345, channels, bit_depth)
    path = path_for(tmp_path, fmt)
    # When it is encoded and decoded again
    encode(source, 44100, path, format=fmt)
    decoded = decode(path)
    # Then every sample comes back unchanged, in the same layout
    assert decoded.samples.dtype == source.dtype
    assert_array_equal(decoded.samples, source)
    assert (decoded.sample_rate, decoded.bit_depth, decoded.lossless) == (44100, bit_depth, True)


@pytest.mark.parametrize("bit_depth", [16, 24])
def test_transcode_chain_between_lossless_formats_is_bit_exact(tmp_path: Path, bit_depth: int) -> None:
    source = pcm_noise(9999, 2, bit_depth, seed=3)
    encode(source, 48000, tmp_path / "a.wav", format="wav")
    transcode(tmp_path / "a.wav", tmp_path / "b.flac", format="flac")
    transcode(tmp_path / "b.flac", tmp_path / "c.aiff", format="aiff")
    info = transcode(tmp_path / "c.aiff", tmp_path / "d.wav", format="wav")
    assert info.bit_depth == bit_depth
    assert_array_equal(decode(tmp_path / "d.wav").samples, source)


@pytest.mark.parametrize("fmt", ["wav", "aiff"])
def test_float_round_trip_is_exact(tmp_path: Path, fmt: str) -> None:
    source = chirp(5000, 44100, 2)
    path = path_for(tmp_path, fmt)
    encode(source, 44100, path, format=fmt, bit_depth="32f")
    decoded = decode(path)
    assert decoded.samples.dtype == np.float32
    assert decoded.bit_depth == "32f"
    assert_array_equal(decoded.samples, source)


def test_float_into_flac_becomes_24_bit(tmp_path: Path) -> None:
    source = chirp(5000, 44100, 1)
    path = path_for(tmp_path, "flac")
    encode(source, 44100, path, format="flac")
    decoded = decode(path)
    assert decoded.bit_depth == 24
    assert_allclose(to_float32(decoded.samples), source, atol=2.0**-23)


def test_24_to_16_rounds_to_nearest(tmp_path: Path) -> None:
    source = pcm_noise(4000, 2, 24, seed=5)
    path = path_for(tmp_path, "wav")
    encode(source, 44100, path, format="wav", bit_depth=16)
    decoded = decode(path).samples
    assert decoded.dtype == np.int16
    assert_allclose(decoded.astype(np.float64) * 2**16, source, atol=2**15)


def test_lossless_decode_of_any_wav_subtype(tmp_path: Path) -> None:
    path = tmp_path / "u8.wav"
    sf.write(path, chirp(800, 8000, 1), 8000, subtype="PCM_U8")
    decoded = decode(path)
    assert decoded.samples.dtype == np.int16
    assert_allclose(to_float32(decoded.samples), chirp(800, 8000, 1), atol=1 / 128)


# -- lossy: duration to the sample, content close -------------------------------------------------


@pytest.mark.parametrize("fmt", LOSSY)
@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_lossy_round_trip_keeps_every_frame(tmp_path: Path, fmt: str, rate: int, channels: int) -> None:
    # Given a signal whose length is no multiple of any codec's frame size
    rate = get_format(fmt).nearest_rate(rate)
    frames = rate // 2 + 13
    path = path_for(tmp_path, fmt)
    # When it goes through the lossy codec
    encode(chirp(frames, rate, channels), rate, path, format=fmt)
    decoded = decode(path)
    # Then encoder delay and padding are gone: the frame count is the source's
    assert (decoded.frames, decoded.channels, decoded.sample_rate) == (frames, channels, rate)
    assert probe(path).frames == frames
    assert decoded.samples.dtype == np.float32
    assert decoded.lossless is False


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


@pytest.mark.parametrize("fmt", LOSSY)
def test_lossy_round_trip_is_aligned_and_close(tmp_path: Path, fmt: str) -> None:
    # Given a sweep through a lossy codec at a high bitrate
    source = chirp(48000, 48000, 2)
    path = path_for(tmp_path, fmt)
    encode(source, 48000, path, format=fmt, bitrate=320)
    decoded = decode(path).samples
    # Then the error is codec noise (about -50 dBFS or less)...
    error = rms(decoded - source)
    assert error < 0.005
    # ...and the waveform is not shifted by the codec delay: one sample either way is worse.
    assert error < rms(decoded[1:] - source[:-1])
    assert error < rms(decoded[:-1] - source[1:])


@pytest.mark.parametrize(
    ("fmt", "bitrate"), [("mp3", 64), ("mp3", 320), ("m4a", 96), ("opus", 48), ("ogg", 96)]
)
def test_bitrate_sets_the_size(tmp_path: Path, fmt: str, bitrate: int) -> None:
    source = pcm_noise(44100 * 2 if fmt != "opus" else 48000 * 2, 2, 16)
    rate = 48000 if fmt == "opus" else 44100
    path = path_for(tmp_path, fmt)
    encode(quantize(source[: rate * 2], bit_depth="32f") * 0.3, rate, path, format=fmt, bitrate=bitrate)
    kbps = path.stat().st_size * 8 / 2 / 1000
    # Vorbis is VBR; CBR-ish codecs land close to the request.
    assert kbps == pytest.approx(bitrate, rel=0.5 if fmt == "ogg" else 0.2)


def test_vorbis_level_maps_nominal_bitrates() -> None:
    assert vorbis_level(64) == 1.0
    assert vorbis_level(128) == 0.6
    assert vorbis_level(500) == 0.0
    assert vorbis_level(32) == 1.0


def test_containers_libsndfile_lacks_are_decoded_by_ffmpeg(tmp_path: Path) -> None:
    # Given Opus in WebM, as browsers record it
    path = tmp_path / "voice.webm"
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(chirp(48000, 48000, 1).T.copy(), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = 48000, 0
        for chunk in av.AudioResampler(format="s16", layout="mono", rate=48000, frame_size=960).resample(
            frame
        ):
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    # Then FFmpeg probes and decodes it, trimming Opus pre-skip and padding
    info = probe(path)
    decoded = decode(path)
    assert (info.format, info.codec, info.backend) == ("webm", "opus", "pyav")
    # Matroska keeps no exact length: the probe is within its millisecond timestamps.
    assert info.duration == pytest.approx(1.0, abs=0.01)
    assert (decoded.frames, decoded.sample_rate, decoded.backend) == (48000, 48000, "pyav")


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "rate", "channels", "bit_depth", "message"),
    [
        ("mp3", 96000, 2, None, "mp3 holds only"),
        ("opus", 44100, 2, None, "opus holds only"),
        ("mp3", 44100, 3, None, "1 to 2 channels"),
        ("flac", 44100, 2, "32f", "cannot hold bit depth 32f"),
        ("ogg", 384000, 1, None, "up to 192000 Hz"),
    ],
)
def test_encode_refuses_what_the_format_cannot_hold(
    tmp_path: Path, fmt: str, rate: int, channels: int, bit_depth: BitDepth | None, message: str
) -> None:
    path = path_for(tmp_path, fmt)
    with pytest.raises(ValueError, match=message):
        encode(chirp(1000, 8000, channels), rate, path, format=fmt, bit_depth=bit_depth)
    assert not path.exists()


def test_encode_refuses_empty_audio(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no samples"):
        encode(np.zeros((0, 2), dtype=np.float32), 44100, tmp_path / "a.wav", format="wav")


@pytest.mark.parametrize("content", [b"", b"not audio at all" * 64])
def test_decode_refuses_non_audio(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input.mp3"
    path.write_bytes(content)
    with pytest.raises(AudioDecodeError):
        decode(path)


# -- conform and transcode -------------------------------------------------------------------------


def test_transcode_keeps_rate_channels_and_depth(tmp_path: Path) -> None:
    encode(pcm_noise(22050, 1, 24), 22050, tmp_path / "a.wav", format="wav")
    info = transcode(tmp_path / "a.wav", tmp_path / "a.flac", format="flac")
    assert (info.sample_rate, info.channels, info.bit_depth, info.frames) == (22050, 1, 24, 22050)


def test_transcode_resamples_what_the_format_cannot_hold(tmp_path: Path) -> None:
    # 44.1 kHz into Opus goes up to 48 kHz, never down (no band is lost).
    encode(chirp(44100, 44100, 2), 44100, tmp_path / "a.wav", format="wav")
    info = transcode(tmp_path / "a.wav", tmp_path / "a.opus", format="opus")
    assert (info.sample_rate, info.frames) == (48000, 48000)


def test_transcode_with_explicit_options(tmp_path: Path) -> None:
    encode(chirp(48000, 48000, 2), 48000, tmp_path / "a.wav", format="wav", bit_depth=24)
    info = transcode(
        tmp_path / "a.wav", tmp_path / "a.aiff", format="aif", sample_rate=16000, channels=1, bit_depth=16
    )
    assert (info.format, info.sample_rate, info.channels, info.bit_depth, info.frames) == (
        "aiff",
        16000,
        1,
        16,
        16000,
    )


def test_lossy_source_into_lossless_defaults_to_16_bit(tmp_path: Path) -> None:
    encode(chirp(8000, 44100, 2), 44100, tmp_path / "a.mp3", format="mp3")
    assert transcode(tmp_path / "a.mp3", tmp_path / "a.flac", format="flac").bit_depth == 16


def test_conform_refuses_channels_the_format_cannot_hold() -> None:
    audio = DecodedAudio(samples=np.zeros((10, 4), dtype=np.int16), sample_rate=44100)
    with pytest.raises(ValueError, match="mp3 holds at most 2 channels"):
        conform(audio, format="mp3")


# -- in-memory layout ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("samples", "bit_depth", "expected"),
    [
        (np.array([[0.5], [-1.0], [1.0]], np.float32), 16, np.array([[16384], [-32768], [32767]], np.int16)),
        (np.array([[1], [-2]], np.int16), 24, np.array([[1 << 16], [-2 << 16]], np.int32)),
        (np.array([[0x7FFF80], [0x100]], np.int32), 16, np.array([[0x80], [0]], np.int16)),
        (np.array([[1 << 30]], np.int32), "32f", np.array([[0.5]], np.float32)),
    ],
)
def test_quantize(samples: np.ndarray, bit_depth: BitDepth, expected: np.ndarray) -> None:
    result = quantize(samples, bit_depth=bit_depth)
    assert result.dtype == expected.dtype
    assert_array_equal(result, expected)
