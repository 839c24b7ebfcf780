"""``GET /v1/lyrics``: a ``lyrics`` job, waited for, answered with its JSON.

The request becomes an ordinary ``lyrics`` submit, so credits, limits, the content policy, the
result cache and job history apply unchanged; the route then waits for the job (the embedded
engine takes well under a second once a worker is warm) and answers with the result body.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from mixdown.errors import MixdownError, ServiceUnavailable, ValidationFailed
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.jobs import cancel_job, get_job, own_artifact
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitter

TASK = "lyrics"
WAIT_SECONDS = 240.0  # a chat engine on a CPU may take two tries of ~90 s
POLL_SECONDS = 0.02


def submit_lyrics(services: Services, caller: Caller, fields: dict[str, Any]) -> str:
    """Queue the ``lyrics`` job; its id."""
    submitted = Submitter(services).submit(caller, SubmitRequest(task=TASK, fields=fields))
    return str(submitted.body["job_id"])


async def wait_for_lyrics(services: Services, caller: Caller, job_id: str, base_url: str) -> dict[str, Any]:
    """The finished job; cancelled (credits back) if it takes longer than ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job = await asyncio.to_thread(get_job, services, caller, job_id, base_url)
        if JobStatus(job["status"]).is_final:
            return job
        if time.monotonic() > deadline:
            await asyncio.to_thread(cancel_job, services, caller, job_id, base_url)
            raise ServiceUnavailable(
                f"Lyrics job {job_id} did not finish within {WAIT_SECONDS:.0f} s; cancelled."
            )
        await asyncio.sleep(POLL_SECONDS)


def lyrics_body(services: Services, caller: Caller, job: dict[str, Any]) -> dict[str, Any]:
    """The result JSON of a finished job, with its ``job_id``."""
    if job["status"] != JobStatus.COMPLETE:
        raise job_error(job)
    artifact = own_artifact(services, caller, job["results"][0]["id"])
    body: dict[str, Any] = json.loads(services.store.local_path(artifact.storage_key).read_text("utf-8"))
    return {"job_id": job["job_id"], **body}


def job_error(job: dict[str, Any]) -> MixdownError:
    """The failure of a job as an error to answer with: 503 (e.g. the chat server failed)."""
    error = job.get("error") or {}
    code = error.get("code") or job["status"]
    message = error.get("message") or f"The lyrics job {job['job_id']} ended {job['status']}."
    if code == "validation_error":
        return ValidationFailed(message)
    return ServiceUnavailable(message, job_id=job["job_id"], cause=code)
