"""run_job with the in-memory queue and artifact store twins."""

from __future__ import annotations

import threading
from pathlib import Path

from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostRule
from mixdown.jobs.states import JobStatus
from mixdown.queue.memory import MemoryJob, MemoryQueue
from mixdown.storage.artifacts import MemoryArtifactStore
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec
from mixdown.tasks.registry import TaskRegistry
from mixdown.workers.runner import run_job


class Params(TaskParams):
    mode: str = "ok"


def _run(inputs: TaskInputs, params: Params, ctx: TaskContext) -> None:
    out = ctx.work_dir / "out.txt"
    out.write_text("hello")
    ctx.add_result(out, kind="text", format="txt")
    if params.mode == "bug":
        raise ZeroDivisionError("oops")
    if params.mode == "invalid":
        raise ValidationFailed("bad value", field="mode")
    if params.mode == "cancel":
        QUEUES[-1].cancel(ctx.job_id)
        ctx.heartbeat()  # type: ignore[attr-defined]
        ctx.progress(0.5)
    ctx.set_metadata(words=1)


SPEC = TaskSpec(
    name="echo", summary="", params_model=Params, run=_run, cost_rule=CostRule(per_second=0, minimum=0)
)
QUEUES: list[MemoryQueue] = []


def _go(mode: str, tmp_path: Path) -> tuple[MemoryJob, MemoryArtifactStore, str]:
    queue = MemoryQueue()
    QUEUES.append(queue)
    job = MemoryJob(id=f"job_{mode}", task="echo", params={"mode": mode})
    queue.add(job)
    store = MemoryArtifactStore()
    claimed = queue.claim("w1")
    assert claimed is not None
    outcome = run_job(
        claimed,
        queue=queue,
        registry=TaskRegistry([SPEC]),
        store=store,
        worker_id="w1",
        lease_seconds=30,
        stopping=threading.Event(),
        work_root=tmp_path,
    )
    return job, store, outcome


def test_success_stores_results_and_metadata(tmp_path: Path) -> None:
    job, store, outcome = _go("ok", tmp_path)
    assert outcome == "complete" and job.status is JobStatus.COMPLETE
    [result] = job.results
    assert store.blobs[result.storage_key] == b"hello" and result.size_bytes == 5
    assert job.metadata["words"] == 1 and job.metadata["engine"] == "dsp"
    assert list(tmp_path.iterdir()) == []  # the scratch folder is gone


def test_unexpected_error_is_retried_and_results_discarded(tmp_path: Path) -> None:
    job, store, outcome = _go("bug", tmp_path)
    assert outcome == "failed" and job.status is JobStatus.QUEUED and job.attempts == 1
    assert store.blobs == {}


def test_client_error_fails_at_once(tmp_path: Path) -> None:
    job, _, _ = _go("invalid", tmp_path)
    assert job.status is JobStatus.FAILED and job.error == ("validation_error", "bad value")


def test_cancel_stops_at_the_next_progress_check(tmp_path: Path) -> None:
    job, store, outcome = _go("cancel", tmp_path)
    assert outcome == "cancelled" and job.status is JobStatus.CANCELLED and store.blobs == {}
