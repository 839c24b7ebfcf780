"""A task that always fails with an unexpected error (retried, then failed and refunded)."""

from __future__ import annotations

from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec


class ExplodeParams(TaskParams):
    pass


def run(inputs: TaskInputs, params: ExplodeParams, ctx: TaskContext) -> None:
    ctx.progress(0.5)
    raise RuntimeError("kaboom")


TASK = TaskSpec(
    name="explode",
    summary="Test task: always fails.",
    params_model=ExplodeParams,
    run=run,
    cost_rule=CostRule(per_second=0.0, minimum=2.0, basis=CostBasis.OUTPUT),
    takes_audio=False,
)
