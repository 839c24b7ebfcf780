"""``mixdown worker`` in Celery mode: one node, ``concurrency`` prefork worker processes.

The node imports every task module once before forking (children start faster and share
the pages); each child then builds its own services, database pool included, because
connections must not cross a fork.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from mixdown.ids import new_id
from mixdown.logs import setup_logging
from mixdown.queue.celery import make_celery_app
from mixdown.service.container import build_services
from mixdown.settings import Settings
from mixdown.storage.db import Database
from mixdown.tasks.registry import BUILTIN_TASKS, load_builtin_registry
from mixdown.workers.celery_worker import attach, detach, register_task, warm_up
from mixdown.workers.loop import die_with_parent

_node_queues: list[str] = []


def node_queues(settings: Settings, queues: list[str] | None) -> list[str]:
    """The queues to consume: those given, or every queue a registered task declares."""
    registry = load_builtin_registry((*BUILTIN_TASKS, *settings.extra_tasks))
    return queues or sorted({spec.queue for spec in registry})


def worker_argv(settings: Settings, queues: list[str], concurrency: int) -> list[str]:
    """The ``celery worker`` command line of a node."""
    return [
        "worker",
        f"--queues={','.join(queues)}",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--hostname=mixdown-{os.getpid()}@{socket.gethostname()}",
        f"--loglevel={settings.log_level.upper()}",
        # Gossip, mingle and event heartbeats are for Celery's own monitors; the job and worker
        # tables already say who is alive, and mingle alone adds a second to every start.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _process_init(**_: Any) -> None:
    """In each forked worker process: services, a worker row, models loading in the background."""
    die_with_parent()  # a node that is killed outright must not leave orphans running jobs
    settings = Settings()  # the node exported its settings as MIXDOWN_* before forking
    worker_id = new_id("wrk", 6)
    setup_logging(settings.log_level, json_format=settings.log_json, process=worker_id)
    warm_up(attach(build_services(settings), worker_id, _node_queues))


def _process_shutdown(**_: Any) -> None:
    detach()


def run_node(settings: Settings, queues: list[str] | None, concurrency: int) -> None:
    """Run a Celery worker node in this process until SIGTERM (warm shutdown: jobs finish)."""
    from celery.signals import worker_process_init, worker_process_shutdown

    global _node_queues
    os.environ.update(settings.to_env())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    setup_logging(settings.log_level, json_format=settings.log_json, process="node")
    db = Database.from_url(settings.resolved_database_url)
    db.migrate()
    db.dispose()  # no pooled connection may be inherited by the forked children
    _node_queues = node_queues(settings, queues)
    app = make_celery_app(settings)
    register_task(app)
    worker_process_init.connect(_process_init, weak=False)
    worker_process_shutdown.connect(_process_shutdown, weak=False)
    app.worker_main(worker_argv(settings, _node_queues, concurrency))
