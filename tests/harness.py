"""Running mixdown for tests: a uvicorn thread on loopback, in-thread workers, or `mixdown serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from mixdown.service.container import Services
from mixdown.service.keys import create_key
from mixdown.workers.loop import WorkerLoop


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn serving ``app`` on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class ThreadWorkers:
    """``count`` worker loops in threads of this process, on the same services."""

    def __init__(self, services: Services, count: int = 1) -> None:
        self.loops = [WorkerLoop(services, f"wrk_thread{i}") for i in range(count)]
        self.threads = [threading.Thread(target=loop.run, daemon=True) for loop in self.loops]

    def __enter__(self) -> ThreadWorkers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for loop in self.loops:
            loop.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def new_key(services: Services, credits_amount: float = 100.0, name: str = "test") -> str:
    """A fresh API key's plain text."""
    return create_key(services.db, name=name, credits_amount=credits_amount, now=services.clock.now())[1]


def wait_for_job(
    client: httpx.Client,
    job_id: str,
    *,
    timeout: float = 60.0,
    until: tuple[str, ...] = ("complete", "failed", "cancelled"),
) -> dict[str, Any]:
    """Poll a job until it reaches one of ``until``, backing off as a polite client does."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        response = client.get(f"/v1/jobs/{job_id}")
        if response.status_code == 429:
            time.sleep(float(response.headers.get("Retry-After", "1")))
            continue
        body: dict[str, Any] = response.raise_for_status().json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {body['status']} after {timeout}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.4)


class ServeProcess:
    """`mixdown serve` as a subprocess (the e2e layer)."""

    def __init__(self, data_dir: Path, *, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.workers = workers
        self.env = {**os.environ, "MIXDOWN_LOG_LEVEL": "warning", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "serve.log"

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        """Run a `mixdown` command against the same data folder; returns stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "mixdown", *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def start(self) -> ServeProcess:
        """Start and wait until /health answers with live workers."""
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mixdown",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 120.0, min_workers: int | None = None) -> dict[str, Any]:
        """Wait for /health to show the expected number of live workers."""
        wanted = self.workers if min_workers is None else min_workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"mixdown serve exited: {self.log_path.read_text()[-3000:]}")
            try:
                body: dict[str, Any] = httpx.get(f"{self.url}/health", timeout=2).json()
                if body.get("live_workers", 0) >= wanted:
                    return body
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not healthy: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.process = None
