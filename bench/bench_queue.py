"""Queue benchmark: jobs/s and submit->start latency, embedded (SQLite + LocalQueue) vs cluster mode.

Three modes per worker count N, all started as subprocesses in the same run:

* ``local/sqlite`` -- the embedded default, `mixdown serve --workers N` (the baseline);
* ``local/postgres`` -- the same LocalQueue on a PostgreSQL job store (separates the database's
  share of any difference from Celery's);
* ``celery/postgres`` -- cluster mode: `mixdown serve --no-workers` plus one `mixdown worker
  --concurrency N` node, Celery on Redis (loopback, Redis DB 14).

All run the same trivial task (the test plugin ``sleepy`` with 0 s: claim, run, store a small
JSON result, finish), with credits and rate limits off.

* **jobs/s**: ``--jobs`` jobs submitted at once by 8 client threads; jobs / (last finished -
  first created), from the job rows.
* **submit->start**: ``--samples`` jobs one at a time with idle workers; ``started_at -
  created_at`` of each row, p50 and p99.

Targets (issue 7): none numeric; the reference (../shared/reference/queue.md) measured Celery on Redis at
3.7 ms enqueue->start p50 and ~520 trivial jobs/s for Celery alone. Worker processes beyond the
machine's 2 cores only add contention; the machine is shared, so numbers are pessimistic.

Usage: .venv/bin/python bench/bench_queue.py [--workers 1,2,4] [--jobs 200] [--samples 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cluster import (  # noqa: E402
    Node,
    postgres_database,
    redis_database,
    truncate_all,
    wait_live_workers,
)
from tests.harness import free_port  # noqa: E402

REDIS_DB_BENCH = 14
Results = dict[tuple[str, int], tuple[float, float, float]]
BASE_ENV = {
    "PYTHONPATH": str(ROOT),
    "MIXDOWN_EXTRA_TASKS": json.dumps(["tests.plugins.sleepy"]),
    "MIXDOWN_RATE_LIMITS_ENABLED": "false",
    "MIXDOWN_CREDITS_ENABLED": "false",
    "MIXDOWN_LOG_LEVEL": "warning",
}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wait_done(client: httpx.Client, job_id: str, timeout: float = 120.0) -> dict[str, str]:
    """Poll one job until it is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, str] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("complete", "failed", "cancelled"):
            if job["status"] != "complete":
                raise RuntimeError(f"{job_id}: {job['status']}")
            return job
        time.sleep(0.005)
    raise TimeoutError(job_id)


def throughput(client: httpx.Client, jobs: int) -> float:
    """Jobs per second for ``jobs`` submitted at once."""
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: client.post("/v1/sleepy", json={"seconds": 0}).json()["job_id"],
                            range(jobs)))  # fmt: skip
        rows = list(pool.map(lambda job_id: wait_done(client, job_id), ids))
    first = min(_time(r["created_at"]) for r in rows)
    last = max(_time(r["finished_at"]) for r in rows)
    return jobs / (last - first).total_seconds()


def latencies(client: httpx.Client, samples: int) -> list[float]:
    """Milliseconds from creation to start, one job at a time, workers idle."""
    delays = []
    for _ in range(samples):
        job = wait_done(client, client.post("/v1/sleepy", json={"seconds": 0}).json()["job_id"])
        delays.append((_time(job["started_at"]) - _time(job["created_at"])).total_seconds() * 1000)
    return delays


@contextmanager
def started(data_dir: Path, mode: str, workers: int, env: dict[str, str]) -> Iterator[tuple[str, Node]]:
    """``local``: `mixdown serve --workers N`; ``celery``: an API node and one worker node."""
    port = free_port()
    api_args = ["serve", "--port", str(port)]
    api_args += ["--workers", str(workers)] if mode == "local" else ["--no-workers"]
    nodes = [Node(api_args, data_dir, env, "api.log")]
    if mode == "celery":
        worker_args = ["worker", "--queues", "audio", "--concurrency", str(workers)]
        nodes.append(Node(worker_args, data_dir, env, "worker.log"))
    try:
        for node in nodes:
            node.start()
        url = f"http://127.0.0.1:{port}"
        wait_live_workers(url, workers, nodes)
        yield url, nodes[0]
    finally:
        for node in reversed(nodes):
            node.stop()


def measure(url: str, api: Node, jobs: int, samples: int) -> tuple[float, float, float]:
    """(jobs/s, p50 ms, p99 ms) against a started stack."""
    key = api.cli("keys", "create", "--name", "bench").strip().splitlines()[-1]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        latencies(client, 5)  # warm-up: first imports, pools, models
        delays = latencies(client, samples)
        rate = throughput(client, jobs)
    return rate, statistics.median(delays), float(np.percentile(delays, 99))


MODES = ("local/sqlite", "local/postgres", "celery/postgres")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", default="1,2,4", help="worker process counts")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    results: Results = {}
    with ExitStack() as stack:
        database = stack.enter_context(contextmanager(postgres_database)())
        broker = stack.enter_context(contextmanager(redis_database)(REDIS_DB_BENCH))
        for workers, name in [(w, m) for w in counts for m in MODES]:
            mode, store = name.split("/")
            env = {**BASE_ENV, "MIXDOWN_QUEUE": mode}
            if store == "postgres":
                truncate_all(database)
                env |= {"MIXDOWN_DATABASE_URL": database, "MIXDOWN_BROKER_URL": broker}
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="mixdown-bench-"))
            with started(Path(folder), mode, workers, env) as (url, api):
                results[name, workers] = measure(url, api, args.jobs, args.samples)
    report(results, counts, args)


def report(results: Results, counts: list[int], args: argparse.Namespace) -> None:
    """The table: each mode beside the embedded baseline (local/sqlite) of the same worker count."""
    print(f"\nmixdown queue benchmark ({os.cpu_count()} cores, {args.jobs} jobs, {args.samples} samples)\n")
    header = ("workers", "mode", "jobs/s", "ratio", "p50 ms", "p99 ms", "p50 ratio")
    rows = []
    for workers in counts:
        base_rate, base_p50, _ = results["local/sqlite", workers]
        for mode in MODES:
            rate, p50, p99 = results[mode, workers]
            rows.append((str(workers), mode, f"{rate:.1f}", f"{rate / base_rate:.2f}x", f"{p50:.1f}",
                         f"{p99:.1f}", f"{p50 / base_p50:.2f}x"))  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(json.dumps({f"{m}-{w}": dict(zip(("jobs_s", "p50_ms", "p99_ms"), v, strict=True))
                      for (m, w), v in results.items()}))  # fmt: skip


if __name__ == "__main__":
    main()
