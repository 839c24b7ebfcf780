"""Jobs run for a synchronous answer: submit several at once, wait for them, give up cleanly.

Vendor shapes that answer with the finished audio (Muzaic's ``singleFile``) submit ordinary jobs,
so credits, limits, queues and history apply unchanged, then wait here. Waiting polls the status
read path (``storage.status_reader``: tens of microseconds a read) from one worker thread per round,
backing off from 20 ms to 250 ms, so a long job costs a few reads a second and a short one is
answered within a poll of finishing. A wait that runs out cancels what is unfinished (credits are
refunded) and answers 503.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mixdown.errors import MixdownError, NotFound, ServiceUnavailable, TaskError, ValidationFailed
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.jobs import cancel_job, get_job
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitted, Submitter, parse_params

FIRST_POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.25
BACKOFF = 1.5
BASE_WAIT_SECONDS = 120.0  # queueing and worker start-up on top of the jobs' own estimates
MAX_WAIT_SECONDS = 3600.0
T = TypeVar("T")


def submit_all(
    services: Services,
    caller: Caller,
    requests: Sequence[SubmitRequest],
    *,
    labels: Sequence[str] | None = None,
) -> list[Submitted]:
    """Submit every request, or none: parameters are all validated first, and if a later submit is
    refused (credits, the parallel cap) the ones already queued are cancelled before re-raising.

    ``labels`` name the requests in errors (``regions.1`` makes ``tags`` ``regions.1.tags``).
    """
    names = list(labels) if labels is not None else [""] * len(requests)
    submitter = Submitter(services)
    done: list[Submitted] = []
    try:
        for req, label in zip(requests, names, strict=True):
            _labelled(label, parse_params, services.registry.get(req.task), req.fields)
        for req, label in zip(requests, names, strict=True):
            done.append(_labelled(label, submitter.submit, caller, req))
    except MixdownError:
        _cancel(services, caller, [str(submitted.body["job_id"]) for submitted in done])
        raise
    return done


def _labelled(label: str, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, with ``label`` put in front of the field and message of an error it raises."""
    try:
        return fn(*args)
    except MixdownError as exc:
        if not label:
            raise
        field = f"{label}.{exc.field}" if exc.field else label
        raise type(exc)(f"{label}: {exc.message}", field=field, headers=exc.headers, **exc.details) from exc


def wait_seconds(submitted: Sequence[Submitted]) -> float:
    """How long to wait for these jobs: a base allowance plus three times their estimates."""
    estimate = sum(float(s.body.get("estimated_time") or 0.0) for s in submitted)
    return min(BASE_WAIT_SECONDS + 3.0 * estimate, MAX_WAIT_SECONDS)


async def wait_for_jobs(
    services: Services, caller: Caller, job_ids: Sequence[str], base_url: str, *, timeout: float
) -> list[dict[str, Any]]:
    """The jobs (as ``GET /v1/jobs/{id}`` shows them, in the order given) once all completed.

    The first job to end otherwise cancels the rest and is raised as an error
    (:func:`job_error`); running out of ``timeout`` cancels the unfinished ones and raises 503.
    """
    deadline = time.monotonic() + timeout
    delay = FIRST_POLL_SECONDS
    final: dict[str, dict[str, Any]] = {}
    while True:
        pending = [job_id for job_id in job_ids if job_id not in final]
        final.update(await asyncio.to_thread(_final_jobs, services, caller, pending, base_url))
        failed = [job for job in final.values() if job["status"] != JobStatus.COMPLETE]
        if failed or len(final) == len(job_ids):
            if failed:
                await asyncio.to_thread(_cancel, services, caller, [j for j in job_ids if j not in final])
                raise job_error(failed[0])
            return [final[job_id] for job_id in job_ids]
        if time.monotonic() > deadline:
            await asyncio.to_thread(_cancel, services, caller, pending)
            raise ServiceUnavailable(
                f"The generation did not finish within {timeout:.0f} s; it was cancelled."
            )
        await asyncio.sleep(delay)
        delay = min(delay * BACKOFF, MAX_POLL_SECONDS)


def _final_jobs(
    services: Services, caller: Caller, job_ids: Sequence[str], base_url: str
) -> dict[str, dict[str, Any]]:
    """The jobs among ``job_ids`` that reached a final state."""
    jobs = (get_job(services, caller, job_id, base_url) for job_id in job_ids)
    return {job["job_id"]: job for job in jobs if JobStatus(job["status"]).is_final}


def _cancel(services: Services, caller: Caller, job_ids: Sequence[str]) -> None:
    for job_id in job_ids:
        cancel_job(services, caller, job_id, "")


def job_error(job: dict[str, Any]) -> MixdownError:
    """A job that did not complete, as the error to answer with."""
    error = job.get("error") or {}
    code = str(error.get("code") or job["status"])
    message = str(error.get("message") or f"Job {job['job_id']} ended {job['status']}.")
    if code == "not_found":
        return NotFound(message, job_id=job["job_id"])
    if code == "validation_error":
        return ValidationFailed(message, job_id=job["job_id"])
    return TaskError(message, job_id=job["job_id"], cause=code)
