"""A generation-category task, for the parallel-generation cap."""

from __future__ import annotations

from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskSpec
from tests.plugins.sleepy import SleepyParams, run

TASK = TaskSpec(
    name="slowgen",
    summary="Test task: a slow generation.",
    params_model=SleepyParams,
    run=run,
    cost_rule=CostRule(per_second=0.0, minimum=1.0, basis=CostBasis.OUTPUT),
    category=TaskCategory.GENERATION,
    takes_audio=False,
    queue="music",
)
