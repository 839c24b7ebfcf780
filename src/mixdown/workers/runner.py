"""``run_job``: one attempt of one claimed job, the same for every queue engine."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mixdown.errors import JobCancelled, MixdownError, RetryableTaskError, TaskError
from mixdown.queue.base import ClaimedJob, JobQueue
from mixdown.storage.artifacts import ArtifactStore
from mixdown.storage.records import RecordStore
from mixdown.storage.streams import FileStreams
from mixdown.tasks.base import InputAudio, TaskInputs
from mixdown.tasks.registry import TaskRegistry
from mixdown.workers.context import JobContext, LeaseLost, WorkerStopping

log = logging.getLogger("mixdown.worker")


def materialize_inputs(raw: dict[str, Any], store: ArtifactStore) -> TaskInputs:
    """Turn the stored input descriptors of a job into local files."""
    audio = {
        name: InputAudio(
            path=store.local_path(item["storage_key"]),
            filename=item.get("filename", name),
            format=item["format"],
            duration=float(item["duration"]),
            sample_rate=int(item["sample_rate"]),
            channels=int(item["channels"]),
            size_bytes=int(item["size_bytes"]),
        )
        for name, item in raw.get("audio", {}).items()
    }
    return TaskInputs(audio=audio)


class _Heartbeat(threading.Thread):
    """Renews the lease while the task runs, even if it reports no progress."""

    def __init__(self, ctx: JobContext, interval: float) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{ctx.job_id}")
        self.ctx = ctx
        self.interval = interval
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            try:
                self.ctx.heartbeat()
            except Exception:  # a passing database error must not kill the job
                log.warning("heartbeat failed", extra={"job_id": self.ctx.job_id}, exc_info=True)


def _classify(exc: BaseException) -> tuple[str, str, bool]:
    """(code, message, retryable) for an exception raised by a task."""
    if isinstance(exc, RetryableTaskError):
        return exc.code, exc.message, True
    if isinstance(exc, MixdownError) and (exc.status_code < 500 or isinstance(exc, TaskError)):
        return exc.code, exc.message, False
    if isinstance(exc, ValidationError):
        return "validation_error", str(exc), False
    return "internal_error", f"{type(exc).__name__}: {exc}", True


def run_job(
    claimed: ClaimedJob,
    *,
    queue: JobQueue,
    registry: TaskRegistry,
    store: ArtifactStore,
    worker_id: str,
    lease_seconds: float,
    stopping: threading.Event | None = None,
    work_root: Path | None = None,
    records: RecordStore | None = None,
    streams: FileStreams | None = None,
) -> str:
    """Run one attempt and report its outcome to the queue; returns what happened."""
    work_dir = Path(tempfile.mkdtemp(prefix=f"{claimed.id}-", dir=work_root))
    ctx = JobContext(
        job_id=claimed.id,
        worker_id=worker_id,
        queue=queue,
        store=store,
        work_dir=work_dir,
        stopping=stopping or threading.Event(),
        key_id=claimed.key_id,
        records=records,
        streams=streams,
        attempt=claimed.attempt,
    )
    beat = _Heartbeat(ctx, max(lease_seconds / 3, 0.2))
    beat.start()
    try:
        return _attempt(claimed, ctx, queue=queue, registry=registry, store=store, worker_id=worker_id)
    finally:
        beat.done.set()
        beat.join()
        shutil.rmtree(work_dir, ignore_errors=True)


def _attempt(
    claimed: ClaimedJob,
    ctx: JobContext,
    *,
    queue: JobQueue,
    registry: TaskRegistry,
    store: ArtifactStore,
    worker_id: str,
) -> str:
    started = time.monotonic()
    extra = {"job_id": claimed.id, "task": claimed.task}
    try:
        spec = registry.get(claimed.task)
        params = spec.parse_params(claimed.params)
        ctx.set_metadata(engine=spec.engine)
        ctx.check_cancelled()
        spec.run(materialize_inputs(claimed.inputs, store), params, ctx)
        ctx.check_cancelled()
    except WorkerStopping:
        ctx.discard_results()
        queue.release(claimed.id, worker_id)
        return "released"
    except LeaseLost:
        ctx.discard_results()
        log.warning("lease lost; another worker owns the job now", extra=extra)
        return "lease_lost"
    except JobCancelled:
        ctx.discard_results()
        queue.fail(
            claimed.id, worker_id, code="cancelled", message="Cancelled by the client.", retryable=False
        )
        return "cancelled"
    except Exception as exc:
        ctx.discard_results()
        code, message, retryable = _classify(exc)
        log.error("task failed: %s", message, extra=extra, exc_info=code == "internal_error")
        queue.fail(claimed.id, worker_id, code=code, message=message, retryable=retryable)
        return "failed"
    ctx.set_metadata(inference_time=round(time.monotonic() - started, 4), attempt=claimed.attempt)
    if not queue.complete(claimed.id, worker_id, results=ctx.results, metadata=ctx.metadata):
        ctx.discard_results()
        return "lease_lost"
    log.info("job complete", extra=extra)
    return "complete"
