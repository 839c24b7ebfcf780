"""Waiting for jobs on behalf of a synchronous answer: all done, one failed, too slow, refused submit."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from mixdown.errors import InsufficientCredits, ServiceUnavailable, TaskError, ValidationFailed
from mixdown.service.jobs import credits_view, get_job
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest
from mixdown.service.waiting import submit_all, wait_for_jobs, wait_seconds
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def caller_of(stack: Stack) -> Caller:
    return stack.services.auth.authenticate(stack.key)


def sleepy(seconds: float) -> SubmitRequest:
    return SubmitRequest(task="sleepy", fields={"seconds": seconds})


def test_jobs_are_answered_in_order_soon_after_the_last_finishes(make_stack: StackFactory) -> None:
    stack = make_stack(workers=2)
    caller = caller_of(stack)
    submitted = submit_all(stack.services, caller, [sleepy(0.6), sleepy(0.2)])
    ids = [str(s.body["job_id"]) for s in submitted]
    jobs = asyncio.run(wait_for_jobs(stack.services, caller, ids, stack.url, timeout=wait_seconds(submitted)))
    assert [job["job_id"] for job in jobs] == ids
    assert all(job["status"] == "complete" and job["results"] for job in jobs)


def test_a_failed_job_is_raised_and_the_others_are_cancelled(make_stack: StackFactory) -> None:
    stack = make_stack(workers=2, max_attempts=1)
    caller = caller_of(stack)
    submitted = submit_all(stack.services, caller, [SubmitRequest(task="explode", fields={}), sleepy(30)])
    ids = [str(s.body["job_id"]) for s in submitted]
    with pytest.raises(TaskError, match="kaboom") as caught:
        asyncio.run(wait_for_jobs(stack.services, caller, ids, stack.url, timeout=60))
    assert caught.value.details["job_id"] == ids[0]
    other = get_job(stack.services, caller, ids[1], stack.url)
    assert other["cancel_requested"] or other["status"] == "cancelled"


def test_running_out_of_time_cancels_and_refunds(make_stack: StackFactory) -> None:
    stack = make_stack(workers=1, credits=100)
    caller = caller_of(stack)
    submitted = submit_all(stack.services, caller, [sleepy(30)])
    job_id = str(submitted[0].body["job_id"])
    with pytest.raises(ServiceUnavailable, match="did not finish within 1 s"):
        asyncio.run(wait_for_jobs(stack.services, caller, [job_id], stack.url, timeout=1.0))
    assert until_final(stack, caller, job_id)["status"] == "cancelled"
    assert credits_view(stack.services, caller)["credits"] == pytest.approx(100.0)


def until_final(stack: Stack, caller: Caller, job_id: str) -> dict[str, Any]:
    for _ in range(400):
        job = get_job(stack.services, caller, job_id, stack.url)
        if job["status"] in ("complete", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never became final")


def test_submit_all_queues_nothing_when_one_request_is_invalid_or_refused(make_stack: StackFactory) -> None:
    stack = make_stack(workers=0, credits=5)
    caller = caller_of(stack)
    with pytest.raises(ValidationFailed) as invalid:
        submit_all(stack.services, caller, [sleepy(1), sleepy(500)], labels=["a", "b"])
    assert invalid.value.field == "b.seconds"
    assert stack.client.get("/v1/jobs").json()["jobs"] == []
    # The first is accepted (credits reserved) and the second refused: the first is cancelled again
    with pytest.raises(InsufficientCredits):
        submit_all(stack.services, caller, [sleepy(3), sleepy(3)])
    jobs = stack.client.get("/v1/jobs").json()["jobs"]
    assert [job["status"] for job in jobs] == ["cancelled"]
    assert credits_view(stack.services, caller)["credits"] == pytest.approx(5.0)
