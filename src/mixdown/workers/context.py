"""``JobContext``: what a running task sees (progress, cancellation, results)."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

from mixdown.errors import JobCancelled, TaskError
from mixdown.ids import new_id
from mixdown.queue.base import JobQueue, ResultFile
from mixdown.storage.artifacts import ArtifactStore
from mixdown.storage.records import MemoryRecordStore, RecordStore
from mixdown.storage.streams import FileStreams, StreamSink


class LeaseLost(TaskError):
    """This worker no longer holds the job (its lease expired and it was re-queued)."""

    code = "lease_lost"


class WorkerStopping(TaskError):
    """The worker is shutting down; the job goes back to the queue."""

    code = "worker_stopping"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class JobContext:
    """The ``TaskContext`` of one job attempt on one worker."""

    def __init__(
        self,
        *,
        job_id: str,
        worker_id: str,
        queue: JobQueue,
        store: ArtifactStore,
        work_dir: Path,
        stopping: threading.Event,
        key_id: str = "",
        records: RecordStore | None = None,
        streams: FileStreams | None = None,
        attempt: int = 1,
        flush_interval: float = 0.5,
    ) -> None:
        self._job_id = job_id
        self._worker_id = worker_id
        self._queue = queue
        self._store = store
        self._work_dir = work_dir
        self._stopping = stopping
        self._key_id = key_id
        self._records = records or MemoryRecordStore()
        self._streams = streams or FileStreams(work_dir / "streams")
        self._attempt = attempt
        self._flush_interval = flush_interval
        self._last_flush = 0.0
        self._lock = threading.Lock()
        self.cancelled = False
        self.lease_lost = False
        self.results: list[ResultFile] = []
        self.metadata: dict[str, Any] = {}

    @property
    def job_id(self) -> str:
        """The job being run."""
        return self._job_id

    @property
    def work_dir(self) -> Path:
        """Private scratch folder of this attempt."""
        return self._work_dir

    def heartbeat(self, progress: float | None = None, message: str | None = None) -> None:
        """Renew the lease; remember a cancel request or a lost lease."""
        with self._lock:
            lease = self._queue.heartbeat(self._job_id, self._worker_id, progress=progress, message=message)
            self._last_flush = time.monotonic()
        if not lease.held:
            self.lease_lost = True
        elif lease.cancel_requested:
            self.cancelled = True

    def check_cancelled(self) -> None:
        """Raise if the job was cancelled, the lease lost, or the worker is stopping."""
        if self.lease_lost:
            raise LeaseLost()
        if self.cancelled:
            raise JobCancelled()
        if self._stopping.is_set():
            raise WorkerStopping()

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Report progress (written at most every ``flush_interval``) and check for cancel."""
        if time.monotonic() - self._last_flush >= self._flush_interval:
            self.heartbeat(fraction, message)
        self.check_cancelled()

    def add_result(self, path: Path, *, kind: str, format: str, **meta: Any) -> str:
        """Copy ``path`` into the artifact store as a result of this job."""
        result_id = new_id("res")
        key = f"results/{self._job_id}/{result_id}.{format}"
        size = self._store.put_file(key, path)
        self.results.append(
            ResultFile(
                id=result_id,
                storage_key=key,
                kind=kind,
                format=format,
                size_bytes=size,
                sha256=file_sha256(path),
                meta=meta,
            )
        )
        return result_id

    def set_metadata(self, **values: Any) -> None:
        """Merge values into the job's metadata."""
        self.metadata.update(values)

    def remember(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Keep a record for later jobs of the same API key."""
        self._records.put(self._key_id, namespace, key, value)

    def recall(self, namespace: str, key: str) -> dict[str, Any] | None:
        """A record kept by an earlier job of the same API key."""
        return self._records.get(self._key_id, namespace, key)

    def open_stream(self) -> StreamSink:
        """This attempt's live stream."""
        return self._streams.sink(self._job_id, self._attempt)

    def discard_results(self) -> None:
        """Delete stored results of an attempt that did not complete."""
        for result in self.results:
            self._store.delete(result.storage_key)
        self.results.clear()
