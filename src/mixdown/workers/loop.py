"""A worker process: claim a job, run it, repeat; sleep on the wake-up socket when idle."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from types import FrameType

from mixdown.logs import setup_logging
from mixdown.queue.wakeup import WakeupListener
from mixdown.service.container import Services, build_services
from mixdown.settings import Settings
from mixdown.storage.workers import beat_worker, register_worker, stop_worker
from mixdown.workers.runner import run_job

log = logging.getLogger("mixdown.worker")


class WorkerLoop:
    """The claim-run loop of one worker process."""

    def __init__(self, services: Services, worker_id: str, queues: list[str] | None = None) -> None:
        self.s = services
        self.worker_id = worker_id
        self.queues = queues
        self.stopping = threading.Event()
        self.current_job: str | None = None

    def warm_up(self) -> threading.Thread:
        """Let each task load its models now, in the background, so first jobs do not wait."""

        def load() -> None:
            for spec in self.s.registry:
                if spec.warm_up is not None and (not self.queues or spec.queue in self.queues):
                    try:
                        spec.warm_up()
                    except Exception:
                        log.warning("warm-up of %s failed", spec.name, exc_info=True)

        thread = threading.Thread(target=load, daemon=True, name="worker-warm-up")
        thread.start()
        return thread

    def run(self) -> None:
        """Run until ``stopping`` is set."""
        register_worker(self.s.db, self.worker_id, self.queues or ["*"], self.s.clock.now())
        listener = WakeupListener(self.s.settings.run_dir, self.worker_id)
        beat = threading.Thread(target=self._beat, daemon=True, name="worker-beat")
        beat.start()
        try:
            while not self.stopping.is_set():
                if not self.run_one():
                    listener.wait(self.s.settings.worker_poll_seconds)
        finally:
            listener.close()
            stop_worker(self.s.db, self.worker_id, self.s.clock.now())

    def run_one(self) -> bool:
        """Claim and run one job; False when none was queued."""
        claimed = self.s.queue.claim(self.worker_id, queues=self.queues)
        if claimed is None:
            return False
        self.current_job = claimed.id
        beat_worker(self.s.db, self.worker_id, self.s.clock.now(), claimed.id)
        try:
            run_job(
                claimed,
                queue=self.s.queue,
                registry=self.s.registry,
                store=self.s.store,
                worker_id=self.worker_id,
                lease_seconds=self.s.settings.lease_seconds,
                stopping=self.stopping,
                work_root=self.s.tmp_dir,
                records=self.s.records,
                streams=self.s.streams,
            )
        finally:
            self.current_job = None
        return True

    def _beat(self) -> None:
        interval = min(5.0, self.s.settings.lease_seconds / 3)
        while not self.stopping.wait(interval):
            try:
                beat_worker(self.s.db, self.worker_id, self.s.clock.now(), self.current_job)
            except Exception:
                log.warning("worker heartbeat failed", exc_info=True)


def die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent dies, so no worker outlives its server.

    The SIGTERM handler then hands the current job back; the server's own shutdown stops
    workers too, but a server that is killed outright would otherwise leave them orphaned.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's shutdown is the only guard
        return


PR_SET_PDEATHSIG = 1


def worker_main(settings: Settings, worker_id: str, queues: list[str] | None = None) -> None:
    """Entry point of a worker process started by the supervisor."""
    die_with_parent()
    setup_logging(settings.log_level, json_format=settings.log_json, process=worker_id)
    # Engines configure themselves from MIXDOWN_* variables; make them match the settings given.
    os.environ.update(settings.to_env())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    services = build_services(settings)
    loop = WorkerLoop(services, worker_id, queues)

    def _stop(signum: int, frame: FrameType | None) -> None:
        loop.stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker %s started", worker_id)
    loop.warm_up()
    try:
        loop.run()
    finally:
        services.close()
