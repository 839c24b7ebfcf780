"""Cluster fixtures for the queue tests: PostgreSQL job store, Celery on a dedicated Redis DB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from mixdown.service.container import Services, build_services
from mixdown.settings import Settings
from tests.cluster import (
    REDIS_DB_QUEUE,
    postgres_database,
    rabbitmq_broker,
    redis_database,
    truncate_all,
)
from tests.plugins import PLUGIN_TASKS


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole session."""
    yield from postgres_database()


@pytest.fixture
def postgres_url(postgres_session_url: str) -> str:
    """That database, emptied for this test."""
    truncate_all(postgres_session_url)
    return postgres_session_url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """This family's Redis DB, empty."""
    yield from redis_database(REDIS_DB_QUEUE)


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """RabbitMQ's default vhost, with the mixdown queues purged."""
    yield from rabbitmq_broker(["audio", "music"])


CeleryServicesFactory = Callable[..., Services]


@pytest.fixture
def celery_services(data_dir: Path, postgres_url: str, redis_url: str) -> Iterator[CeleryServicesFactory]:
    """Build services in cluster mode: ``celery_services(**settings)``; closed at the end."""
    with ExitStack() as exits:

        def build(**overrides: Any) -> Services:
            base: dict[str, Any] = {
                "broker_url": redis_url,
                "extra_tasks": list(PLUGIN_TASKS),
                "lease_seconds": 3.0,
            }
            settings = Settings(
                data_dir=data_dir, database_url=postgres_url, queue="celery", **{**base, **overrides}
            )
            services = build_services(settings)
            exits.callback(services.close)
            return services

        yield build


def in_process_worker(services: Services, queues: list[str], worker_id: str) -> AbstractContextManager[Any]:
    """A Celery worker consuming ``queues`` in a thread of this process, on ``services``."""
    return _in_process_worker(services, queues, worker_id)


@contextmanager
def _in_process_worker(services: Services, queues: list[str], worker_id: str) -> Iterator[Any]:
    from celery.contrib.testing.worker import start_worker

    from mixdown.queue.celery import CeleryQueue
    from mixdown.workers.celery_worker import attach, detach, register_task

    assert isinstance(services.queue, CeleryQueue)
    app = services.queue.app
    register_task(app)
    attach(services, worker_id, queues)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=queues, shutdown_timeout=30, loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        detach(close=False)  # the fixture closes the services
