"""Starts N worker processes, restarts any that die, and hands their jobs back at once."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from multiprocessing.process import BaseProcess

from mixdown.ids import new_id
from mixdown.settings import Settings
from mixdown.storage.jobstore import JobStore
from mixdown.storage.workers import stop_worker
from mixdown.workers.loop import worker_main

log = logging.getLogger("mixdown.supervisor")


class Supervisor:
    """Keeps ``count`` worker processes alive."""

    def __init__(
        self, settings: Settings, count: int, jobs: JobStore, queues: list[str] | None = None
    ) -> None:
        self.settings = settings
        self.count = count
        self.jobs = jobs
        self.queues = queues
        self.ctx = multiprocessing.get_context("spawn")
        self.processes: dict[str, BaseProcess] = {}
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._restarts: list[float] = []

    def start(self) -> None:
        """Start the workers and the watching thread."""
        for _ in range(self.count):
            self._spawn()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="mixdown-supervisor")
        self._thread.start()

    def _spawn(self) -> None:
        worker_id = new_id("wrk", 6)
        process = self.ctx.Process(
            target=worker_main, args=(self.settings, worker_id, self.queues), name=worker_id, daemon=False
        )
        process.start()
        self.processes[worker_id] = process
        log.info("started worker %s (pid %s)", worker_id, process.pid)

    def _watch(self) -> None:
        while not self.stopping.wait(0.2):
            for worker_id, process in list(self.processes.items()):
                if not process.is_alive() and not self.stopping.is_set():
                    self._replace(worker_id, process)

    def _replace(self, worker_id: str, process: BaseProcess) -> None:
        log.warning("worker %s (pid %s) exited with %s; restarting", worker_id, process.pid, process.exitcode)
        del self.processes[worker_id]
        try:
            stop_worker(self.jobs.db, worker_id, self.jobs.clock.now())
            self.jobs.release_worker(worker_id)
        except Exception:
            log.exception("could not release the jobs of worker %s; the sweeper will", worker_id)
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < 60] + [now]
        if len(self._restarts) > 10 * max(self.count, 1):
            time.sleep(5)  # crash loop: slow down instead of spinning
        self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every worker (each hands back its job), then kill stragglers."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join()
        for process in self.processes.values():
            process.terminate()
        deadline = time.monotonic() + timeout
        for worker_id, process in self.processes.items():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
                self.jobs.release_worker(worker_id)
        self.processes.clear()

    def pids(self) -> list[int]:
        """PIDs of the live workers."""
        return [p.pid for p in self.processes.values() if p.pid is not None and p.is_alive()]
