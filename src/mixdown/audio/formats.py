"""The output formats mixdown writes, and what each of them can hold.

One row per format: file extension, MIME type, whether it is lossless, which bit
depths and sample rates it accepts, its channel limit, its default bitrate and
the library that writes it. Everything that decides "can this format hold
that?" reads this table.

Bit depths are written ``16``, ``24`` (signed integer PCM) and ``"32f"``
(32-bit IEEE float). Lossy formats have no bit depth at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

BitDepth: TypeAlias = Literal[16, 24, "32f"]
FormatName: TypeAlias = Literal["wav", "mp3", "flac", "ogg", "opus", "m4a", "aiff"]
Backend: TypeAlias = Literal["soundfile", "pyav"]

# MPEG-1, MPEG-2 and MPEG-2.5 layer III rates: LAME refuses anything else.
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
# Opus runs internally at 48 kHz and accepts only these divisors of it.
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
# The sampling frequencies an AAC stream can signal (ISO 14496-3, table 1.18).
AAC_RATES = (7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
AAC_RATES_HIGH = (64000, 88200, 96000)


@dataclass(frozen=True, kw_only=True)
class AudioFormat:
    """What one output format is and what it can hold."""

    name: FormatName
    extension: str
    content_type: str
    lossless: bool
    codec: str
    backend: Backend
    bit_depths: tuple[BitDepth, ...] = ()
    sample_rates: tuple[int, ...] | None = None
    max_rate: int = 768000
    max_channels: int = 8
    default_bitrate: int | None = None

    def allows_bit_depth(self, bit_depth: BitDepth) -> bool:
        """Whether this format can store samples of ``bit_depth``."""
        return bit_depth in self.bit_depths

    def allows_rate(self, sample_rate: int) -> bool:
        """Whether this format can store audio at ``sample_rate``."""
        if self.sample_rates is not None:
            return sample_rate in self.sample_rates
        return 1 <= sample_rate <= self.max_rate

    def nearest_rate(self, sample_rate: int) -> int:
        """The rate to resample to when ``sample_rate`` is not allowed.

        The smallest allowed rate at or above ``sample_rate`` (so no band is
        lost), or the highest allowed rate when ``sample_rate`` is above all.
        """
        if self.allows_rate(sample_rate):
            return sample_rate
        if self.sample_rates is None:
            return min(max(sample_rate, 1), self.max_rate)
        higher = [rate for rate in self.sample_rates if rate >= sample_rate]
        return min(higher) if higher else max(self.sample_rates)


FORMATS: Mapping[FormatName, AudioFormat] = {
    fmt.name: fmt
    for fmt in (
        AudioFormat(
            name="wav",
            extension="wav",
            content_type="audio/wav",
            lossless=True,
            codec="pcm",
            backend="soundfile",
            bit_depths=(16, 24, "32f"),
            max_channels=64,
        ),
        AudioFormat(
            name="aiff",
            extension="aiff",
            content_type="audio/aiff",
            lossless=True,
            codec="pcm",
            backend="soundfile",
            bit_depths=(16, 24, "32f"),
            max_channels=64,
        ),
        AudioFormat(
            name="flac",
            extension="flac",
            content_type="audio/flac",
            lossless=True,
            codec="flac",
            backend="soundfile",
            bit_depths=(16, 24),
            max_rate=655350,
        ),
        AudioFormat(
            name="mp3",
            extension="mp3",
            content_type="audio/mpeg",
            lossless=False,
            codec="mp3",
            backend="pyav",
            sample_rates=MP3_RATES,
            max_channels=2,
            default_bitrate=192,
        ),
        AudioFormat(
            name="ogg",
            extension="ogg",
            content_type="audio/ogg",
            lossless=False,
            codec="vorbis",
            backend="soundfile",
            # libvorbis crashes above ~200 kHz.
            max_rate=192000,
            default_bitrate=160,
        ),
        AudioFormat(
            name="opus",
            extension="opus",
            content_type="audio/ogg; codecs=opus",
            lossless=False,
            codec="opus",
            backend="pyav",
            sample_rates=OPUS_RATES,
            max_channels=2,
            default_bitrate=128,
        ),
        AudioFormat(
            name="m4a",
            extension="m4a",
            content_type="audio/mp4",
            lossless=False,
            codec="aac",
            backend="pyav",
            sample_rates=AAC_RATES + AAC_RATES_HIGH,
            default_bitrate=192,
        ),
    )
}

_ALIASES: Mapping[str, FormatName] = {
    "wave": "wav",
    "aif": "aiff",
    "aifc": "aiff",
    "vorbis": "ogg",
    "oga": "ogg",
    "mpeg": "mp3",
    "aac": "m4a",
    "mp4": "m4a",
}


def normalize_format(name: str) -> FormatName:
    """The canonical format name for ``name``, accepting aliases and a leading dot.

    Examples
    --------
    >>> normalize_format("Vorbis")
    'ogg'
    >>> normalize_format(".aif")
    'aiff'
    """
    key = name.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    for fmt in FORMATS:
        if fmt == key:
            return fmt
    supported = ", ".join(FORMATS)
    raise ValueError(f"unsupported audio format {name!r}; supported: {supported}")


def get_format(name: str) -> AudioFormat:
    """The table row of ``name`` (aliases accepted)."""
    return FORMATS[normalize_format(name)]


def content_type_for(name: str) -> str:
    """The MIME type of files in format ``name``.

    Examples
    --------
    >>> content_type_for("mp3")
    'audio/mpeg'
    """
    return get_format(name).content_type


def normalize_bit_depth(value: int | str) -> BitDepth:
    """``16``, ``24`` or ``"32f"`` from the spellings clients send.

    ``32`` means 32-bit float: no supported format stores 32-bit integers.

    Examples
    --------
    >>> normalize_bit_depth("32")
    '32f'
    >>> normalize_bit_depth(24)
    24
    """
    key = str(value).strip().lower()
    if key == "16":
        return 16
    if key == "24":
        return 24
    if key in ("32", "32f", "float", "f32"):
        return "32f"
    raise ValueError(f"unsupported bit depth {value!r}; use 16, 24 or 32 (float)")


def bit_depth_rule(fmt: AudioFormat) -> str:
    """A sentence saying which bit depths ``fmt`` holds, for error messages."""
    if not fmt.bit_depths:
        return f"{fmt.name} is lossy and has no bit depth; leave it unset"
    allowed = ", ".join(str(depth) for depth in fmt.bit_depths)
    return f"{fmt.name} holds bit depths {allowed}"


def check_bit_depth(fmt: AudioFormat, bit_depth: BitDepth) -> None:
    """Raise ``ValueError`` naming the rule when ``fmt`` cannot hold ``bit_depth``."""
    if not fmt.allows_bit_depth(bit_depth):
        raise ValueError(f"bit depth {bit_depth} is not allowed: {bit_depth_rule(fmt)}")


def check_rate(fmt: AudioFormat, sample_rate: int) -> None:
    """Raise ``ValueError`` naming the rule when ``fmt`` cannot hold ``sample_rate``."""
    if not fmt.allows_rate(sample_rate):
        raise ValueError(f"sample rate {sample_rate} is not allowed: {rate_rule(fmt)}")


def rate_rule(fmt: AudioFormat) -> str:
    """A sentence saying which sample rates ``fmt`` holds, for error messages."""
    if fmt.sample_rates is None:
        return f"{fmt.name} holds rates up to {fmt.max_rate} Hz"
    allowed = ", ".join(str(rate) for rate in fmt.sample_rates)
    return f"{fmt.name} holds only {allowed} Hz"
