"""basic-pitch's ICASSP 2022 network (ONNX, shipped inside the ``basic-pitch`` wheel) run with onnxruntime.

Only the model file and its constants come from ``basic_pitch``: its ``inference`` module cannot be
imported here (it imports ``resampy`` 0.4.2, which needs ``pkg_resources``, gone from setuptools 81+),
and its audio loading goes through librosa and resampy, whose numba JIT costs ~16 s on a cold
worker. Audio is resampled with soxr instead, and the windowing below reproduces
``basic_pitch.inference.run_inference`` exactly: 2 s windows (43,844 samples at 22,050 Hz) hopping by
36,164 samples, a 3,840-sample lead-in of silence, and 15 of the 172 output frames trimmed from
each side of every window.

The session is built once per process (``session()``); ``warm_up()`` builds it and runs one window
so onnxruntime's first-call graph optimisation is paid before the first job.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from mixdown.tasks.base import Availability

SAMPLE_RATE = 22050  # basic_pitch.constants.AUDIO_SAMPLE_RATE
FFT_HOP = 256
FRAMES_PER_WINDOW = 172  # ANNOTATIONS_FPS (86) * AUDIO_WINDOW_LENGTH (2)
WINDOW_SAMPLES = SAMPLE_RATE * 2 - FFT_HOP  # AUDIO_N_SAMPLES = 43,844
OVERLAP_FRAMES = 30
OVERLAP_SAMPLES = OVERLAP_FRAMES * FFT_HOP
HOP_SAMPLES = WINDOW_SAMPLES - OVERLAP_SAMPLES
FRAME_RATE = SAMPLE_RATE // FFT_HOP  # 86: basic-pitch counts output frames at this integer rate
BATCH = 4  # windows per onnxruntime call: larger batches are no faster on 2 cores (measured)
_INPUT = "serving_default_input_2:0"
# Output names in the order note (frame) activations, onsets, contours (basic_pitch.inference.Model).
_OUTPUTS = ["StatefulPartitionedCall:1", "StatefulPartitionedCall:2", "StatefulPartitionedCall:0"]
# basic_pitch/__init__.py warns on the root logger about every runtime it does not find; we use ONNX.
_RUNTIME_WARNINGS = ("Coremltools is not installed", "tflite-runtime is not installed", "Tensorflow is not")

_lock = threading.Lock()
_session: Any = None


@dataclass(frozen=True)
class Activations:
    """The network's output for a whole signal, one row per frame (86.13 frames per second).

    ``note`` and ``onset`` are ``(frames, 88)`` (piano keys A0..C8), ``contour`` is
    ``(frames, 264)`` (thirds of a semitone), all in 0..1.
    """

    note: np.ndarray
    onset: np.ndarray
    contour: np.ndarray

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.note.shape[0])


class _DropRuntimeWarnings(logging.Filter):
    """Drops only basic-pitch's "X is not installed" import-time warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_RUNTIME_WARNINGS)


def model_path() -> Path:
    """The ONNX file inside the installed ``basic-pitch`` wheel (``FileNotFoundError`` if absent)."""
    found = importlib.util.find_spec("basic_pitch")
    if found is None or not found.submodule_search_locations:
        raise FileNotFoundError("basic-pitch is not installed (pip install --no-deps basic-pitch)")
    root = logging.getLogger()
    quiet = _DropRuntimeWarnings()
    root.addFilter(quiet)
    try:
        from basic_pitch import (  # type: ignore[import-untyped]
            FilenameSuffix,
            build_icassp_2022_model_path,
        )
    finally:
        root.removeFilter(quiet)
    # Not ICASSP_2022_MODEL_PATH: that follows whichever runtime is installed (a TFLite file once
    # tflite-runtime is present); onnxruntime needs the ONNX one.
    path = Path(build_icassp_2022_model_path(FilenameSuffix.onnx))
    if not path.is_file():
        raise FileNotFoundError(f"basic-pitch's ONNX model is missing: {path}")
    return path


def availability() -> Availability:
    """Whether basic-pitch's model file and onnxruntime are both here."""
    if importlib.util.find_spec("onnxruntime") is None:
        return Availability(False, "onnxruntime is not installed")
    try:
        model_path()
    except (FileNotFoundError, ImportError) as exc:
        return Availability(False, str(exc))
    return Availability(True)


def session() -> Any:
    """The process's onnxruntime session of the model, built on first use."""
    global _session
    with _lock:
        if _session is None:
            import onnxruntime  # type: ignore[import-untyped]

            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3  # errors only: no graph-optimisation chatter per process
            _session = onnxruntime.InferenceSession(
                str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
            )
        return _session


def warm_up() -> None:
    """Build the session and run one window through it."""
    predict(np.zeros(SAMPLE_RATE, dtype=np.float32))


def to_model_rate(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at 22,050 Hz from ``(frames,)`` or ``(frames, channels)`` audio.

    Examples
    --------
    >>> to_model_rate(np.zeros((44100, 2), dtype=np.float32), 44100).shape
    (22050,)
    """
    mono = np.asarray(samples, dtype=np.float32)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    if sample_rate == SAMPLE_RATE:
        return np.ascontiguousarray(mono)
    return np.asarray(soxr.resample(mono, sample_rate, SAMPLE_RATE, quality="HQ"), dtype=np.float32)


def _windows(signal: np.ndarray) -> Iterator[np.ndarray]:
    """Batches of ``(n, WINDOW_SAMPLES, 1)`` windows, as basic-pitch cuts them."""
    padded = np.concatenate([np.zeros(OVERLAP_SAMPLES // 2, dtype=np.float32), signal])
    starts = list(range(0, padded.shape[0], HOP_SAMPLES))
    for first in range(0, len(starts), BATCH):
        batch = np.zeros((len(starts[first : first + BATCH]), WINDOW_SAMPLES, 1), dtype=np.float32)
        for row, start in enumerate(starts[first : first + BATCH]):
            piece = padded[start : start + WINDOW_SAMPLES]
            batch[row, : piece.shape[0], 0] = piece
        yield batch


def _unwrap(batches: list[np.ndarray], original_samples: int) -> np.ndarray:
    """Windows' frames with the overlaps trimmed, joined, cut to the signal's length."""
    trim = OVERLAP_FRAMES // 2
    kept = np.concatenate(batches)[:, trim:-trim, :]
    joined: np.ndarray = kept.reshape(-1, kept.shape[2])
    return joined[: int(np.floor(original_samples * (FRAME_RATE / SAMPLE_RATE)))]


def window_count(samples: int) -> int:
    """How many model windows a signal of ``samples`` (at 22,050 Hz) takes."""
    return -(-(samples + OVERLAP_SAMPLES // 2) // HOP_SAMPLES)


def predict(signal: np.ndarray, *, on_batch: Callable[[float], None] | None = None) -> Activations:
    """Run the network over a mono 22,050 Hz signal.

    Parameters
    ----------
    signal
        ``(samples,)`` float32 at :data:`SAMPLE_RATE` (see :func:`to_model_rate`).
    on_batch
        Called with the fraction of windows done after each batch (progress, cancellation).

    Returns
    -------
    Activations
        ``floor(samples * 86 / 22050)`` frames.

    Examples
    --------
    >>> out = predict(np.zeros(SAMPLE_RATE, dtype=np.float32))
    >>> out.note.shape, out.contour.shape
    ((86, 88), (86, 264))
    """
    signal = np.asarray(signal, dtype=np.float32).reshape(-1)
    model = session()
    outputs: list[list[np.ndarray]] = [[], [], []]
    total = window_count(signal.shape[0])
    for batch in _windows(signal):
        for store, value in zip(outputs, model.run(_OUTPUTS, {_INPUT: batch}), strict=True):
            store.append(np.asarray(value, dtype=np.float32))
        if on_batch is not None:
            on_batch(min(1.0, sum(b.shape[0] for b in outputs[0]) / total))
    note, onset, contour = (_unwrap(store, signal.shape[0]) for store in outputs)
    return Activations(note=note, onset=onset, contour=contour)
