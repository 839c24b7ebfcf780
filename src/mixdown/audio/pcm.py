"""How samples are held in memory, and conversions between sample types.

Samples are always a 2-D array of shape ``(frames, channels)`` in one of three
dtypes, each at full scale:

* ``int16`` -- 16-bit PCM (8-bit sources are widened into it);
* ``int32`` -- 24- or 32-bit PCM, left-justified: a 24-bit sample ``s`` is held
  as ``s << 8``. libsndfile and FFmpeg both use this layout, so 24-bit audio
  passes through decode and encode bit-exact;
* ``float32`` -- float PCM and everything decoded from a lossy codec, nominally
  within ``[-1, 1)``.

Integer full scale maps to float as ``x / 2**(bits - 1)`` both ways, the
convention of libsndfile and FFmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from mixdown.audio.formats import Backend, BitDepth

Samples: TypeAlias = npt.NDArray[Any]

_INT16_SCALE = 2.0**15
_INT32_SCALE = 2.0**31


@dataclass(frozen=True, kw_only=True)
class DecodedAudio:
    """Samples in memory with their rate.

    ``lossless`` says the samples are the exact PCM of the source (so
    ``bit_depth`` means something); audio decoded from a lossy codec is
    float32 with ``lossless=False``. ``backend`` names the library that
    decoded it, ``None`` for audio made in memory.
    """

    samples: Samples
    sample_rate: int
    lossless: bool = True
    backend: Backend | None = None

    @property
    def frames(self) -> int:
        """Number of sample frames."""
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.frames / self.sample_rate

    @property
    def bit_depth(self) -> BitDepth | None:
        """Depth of the in-memory layout (int32 counts as 24), ``None`` if lossy."""
        return depth_of(self.samples) if self.lossless else None


def as_frames(samples: Samples) -> Samples:
    """``samples`` as a 2-D ``(frames, channels)`` array; 1-D input is mono.

    Examples
    --------
    >>> as_frames(np.zeros(4, dtype=np.float32)).shape
    (4, 1)
    """
    if samples.ndim == 1:
        return samples.reshape(-1, 1)
    if samples.ndim != 2:
        raise ValueError(f"samples must be 1-D or 2-D, got shape {samples.shape}")
    return samples


def to_float32(samples: Samples) -> Samples:
    """``samples`` as float32 at full scale ``[-1, 1)``.

    Examples
    --------
    >>> to_float32(np.array([[16384], [-32768]], dtype=np.int16)).ravel().tolist()
    [0.5, -1.0]
    """
    if samples.dtype == np.int16:
        return (samples / _INT16_SCALE).astype(np.float32)
    if samples.dtype == np.int32:
        return (samples / _INT32_SCALE).astype(np.float32)
    if np.issubdtype(samples.dtype, np.floating):
        return samples.astype(np.float32, copy=False)
    raise TypeError(f"unsupported sample dtype {samples.dtype}")


def quantize(samples: Samples, *, bit_depth: BitDepth) -> Samples:
    """``samples`` in the in-memory layout of ``bit_depth``, rounded and clipped.

    Integer-to-integer widening is exact; narrowing rounds to nearest. No dither
    is added, so the result is deterministic.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` int16, int32 or float samples.
    bit_depth : {16, 24, "32f"}
        Target depth: int16, left-justified int32, or float32.

    Returns
    -------
    numpy.ndarray
        The samples in the target layout.

    Examples
    --------
    >>> x = np.array([[0.5], [-1.0]], dtype=np.float32)
    >>> quantize(x, bit_depth=16).ravel().tolist()
    [16384, -32768]
    >>> quantize(x, bit_depth=24).ravel().tolist() == [2**30, -(2**31)]
    True
    """
    if bit_depth == "32f":
        return to_float32(samples)
    if samples.dtype == np.int16 and bit_depth == 16:
        return samples
    if samples.dtype == np.int16:
        return samples.astype(np.int32) << 16
    if samples.dtype == np.int32:
        return _narrow_int32(samples, bits=bit_depth)
    return _float_to_int(samples, bits=bit_depth)


def _narrow_int32(samples: Samples, *, bits: int) -> Samples:
    """Round left-justified int32 samples to ``bits`` significant bits."""
    drop = 32 - bits
    if drop == 0 or not np.any(samples & ((1 << drop) - 1)):
        narrowed = samples >> drop
    else:
        wide = samples.astype(np.int64) + (1 << (drop - 1))
        top = (1 << (bits - 1)) - 1
        narrowed = np.clip(wide >> drop, -top - 1, top)
    if bits == 16:
        return narrowed.astype(np.int16)
    return narrowed.astype(np.int32) << drop


def _float_to_int(samples: Samples, *, bits: int) -> Samples:
    """Round float samples to ``bits``-bit integers in their in-memory layout."""
    scale = float(1 << (bits - 1))
    ints = np.clip(np.rint(samples.astype(np.float64) * scale), -scale, scale - 1)
    if bits == 16:
        return ints.astype(np.int16)
    return ints.astype(np.int32) << (32 - bits)


def depth_of(samples: Samples) -> BitDepth:
    """The bit depth whose layout ``samples`` already has (int32 counts as 24)."""
    if samples.dtype == np.int16:
        return 16
    if samples.dtype == np.int32:
        return 24
    return "32f"


def like(samples: Samples, reference: Samples) -> Samples:
    """Float ``samples`` brought back to the dtype of ``reference``."""
    if reference.dtype == np.int16:
        return quantize(samples, bit_depth=16)
    if reference.dtype == np.int32:
        return _float_to_int(samples, bits=32)
    return samples.astype(reference.dtype, copy=False)
