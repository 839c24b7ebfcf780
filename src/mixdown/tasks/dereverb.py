"""The ``dereverb`` task (``POST /v1/dereverb``): remove room reverberation with WPE.

Weighted prediction error (``nara-wpe``) in the STFT domain, 64 ms windows on a 16 ms hop;
multichannel input is dereverberated jointly. Long files run in 20 s blocks with bounded
memory (see :mod:`mixdown.engines.cleanup.wpe`). The output has the input's sample rate and
length.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field

from mixdown.engines.cleanup.measures import dynamic_range_db, level_change_db
from mixdown.engines.cleanup.wpe import (
    FRAME_SECONDS,
    WpeSettings,
    compute_seconds_per_second,
    default_taps,
    dereverb,
    stft_geometry,
)
from mixdown.engines.cleanup.wpe import warm_up as warm_wpe
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks._cleanup import Cleaned, CleanupParams, Progress, estimate_seconds, run_cleanup
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskSpec, always_cacheable

_DEFAULTS = WpeSettings()
_IMPORT_SECONDS = 1.5


class DereverbParams(CleanupParams):
    """Parameters of ``dereverb`` (the defaults were chosen by measurement: docs/cleanup.md)."""

    taps: int | None = Field(
        default=None,
        ge=1,
        le=40,
        description="Prediction length in 16 ms frames (10 = 160 ms); default 10 for mono, 20 for stereo",
    )
    delay: int = Field(
        default=_DEFAULTS.delay,
        ge=1,
        le=10,
        description="16 ms frames kept after each sound: direct sound and early reflections (3 = 48 ms)",
    )
    iterations: int = Field(default=_DEFAULTS.iterations, ge=1, le=10, description="WPE re-estimations")


def run(inputs: TaskInputs, params: DereverbParams, ctx: TaskContext) -> None:
    """Dereverberate the main input and store it."""

    def process(samples: npt.NDArray[np.float32], rate: int, progress: Progress) -> Cleaned:
        out = dereverb(
            samples,
            rate,
            taps=params.taps,
            delay=params.delay,
            iterations=params.iterations,
            on_progress=progress,
        )
        return Cleaned(out, _metadata(params, samples, out, rate))

    run_cleanup(inputs, params, ctx, name="dereverbed", process=process)


def _metadata(params: DereverbParams, before: np.ndarray, after: np.ndarray, rate: int) -> dict[str, Any]:
    """Method settings, and how much reverberant energy went."""
    fft_size, hop = stft_geometry(rate)
    return {
        "engine": "nara-wpe",
        "method": "wpe",
        "taps": params.taps or default_taps(before.shape[1]),
        "delay": params.delay,
        "iterations": params.iterations,
        "frame_ms": round(1000 * FRAME_SECONDS, 3),
        "fft_size": fft_size,
        "hop": hop,
        "channels_joint": int(before.shape[1]),
        "energy_change_db": level_change_db(before, after),
        "dynamic_range_before_db": dynamic_range_db(before, rate),
        "dynamic_range_after_db": dynamic_range_db(after, rate),
    }


def estimate(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: WPE's cost grows with rate, taps and the channels solved jointly."""
    main = inputs.main
    taps = params.taps or default_taps(main.channels)
    per_second = compute_seconds_per_second(main.sample_rate, main.channels, taps)
    return estimate_seconds(inputs, per_channel_second=per_second / main.channels, fixed=_IMPORT_SECONDS)


def availability() -> Availability:
    """nara-wpe is installed."""
    if importlib.util.find_spec("nara_wpe") is None:
        return Availability(False, "nara-wpe is not installed (pip install nara-wpe)")
    return Availability(True)


def warm_up() -> None:
    """Import nara-wpe (~1.5 s) before the first job."""
    warm_wpe()


TASK = TaskSpec(
    name="dereverb",
    summary="De-reverb: remove room reverberation (WPE), mono or multichannel.",
    params_model=DereverbParams,
    run=run,
    cost_rule=CostRule(per_second=0.02, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="nara-wpe",
    estimate_seconds=estimate,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
