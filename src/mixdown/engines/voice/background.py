"""``remove_background``: the voice separated from its backing before the change, through the
separation engine (``mixdown.engines.separation``), looked up when a job asks for it.

The separation engine is a separate package that may be missing (not built, or without its
model): then :func:`separation_availability` says why and the voice-change task refuses
``remove_background`` with a 422 naming the field instead of failing the job later. The engine is
expected to expose ``separate_voice(samples, sample_rate) -> (voice, backing)``, both float32
``(frames, channels)`` of the input's length.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from mixdown.engines.voice.loudness import PEAK_CEILING
from mixdown.tasks.base import Availability

Audio = npt.NDArray[np.float32]
ENGINE_MODULE = "mixdown.engines.separation"
ENTRY_POINT = "separate_voice"
Separator = Callable[[Audio, int], tuple[Audio, Audio]]


def _engine() -> ModuleType | None:
    """The separation engine's package, None when it is not installed."""
    try:
        return importlib.import_module(ENGINE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name is not None and ENGINE_MODULE.startswith(exc.name):
            return None
        raise


def separator() -> Separator | None:
    """The engine's ``separate_voice`` when the engine is installed and can run here."""
    module = _engine()
    found: Any = getattr(module, ENTRY_POINT, None) if module is not None else None
    if found is None or not separation_availability().available:
        return None
    separate: Separator = found
    return separate


def separation_availability() -> Availability:
    """Whether ``remove_background`` can run here, and why not."""
    module = _engine()
    if module is None or not hasattr(module, ENTRY_POINT):
        return Availability(False, "no voice separation engine is installed on this server yet")
    check = getattr(module, "availability", None)
    if not callable(check):
        return Availability(True)
    found = check()  # the engine's own Availability (or anything with ``available`` and ``reason``)
    return Availability(bool(getattr(found, "available", False)), getattr(found, "reason", None))


def split_voice(samples: Audio, sample_rate: int) -> tuple[Audio, Audio]:
    """``(voice, backing)`` of ``(frames, channels)`` float32 samples; ``RuntimeError`` if unavailable."""
    separate = separator()
    if separate is None:
        raise RuntimeError(separation_availability().reason or "voice separation is not available")
    voice, backing = separate(samples, sample_rate)
    return np.asarray(voice, dtype=np.float32), np.asarray(backing, dtype=np.float32)


def remixed(voice: Audio, backing: Audio) -> Audio:
    """The changed voice over the backing it was separated from, scaled down only if it would clip.

    Examples
    --------
    >>> v = np.full((4, 1), 0.7, np.float32)
    >>> round(float(remixed(v, v).max()), 4)
    0.98
    """
    mix = voice + backing
    peak = float(np.abs(mix).max(initial=0.0))
    if peak > PEAK_CEILING:
        mix = mix * np.float32(PEAK_CEILING / peak)
    return np.asarray(mix, dtype=np.float32)
