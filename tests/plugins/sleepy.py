"""A task that takes its time, reporting progress, and writes a small JSON result."""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import Field

from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec


class SleepyParams(TaskParams):
    seconds: float = Field(default=1.0, ge=0, le=120)


def run(inputs: TaskInputs, params: SleepyParams, ctx: TaskContext) -> None:
    steps = max(int(params.seconds / 0.05), 1)
    for step in range(steps):
        time.sleep(params.seconds / steps)
        ctx.progress((step + 1) / steps, f"step {step + 1}/{steps}")
    out = ctx.work_dir / "out.json"
    out.write_text(json.dumps({"slept": params.seconds}))
    ctx.add_result(out, kind="json", format="json")


def _seconds(params: Any, inputs: TaskInputs) -> float:
    return float(params.seconds)


TASK = TaskSpec(
    name="sleepy",
    summary="Test task: sleep with progress.",
    params_model=SleepyParams,
    run=run,
    cost_rule=CostRule(per_second=1.0, minimum=1.0, basis=CostBasis.OUTPUT),
    cost_seconds=_seconds,
    takes_audio=False,
    queue="audio",
)
