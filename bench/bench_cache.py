"""The result cache: time from submit to a finished job, fresh generation vs cache hit.

    .venv/bin/python bench/bench_cache.py

Runs a real API (uvicorn on loopback) with one in-process worker on a temporary data folder,
warms the worker up, submits a 30 s generation with a seed, then the same request again (cache
hits) and with ``"cache": false`` (computed again), and prints the times side by side.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import LiveServer, ThreadWorkers, new_key

from mixdown.app import create_app
from mixdown.service.container import build_services
from mixdown.settings import Settings

REQUEST = {"prompt": "lofi hip hop, mellow keys, 84 BPM", "duration": 30, "seed": 11, "stems": False}


def finished_seconds(client: httpx.Client, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Wall seconds from submit until the job is complete (polling every 5 ms)."""
    started = time.perf_counter()
    job_id = client.post("/v1/generate", json=body).json()["job_id"]
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("complete", "failed"):
            return time.perf_counter() - started, job
        time.sleep(0.005)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    settings = Settings(data_dir=folder, rate_limits_enabled=False, credits_enabled=False)
    services = build_services(settings)
    services.db.migrate()
    with LiveServer(create_app(settings, services=services)) as server, ThreadWorkers(services, 1):
        headers = {"Authorization": f"Bearer {new_key(services)}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            finished_seconds(client, {**REQUEST, "seed": 1, "duration": 5})  # warm the worker up
            fresh, first = finished_seconds(client, REQUEST)
            hits = [finished_seconds(client, REQUEST) for _ in range(5)]
            again, _ = finished_seconds(client, {**REQUEST, "cache": False})
    assert all(job["metadata"].get("cache") == "hit" for _, job in hits), "expected cache hits"
    assert first["metadata"].get("cache") is None
    hit = statistics.median(seconds for seconds, _ in hits)
    rows = [
        ("generate 30 s (fresh, warm worker)", f"{fresh * 1000:.0f} ms", "-"),
        ("same request, cache: false", f"{again * 1000:.0f} ms", f"{again / fresh:.2f}x"),
        ("same request, cache hit (median of 5)", f"{hit * 1000:.1f} ms", f"{hit / fresh:.4f}x"),
    ]
    print(f"{'measure':40s} {'submit -> complete':>20s} {'vs fresh':>10s}")
    for name, value, ratio in rows:
        print(f"{name:40s} {value:>20s} {ratio:>10s}")


if __name__ == "__main__":
    main()
