"""The ``key-bpm`` task (``POST /v1/key-bpm``): tempo, beats, downbeats, meter, key and loudness.

The headline values go into the job's metadata; the full analysis, beat and downbeat times
included, is one JSON result (``kind="analysis"``). Method and measured accuracy: docs/key-bpm.md.
"""

from __future__ import annotations

import json
import math
import re
import time
from typing import Any

from pydantic import Field, field_validator

from mixdown.audio.codec import decode
from mixdown.engines.keybpm import KEY_PROFILE, analyse_key_bpm, availability, warm_up
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec, always_cacheable

MIN_BPM, MAX_BPM = 30.0, 300.0
# Measured on one core: the analysis runs ~70x real time (CPU), decoding adds little; this errs high.
_SECONDS_PER_AUDIO_SECOND = 0.03
_OVERHEAD_SECONDS = 0.5
_RANGE_TEXT = re.compile(r"^\s*([0-9.]+)\s*(?:-|,|\.\.|to)\s*([0-9.]+)\s*$")


class KeyBpmParams(TaskParams):
    """Parameters of ``key-bpm``; all optional."""

    bpm_range: tuple[float, float] | None = Field(
        default=None,
        description=(
            f"[min, max] tempo hint in bpm ({MIN_BPM:g}-{MAX_BPM:g}; also '70-140'): a tempo measured "
            "outside is replaced by its half or double inside; the alternatives stay in bpm_candidates"
        ),
        examples=[[70, 140]],
    )

    @field_validator("bpm_range", mode="before")
    @classmethod
    def _parse_range(cls, value: object) -> object:
        """Accept ``[70, 140]``, ``{"min": 70, "max": 140}`` or ``"70-140"``; check the bounds."""
        if value is None:
            return None
        pair = _as_pair(value)
        low, high = (_as_bpm(v) for v in pair)
        if not MIN_BPM <= low < high <= MAX_BPM:
            raise ValueError(
                f"bpm_range needs {MIN_BPM:g} <= min < max <= {MAX_BPM:g}, got [{low:g}, {high:g}]"
            )
        return (low, high)


def _as_pair(value: object) -> tuple[object, object]:
    if isinstance(value, str):
        match = _RANGE_TEXT.match(value)
        if match is None:
            raise ValueError("bpm_range must be [min, max] or 'min-max', e.g. [70, 140] or '70-140'")
        return match.group(1), match.group(2)
    if isinstance(value, dict) and set(value) == {"min", "max"}:
        return value["min"], value["max"]
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    raise ValueError("bpm_range must be [min, max] or 'min-max', e.g. [70, 140] or '70-140'")


def _as_bpm(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("bpm_range values must be numbers")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"bpm_range values must be numbers, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError("bpm_range values must be finite")
    return number


def run(inputs: TaskInputs, params: KeyBpmParams, ctx: TaskContext) -> None:
    """Decode the input, analyse it, store the JSON analysis and put the summary in the metadata."""
    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    source = decode(inputs.main.path)
    ctx.progress(0.1, "measuring loudness")
    analysis = analyse_key_bpm(
        source.samples, source.sample_rate, bpm_range=params.bpm_range, progress=ctx.progress
    )
    ctx.progress(0.95, "writing the analysis")
    body = analysis.to_json()
    path = ctx.work_dir / "key_bpm.json"
    path.write_text(json.dumps(body, indent=1), encoding="utf-8")
    ctx.add_result(
        path, kind="analysis", format="json", beats=len(body["beats"]), downbeats=len(body["downbeats"])
    )
    ctx.set_metadata(
        engine="essentia",
        key_profile=KEY_PROFILE,
        **analysis.summary(),
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def estimate_seconds(_params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a fraction of the input length."""
    return _OVERHEAD_SECONDS + _SECONDS_PER_AUDIO_SECOND * inputs.seconds()


TASK = TaskSpec(
    name="key-bpm",
    summary="Key & BPM: tempo (with half/double alternatives), beats, downbeats, time signature, "
    "key with Camelot code, and integrated loudness.",
    params_model=KeyBpmParams,
    run=run,
    cost_rule=CostRule(per_second=0.002, minimum=0.02, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="essentia",
    estimate_seconds=estimate_seconds,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
