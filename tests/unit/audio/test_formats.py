"""The output-format table: aliases, MIME types, and what each format holds."""

from __future__ import annotations

import pytest

from mixdown.audio.formats import (
    FORMATS,
    BitDepth,
    check_bit_depth,
    check_rate,
    content_type_for,
    get_format,
    normalize_bit_depth,
    normalize_format,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wav", "wav"),
        ("WAVE", "wav"),
        (".mp3", "mp3"),
        ("flac", "flac"),
        ("ogg", "ogg"),
        ("vorbis", "ogg"),
        ("oga", "ogg"),
        ("opus", "opus"),
        ("m4a", "m4a"),
        ("aac", "m4a"),
        ("aiff", "aiff"),
        ("aif", "aiff"),
        (" AIFC ", "aiff"),
    ],
)
def test_normalize_format_accepts_aliases(name: str, expected: str) -> None:
    assert normalize_format(name) == expected


@pytest.mark.parametrize("name", ["", "wma", "mp4a", "pcm", "flac2"])
def test_normalize_format_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError, match="supported: wav"):
        normalize_format(name)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("wav", "audio/wav"),
        ("mp3", "audio/mpeg"),
        ("flac", "audio/flac"),
        ("vorbis", "audio/ogg"),
        ("opus", "audio/ogg; codecs=opus"),
        ("aac", "audio/mp4"),
        ("aif", "audio/aiff"),
    ],
)
def test_content_type_for(name: str, content_type: str) -> None:
    assert content_type_for(name) == content_type


def test_table_is_consistent() -> None:
    assert set(FORMATS) == {"wav", "mp3", "flac", "ogg", "opus", "m4a", "aiff"}
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert fmt.extension
        # Lossless formats have bit depths and no bitrate; lossy ones the reverse.
        assert bool(fmt.bit_depths) is fmt.lossless
        assert (fmt.default_bitrate is None) is fmt.lossless


@pytest.mark.parametrize(
    ("name", "depths"),
    [
        ("wav", (16, 24, "32f")),
        ("aiff", (16, 24, "32f")),
        ("flac", (16, 24)),
        ("mp3", ()),
        ("ogg", ()),
        ("opus", ()),
        ("m4a", ()),
    ],
)
def test_bit_depths(name: str, depths: tuple[BitDepth, ...]) -> None:
    assert get_format(name).bit_depths == depths


@pytest.mark.parametrize(
    ("name", "depth", "rule"),
    [
        ("flac", "32f", "flac holds bit depths 16, 24"),
        ("mp3", 24, "mp3 is lossy"),
        ("opus", 16, "opus is lossy"),
    ],
)
def test_check_bit_depth_names_the_rule(name: str, depth: BitDepth, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        check_bit_depth(get_format(name), depth)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(16, 16), ("16", 16), (24, 24), ("24", 24), (32, "32f"), ("32", "32f"), ("32f", "32f")],
)
def test_normalize_bit_depth(value: int | str, expected: BitDepth) -> None:
    assert normalize_bit_depth(value) == expected


@pytest.mark.parametrize("value", [8, 20, 64, "24f", "high"])
def test_normalize_bit_depth_rejects(value: int | str) -> None:
    with pytest.raises(ValueError, match="unsupported bit depth"):
        normalize_bit_depth(value)


def test_opus_takes_only_the_48k_family() -> None:
    opus = get_format("opus")
    assert [
        rate for rate in (8000, 11025, 12000, 16000, 22050, 24000, 44100, 48000) if opus.allows_rate(rate)
    ] == [
        8000,
        12000,
        16000,
        24000,
        48000,
    ]
    with pytest.raises(ValueError, match="opus holds only 8000, 12000, 16000, 24000, 48000 Hz"):
        check_rate(opus, 44100)


def test_mp3_takes_only_mpeg_rates() -> None:
    mp3 = get_format("mp3")
    assert mp3.allows_rate(44100)
    assert mp3.allows_rate(8000)
    assert not mp3.allows_rate(96000)
    assert not mp3.allows_rate(88200)


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        ("opus", 44100, 48000),
        ("opus", 22050, 24000),
        ("opus", 96000, 48000),
        ("opus", 16000, 16000),
        ("mp3", 96000, 48000),
        ("mp3", 44100, 44100),
        ("m4a", 192000, 96000),
        ("wav", 192000, 192000),
        ("ogg", 384000, 192000),
    ],
)
def test_nearest_rate(name: str, source: int, expected: int) -> None:
    assert get_format(name).nearest_rate(source) == expected
