"""Cluster mode in tests: a throwaway PostgreSQL database and a dedicated Redis DB on loopback.

Both skip when the service is not reachable, and fail instead under CI=true. Each Redis DB
number belongs to one test module family and is emptied with FLUSHDB (never FLUSHALL).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mixdown.storage.db import Database
from mixdown.storage.models import Base
from tests.conftest import IN_CI

POSTGRES_ADMIN = os.environ.get(
    "MIXDOWN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("MIXDOWN_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB_QUEUE = 12  # tests/integration/queue
REDIS_DB_E2E = 13  # tests/e2e


def unavailable(reason: str) -> NoReturn:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _admin_execute(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def postgres_database() -> Iterator[str]:
    """A new migrated database for this session; dropped at the end."""
    name = f"mixdown_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        _admin_execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {exc}")
    url = make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    db = Database.from_url(url)
    db.migrate()
    db.dispose()
    try:
        yield url
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(url: str) -> None:
    """Empty every mixdown table (between tests sharing one database)."""
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
    finally:
        engine.dispose()


def redis_database(number: int) -> Iterator[str]:
    """``redis://.../<number>``, emptied before and after."""
    url = f"{REDIS_URL}/{number}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def rabbitmq_broker(queues: list[str]) -> Iterator[str]:
    """``amqp://`` on loopback, ``queues`` purged before and after."""
    from kombu import Connection

    url = os.environ.get("MIXDOWN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")

    def purge() -> None:
        with Connection(url, connect_timeout=2) as conn:
            channel = conn.channel()
            for queue in queues:
                with contextlib.suppress(Exception):  # absent on a fresh broker
                    channel.queue_purge(queue)

    try:
        purge()
    except Exception as exc:
        unavailable(f"RabbitMQ not reachable at {url}: {exc}")
    try:
        yield url
    finally:
        purge()


class Node:
    """A `mixdown` command run as a subprocess in its own process group, logging to a file."""

    def __init__(self, args: list[str], data_dir: Path, env: dict[str, str], log_name: str) -> None:
        self.args = args
        self.data_dir = data_dir
        self.env = {**os.environ, "MIXDOWN_LOG_LEVEL": "warning", **env}
        self.log_path = data_dir / log_name
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Node:
        """Start it (returns at once)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mixdown", *self.args, "--data-dir", str(self.data_dir)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: kill() takes its worker processes too
            )
        return self

    def check_alive(self) -> None:
        """Raise with the log's tail if it exited."""
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"{self.args[0]} exited: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole group at once: a machine lost mid-job, nothing gets to clean up."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (Celery's warm shutdown), then SIGKILL the group if it hangs."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the group
        self.process.wait()
        self.process = None

    def cli(self, *args: str) -> str:
        """Another `mixdown` command with the same settings; returns stdout."""
        return subprocess.run(
            [sys.executable, "-m", "mixdown", *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout


def wait_live_workers(url: str, count: int, nodes: list[Node], timeout: float = 90.0) -> dict[str, Any]:
    """Poll ``/health`` until it lists ``count`` live worker processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in nodes:
            node.check_alive()
        try:
            body: dict[str, Any] = httpx.get(f"{url}/health", timeout=2).json()
            if body.get("live_workers", 0) >= count:
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"fewer than {count} live workers after {timeout}s")
