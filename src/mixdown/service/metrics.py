"""Prometheus metrics read from the job store, so they are right however many workers exist."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from mixdown.jobs.states import JobStatus
from mixdown.storage.db import Database
from mixdown.storage.models import Job, WebhookAttempt, WebhookDelivery

DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1200.0)


class StoreCollector(Collector):
    """Jobs by task and state, queue depth, job durations and webhook deliveries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        with self.db.read() as session:
            yield self._jobs(session)
            yield self._depth(session)
            yield self._durations(session)
            yield from self._webhooks(session)

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
