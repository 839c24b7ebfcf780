"""Pure audio helpers: formats, probing, decoding and encoding, resampling, editing.

Samples are ``(frames, channels)`` numpy arrays; see :mod:`mixdown.audio.pcm`
for the dtypes used. Nothing here knows about jobs, HTTP or storage.
"""

from mixdown.audio.codec import decode, encode, transcode
from mixdown.audio.conform import conform
from mixdown.audio.edit import apply_fades, slice_frames, time_to_frame
from mixdown.audio.formats import (
    FORMATS,
    AudioFormat,
    BitDepth,
    FormatName,
    content_type_for,
    get_format,
    normalize_bit_depth,
    normalize_format,
)
from mixdown.audio.pcm import DecodedAudio, quantize, to_float32
from mixdown.audio.probe import AudioInfo, probe
from mixdown.audio.resample import resample, to_channels

__all__ = [
    "FORMATS",
    "AudioFormat",
    "AudioInfo",
    "BitDepth",
    "DecodedAudio",
    "FormatName",
    "apply_fades",
    "conform",
    "content_type_for",
    "decode",
    "encode",
    "get_format",
    "normalize_bit_depth",
    "normalize_format",
    "probe",
    "quantize",
    "resample",
    "slice_frames",
    "time_to_frame",
    "to_channels",
    "to_float32",
    "transcode",
]
