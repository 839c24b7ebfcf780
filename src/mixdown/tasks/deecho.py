"""The ``deecho`` task (``POST /v1/deecho``): remove discrete echoes and long reflections.

``cepstral`` (default) finds each echo's delay and gain in the cepstrum and cancels it with
the exact inverse (IIR) filter; ``wpe`` runs the dereverberation predictor with taps reaching
``max_delay`` (see :mod:`mixdown.engines.cleanup.deecho`). The output has the input's sample
rate and length; with no echo found, the cepstral method returns the input unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field, ValidationInfo, field_validator

from mixdown.engines.cleanup.cepstral import Echo, echo_level_db
from mixdown.engines.cleanup.deecho import DeechoMethod, remove_echoes, wpe_taps
from mixdown.engines.cleanup.measures import level_change_db
from mixdown.engines.cleanup.wpe import compute_seconds_per_second
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks._cleanup import Cleaned, CleanupParams, Progress, estimate_seconds, run_cleanup
from mixdown.tasks.base import TaskContext, TaskInputs, TaskSpec, always_cacheable

# Measured (bench/bench_cleanup.py, 48 kHz): the cepstral method runs ~35x real time per
# channel (at most 60 s are searched); the long-tap WPE is priced by the WPE cost model.
_CEPSTRAL_SECONDS_PER_CHANNEL_SECOND = 0.04


class DeechoParams(CleanupParams):
    """Parameters of ``deecho``."""

    method: DeechoMethod = Field(
        default="cepstral",
        description="cepstral (detect echoes and cancel them exactly) or wpe (long-tap linear prediction)",
    )
    min_delay: float = Field(
        default=0.03, ge=0.005, le=1.0, allow_inf_nan=False, description="Shortest echo delay sought, s"
    )
    max_delay: float = Field(
        default=1.0, gt=0.0, le=2.0, allow_inf_nan=False, description="Longest echo delay sought, s"
    )
    max_echoes: int = Field(default=4, ge=1, le=8, description="Most echoes cancelled per channel (cepstral)")

    @field_validator("max_delay")
    @classmethod
    def _after_min_delay(cls, value: float, info: ValidationInfo) -> float:
        low = info.data.get("min_delay")
        if low is not None and value <= low:
            raise ValueError(f"max_delay ({value}) must be greater than min_delay ({low})")
        return value


def run(inputs: TaskInputs, params: DeechoParams, ctx: TaskContext) -> None:
    """Remove the main input's echoes and store it."""

    def process(samples: npt.NDArray[np.float32], rate: int, progress: Progress) -> Cleaned:
        result = remove_echoes(
            samples,
            rate,
            method=params.method,
            min_delay=params.min_delay,
            max_delay=params.max_delay,
            max_echoes=params.max_echoes,
            on_progress=progress,
        )
        meta = {
            "engine": "cepstral-echo-canceller" if params.method == "cepstral" else "nara-wpe",
            "method": params.method,
            "min_delay": params.min_delay,
            "max_delay": params.max_delay,
            "energy_change_db": level_change_db(samples, result.samples),
            "echoes": _describe(result.echoes, samples, result.samples, rate),
        }
        return Cleaned(result.samples, meta)

    run_cleanup(inputs, params, ctx, name="deechoed", process=process)


def _describe(
    echoes: list[list[Echo]], before: np.ndarray, after: np.ndarray, rate: int
) -> list[dict[str, Any]]:
    """Each echo found, with the echo level measured at its delay before and after."""
    described = []
    for channel, found in enumerate(echoes):
        for echo in found:
            described.append(
                {
                    "channel": channel,
                    **echo.describe(rate),
                    "level_before_db": round(
                        echo_level_db(before[:, channel].astype(np.float64), echo.delay), 2
                    ),
                    "level_after_db": round(
                        echo_level_db(after[:, channel].astype(np.float64), echo.delay), 2
                    ),
                }
            )
    return described


def estimate(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time for the chosen method."""
    if params.method == "cepstral":
        return estimate_seconds(inputs, per_channel_second=_CEPSTRAL_SECONDS_PER_CHANNEL_SECOND)
    main = inputs.main
    taps = wpe_taps(params.max_delay)
    per_second = compute_seconds_per_second(main.sample_rate, main.channels, taps)
    return estimate_seconds(inputs, per_channel_second=per_second / main.channels)


TASK = TaskSpec(
    name="deecho",
    summary="De-echo: find discrete echoes and cancel them, or thin long reflections with WPE.",
    params_model=DeechoParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="dsp",
    estimate_seconds=estimate,
    cacheable=always_cacheable,
)
