"""Job states, cost rules and retry policies."""

from __future__ import annotations

import pytest

from mixdown.jobs.cost import CostBasis, CostRule, from_milli, to_milli
from mixdown.jobs.retry import BackoffPolicy, JobRetryPolicy
from mixdown.jobs.states import JobStatus, can_transition


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (JobStatus.QUEUED, JobStatus.PROCESSING, True),
        (JobStatus.QUEUED, JobStatus.CANCELLED, True),
        (JobStatus.PROCESSING, JobStatus.QUEUED, True),
        (JobStatus.PROCESSING, JobStatus.COMPLETE, True),
        (JobStatus.COMPLETE, JobStatus.QUEUED, False),
        (JobStatus.CANCELLED, JobStatus.PROCESSING, False),
        (JobStatus.FAILED, JobStatus.COMPLETE, False),
        (JobStatus.QUEUED, JobStatus.COMPLETE, False),
    ],
)
def test_transitions(current: JobStatus, target: JobStatus, allowed: bool) -> None:
    assert can_transition(current, target) is allowed


def test_final_states() -> None:
    assert {s for s in JobStatus if s.is_final} == {JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED}


@pytest.mark.parametrize(("seconds", "credits"), [(0.0, 1.0), (5.0, 1.0), (30.0, 3.0), (61.5, 6.15)])
def test_cost_rule_has_a_minimum(seconds: float, credits: float) -> None:
    rule = CostRule(per_second=0.1, minimum=1.0, basis=CostBasis.OUTPUT)
    assert rule.credits(seconds) == pytest.approx(credits)


def test_milli_credits_round_up_and_back() -> None:
    assert to_milli(0.0011) == 2
    assert to_milli(6.15) == 6150
    assert from_milli(6150) == pytest.approx(6.15)


def test_job_retry_policy() -> None:
    policy = JobRetryPolicy(max_attempts=3)
    assert [policy.should_retry(n) for n in (1, 2, 3)] == [True, True, False]


def test_backoff_grows_and_gives_up_by_age() -> None:
    policy = BackoffPolicy(base_seconds=5, factor=2, max_delay_seconds=60, max_age_seconds=100)
    assert [policy.delay(n) for n in range(1, 6)] == [5, 10, 20, 40, 60]
    assert policy.next_delay(1, age_seconds=0) == 5
    assert policy.next_delay(4, age_seconds=70) is None
