"""Which queued jobs the sweeper re-publishes, and how it reads kombu's Redis messages."""

from __future__ import annotations

import json

from mixdown.queue.celery import celery_config, redis_priority
from mixdown.queue.orphans import OrphanSweep, job_id_of
from mixdown.settings import Settings


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_job_is_republished_only_after_missing_for_the_grace_period() -> None:
    clock = Ticks()
    sweep = OrphanSweep(10.0, clock)
    assert sweep.due(["job_a", "job_b"], waiting={"job_b"}) == []
    clock.now = 9.9
    assert sweep.due(["job_a", "job_b"], waiting={"job_b"}) == []
    clock.now = 10.0
    assert sweep.due(["job_a", "job_b"], waiting=set()) == ["job_a"]  # job_b: its clock starts now
    clock.now = 15.0
    assert sweep.due(["job_a", "job_b"], waiting=set()) == []  # job_a's new message has its grace too
    clock.now = 20.0
    assert sweep.due(["job_a", "job_b"], waiting=set()) == ["job_a", "job_b"]


def test_a_job_seen_again_or_no_longer_queued_is_forgotten() -> None:
    clock = Ticks()
    sweep = OrphanSweep(1.0, clock)
    sweep.due(["job_a", "job_b"], waiting=set())
    clock.now = 0.5
    sweep.due(["job_a"], waiting={"job_a"})
    assert sweep.missing_since == {}
    clock.now = 1.2
    assert sweep.due(["job_a"], waiting=set()) == []  # missing again: a fresh grace period


def test_job_id_from_a_stored_message() -> None:
    message = {"body": "W10=", "headers": {"id": "job_3kq0V.a1b2c3d4", "task": "mixdown.run_job"}}
    assert job_id_of(json.dumps(message).encode()) == "job_3kq0V"
    assert job_id_of(b"not json") is None
    assert job_id_of(json.dumps({"headers": {}})) is None


def test_priorities_map_onto_kombus_redis_steps_highest_first() -> None:
    steps = [redis_priority(p) for p in (10, 5, 4, 1, 0, -1, -10)]
    assert steps == [0, 0, 3, 3, 6, 9, 9]
    assert steps == sorted(steps)


def test_long_job_settings() -> None:
    config = celery_config(Settings(broker_visibility_timeout_seconds=5000, worker_max_tasks_per_child=7))
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1 and config["worker_max_tasks_per_child"] == 7
    assert config["broker_transport_options"]["visibility_timeout"] == 5000
