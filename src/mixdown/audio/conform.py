"""Fit decoded audio to what an output format can hold: rate, channels, bit depth.

The rules, applied by :func:`conform`:

* sample rate: the requested one (refused if the format cannot hold it), else
  the source's, else the format's nearest allowed rate at or above it;
* channels: the requested count, else the source's;
* bit depth (lossless formats only): the requested one (refused if the format
  cannot hold it), else the source's, else 24 for float into FLAC and 16 for
  audio decoded from a lossy codec.
"""

from __future__ import annotations

from mixdown.audio.formats import (
    AudioFormat,
    BitDepth,
    check_bit_depth,
    check_rate,
    get_format,
)
from mixdown.audio.pcm import DecodedAudio, Samples, quantize, to_float32
from mixdown.audio.resample import resample, to_channels


def output_rate(fmt: AudioFormat, source_rate: int, requested: int | None = None) -> int:
    """The sample rate to write ``fmt`` at.

    Examples
    --------
    >>> output_rate(get_format("opus"), 44100)
    48000
    >>> output_rate(get_format("wav"), 44100, 22050)
    22050
    """
    if requested is None:
        return fmt.nearest_rate(source_rate)
    check_rate(fmt, requested)
    return requested


def output_bit_depth(
    fmt: AudioFormat, source: BitDepth | None, requested: BitDepth | None = None
) -> BitDepth | None:
    """The bit depth to write ``fmt`` at; ``None`` for lossy formats.

    ``source`` is the source's depth, ``None`` when it was decoded from a
    lossy codec.

    Examples
    --------
    >>> output_bit_depth(get_format("flac"), "32f")
    24
    >>> output_bit_depth(get_format("wav"), None)
    16
    >>> output_bit_depth(get_format("mp3"), 24) is None
    True
    """
    if not fmt.lossless:
        if requested is not None:
            check_bit_depth(fmt, requested)
        return None
    if requested is not None:
        check_bit_depth(fmt, requested)
        return requested
    if source is None:
        return 16
    return source if fmt.allows_bit_depth(source) else 24


def output_channels(fmt: AudioFormat, source: int, requested: int | None = None) -> int:
    """The channel count to write ``fmt`` with."""
    channels = source if requested is None else requested
    if channels > fmt.max_channels:
        raise ValueError(f"{fmt.name} holds at most {fmt.max_channels} channels, not {channels}")
    return channels


def conform(
    audio: DecodedAudio,
    *,
    format: str,
    sample_rate: int | None = None,
    channels: int | None = None,
    bit_depth: BitDepth | None = None,
) -> DecodedAudio:
    """``audio`` resampled, remixed and requantized to fit output ``format``.

    Parameters
    ----------
    audio : DecodedAudio
        The source.
    format : str
        Output format name (aliases accepted).
    sample_rate, channels, bit_depth : optional
        What the caller asked for; ``None`` keeps the source's where the
        format allows it (see the module docstring for the fallbacks).

    Returns
    -------
    DecodedAudio
        Samples ready for :func:`mixdown.audio.codec.encode`: in the layout
        of the output bit depth, or float32 for a lossy format.

    Raises
    ------
    ValueError
        The format cannot hold the requested rate, channels or bit depth.

    Examples
    --------
    >>> import numpy as np
    >>> src = DecodedAudio(samples=np.zeros((44100, 1), np.int16), sample_rate=44100)
    >>> out = conform(src, format="opus", channels=2)
    >>> (out.sample_rate, out.channels, out.frames, out.samples.dtype.name)
    (48000, 2, 48000, 'float32')
    """
    fmt = get_format(format)
    rate = output_rate(fmt, audio.sample_rate, sample_rate)
    count = output_channels(fmt, audio.channels, channels)
    depth = output_bit_depth(fmt, audio.bit_depth, bit_depth)
    samples = _remix_and_resample(audio.samples, audio.sample_rate, rate, count)
    final = to_float32(samples) if depth is None else quantize(samples, bit_depth=depth)
    return DecodedAudio(samples=final, sample_rate=rate, lossless=depth is not None, backend=audio.backend)


def _remix_and_resample(samples: Samples, from_rate: int, to_rate: int, channels: int) -> Samples:
    """Change channels and rate, resampling whichever side has fewer channels."""
    if channels < samples.shape[1]:
        samples = to_channels(samples, channels)
        return resample(samples, from_rate=from_rate, to_rate=to_rate)
    samples = resample(samples, from_rate=from_rate, to_rate=to_rate)
    return to_channels(samples, channels)
