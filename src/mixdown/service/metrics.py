"""Prometheus metrics read from the job store, so they are right however many workers exist.

Usage per key (the numbers of ``GET /v1/usage``) carries a ``key`` label (the key id) for the
``key_labels_max`` keys with the most jobs; the rest add up under ``key="other"`` so a server
with many keys does not flood Prometheus with series. A key can move in or out of "other" as
its job count overtakes another's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mixdown.jobs.states import JobStatus
from mixdown.storage.db import Database
from mixdown.storage.models import Artifact, CreditEntry, Job, WebhookAttempt, WebhookDelivery

DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1200.0)
OTHER_KEYS = "other"


class StoreCollector(Collector):
    """Jobs by task and state, queue depth, job durations, webhook deliveries, usage per key."""

    def __init__(self, db: Database, *, key_labels_max: int = 100) -> None:
        self.db = db
        self.key_labels_max = key_labels_max

    def collect(self) -> Iterator[Metric]:
        with self.db.read() as session:
            yield self._jobs(session)
            yield self._depth(session)
            yield self._durations(session)
            yield from self._webhooks(session)
            yield from key_usage(session, self.key_labels_max)

    def _jobs(self, session: object) -> Metric:
        metric = GaugeMetricFamily("mixdown_jobs", "Jobs by task and state", labels=["task", "status"])
        rows = session.execute(select(Job.task, Job.status, func.count()).group_by(Job.task, Job.status))  # type: ignore[attr-defined]
        for task, status, count in rows:
            metric.add_metric([task, status], count)
        return metric

    def _depth(self, session: object) -> Metric:
        metric = GaugeMetricFamily("mixdown_queue_depth", "Queued jobs per queue", labels=["queue"])
        rows = session.execute(  # type: ignore[attr-defined]
            select(Job.queue, func.count()).where(Job.status == JobStatus.QUEUED.value).group_by(Job.queue)
        )
        for queue, count in rows:
            metric.add_metric([queue], count)
        return metric

    def _durations(self, session: object) -> Metric:
        metric = HistogramMetricFamily(
            "mixdown_job_duration_seconds", "Run time of finished jobs", labels=["task"]
        )
        columns = [func.sum(case((Job.run_seconds <= b, 1), else_=0)) for b in DURATION_BUCKETS]
        rows = session.execute(  # type: ignore[attr-defined]
            select(Job.task, func.count(), func.sum(Job.run_seconds), *columns)
            .where(Job.run_seconds.is_not(None))
            .group_by(Job.task)
        )
        for task, count, total, *cumulative in rows:
            buckets = [(str(b), int(c or 0)) for b, c in zip(DURATION_BUCKETS, cumulative, strict=True)]
            metric.add_metric([task], [*buckets, ("+Inf", int(count))], float(total or 0.0))
        return metric

    def _webhooks(self, session: object) -> Iterator[Metric]:
        deliveries = GaugeMetricFamily(
            "mixdown_webhook_deliveries", "Webhook deliveries by state", labels=["status"]
        )
        for status, count in session.execute(  # type: ignore[attr-defined]
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
        ):
            deliveries.add_metric([status], count)
        yield deliveries
        attempts = CounterMetricFamily(
            "mixdown_webhook_attempts", "Webhook HTTP attempts", labels=["outcome"]
        )
        ok = case((WebhookAttempt.status_code.between(200, 299), "success"), else_="failure")
        for outcome, count in session.execute(select(ok, func.count()).group_by(ok)):  # type: ignore[attr-defined]
            attempts.add_metric([outcome], count)
        yield attempts


Labeller = Callable[[str], str]


def key_usage(session: Session, limit: int) -> Iterator[Metric]:
    """Requests, jobs by state, audio seconds, credits spent and refunded, cache hits, per key."""
    requests = {
        str(k): int(n) for k, n in session.execute(select(Job.key_id, func.count()).group_by(Job.key_id))
    }
    shown = set(sorted(requests, key=lambda k: (-requests[k], k))[:limit])

    def label(key_id: str) -> str:
        return key_id if key_id in shown else OTHER_KEYS

    counts = (((label(k),), float(n)) for k, n in requests.items())
    yield _family(CounterMetricFamily, "mixdown_key_requests", "Jobs submitted", ["key"], counts)
    rows = session.execute(select(Job.key_id, Job.status, func.count()).group_by(Job.key_id, Job.status))
    states = (((label(k), status), float(n)) for k, status, n in rows)
    yield _family(GaugeMetricFamily, "mixdown_key_jobs", "Jobs by state", ["key", "status"], states)
    yield _audio_seconds(session, label)
    yield from _credits(session, label)
    yield _cache_hits(session, label)


def _audio_seconds(session: Session, label: Labeller) -> Metric:
    seconds = func.sum(Artifact.meta["duration"].as_float())
    rows = session.execute(
        select(Artifact.key_id, seconds)
        .where(Artifact.role == "result", Artifact.kind == "audio")
        .group_by(Artifact.key_id)
    )
    return _family(
        CounterMetricFamily,
        "mixdown_key_audio_seconds",
        "Seconds of audio in results",
        ["key"],
        (((label(k),), float(s or 0.0)) for k, s in rows),
    )


def _credits(session: Session, label: Labeller) -> Iterator[Metric]:
    rows = list(
        session.execute(
            select(CreditEntry.key_id, CreditEntry.kind, func.sum(CreditEntry.amount_milli))
            .where(CreditEntry.kind.in_(("charge", "refund")))
            .group_by(CreditEntry.key_id, CreditEntry.kind)
        )
    )
    for kind, name, sign in (("charge", "spent", -1), ("refund", "refunded", 1)):
        yield _family(
            CounterMetricFamily,
            f"mixdown_key_credits_{name}",
            f"Credits {name}",
            ["key"],
            (((label(k),), sign * int(m or 0) / 1000) for k, entry, m in rows if entry == kind),
        )


def _cache_hits(session: Session, label: Labeller) -> Metric:
    kind = Job.job_metadata["cache"].as_string()
    rows = session.execute(
        select(Job.key_id, kind, func.count()).where(kind.in_(("hit", "similar"))).group_by(Job.key_id, kind)
    )
    return _family(
        CounterMetricFamily,
        "mixdown_key_cache_hits",
        "Jobs answered from the result cache",
        ["key", "cache"],
        (((label(k), str(c)), n) for k, c, n in rows),
    )


def _family(
    kind: Callable[..., Any],
    name: str,
    documentation: str,
    labels: list[str],
    values: Iterable[tuple[tuple[str, ...], float]],
) -> Metric:
    """A metric family with ``values`` summed per label set (several keys fold into "other")."""
    totals: dict[tuple[str, ...], float] = defaultdict(float)
    for labelled, value in values:
        totals[labelled] += value
    metric: Metric = kind(name, documentation, labels=labels)
    for labelled, value in sorted(totals.items()):
        metric.add_metric(list(labelled), value)  # type: ignore[attr-defined]
    return metric
