"""Platform benchmark: status-poll throughput and submit->start latency.

Prints a table comparing mixdown against a bare FastAPI hello-world served the same way
(one uvicorn process) and loaded by the same client (wrk) in the same run.

Targets (issue: platform core): status polls >= 0.5x the hello-world rate;
submit->start p50 < 20 ms with idle workers.

Usage: .venv/bin/python bench/bench_platform.py [--seconds 10] [--jobs 200]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import ServeProcess, free_port  # noqa: E402

HELLO_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def wrk_rate(url: str, seconds: int, headers: dict[str, str]) -> float:
    """Requests per second wrk reaches against ``url`` (2 threads, 32 connections)."""
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{non_2xx.group(1)} error answers while benchmarking {url}")
    return float(match.group(1))


def hello_world_rate(seconds: int) -> float:
    """Requests per second of a bare FastAPI app on one uvicorn process."""
    folder = Path(tempfile.mkdtemp())
    (folder / "hello_app.py").write_text(HELLO_APP)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=folder,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}/hello")
        wrk_rate(f"http://127.0.0.1:{port}/hello", 2, {})  # warm-up
        return wrk_rate(f"http://127.0.0.1:{port}/hello", seconds, {})
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(folder)


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def tiny_wav() -> str:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((4410, 1), dtype=np.float32), 44100, format="WAV")
    return base64.b64encode(buffer.getvalue()).decode()


def submit_to_start(client: httpx.Client, jobs: int) -> list[float]:
    """Milliseconds from a job's creation to a worker starting it, with idle workers."""
    audio = tiny_wav()
    delays = []
    for _ in range(jobs):
        job_id = client.post("/v1/convert", json={"input_audio": audio, "target_format": "wav"}).json()[
            "job_id"
        ]
        while True:
            job = client.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in ("complete", "failed"):
                break
            time.sleep(0.005)
        created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))
        started = datetime.fromisoformat(job["started_at"].replace("Z", "+00:00"))
        delays.append((started - created).total_seconds() * 1000)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measurement")
    parser.add_argument("--jobs", type=int, default=200, help="jobs for the latency measurement")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="mixdown-bench-"))
    env = {"MIXDOWN_RATE_LIMITS_ENABLED": "false", "MIXDOWN_CREDITS_ENABLED": "false"}
    server = ServeProcess(data_dir, workers=1, env={**os.environ, **env})
    server.start()
    try:
        key = server.cli("keys", "create", "--name", "bench").strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            delays = submit_to_start(client, args.jobs)
            job_id = client.get("/v1/jobs", params={"limit": 1}).json()["jobs"][0]["job_id"]
        status_url = f"{server.url}/v1/jobs/{job_id}"
        wrk_rate(status_url, 2, headers)  # warm-up
        status_rate = wrk_rate(status_url, args.seconds, headers)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    hello_rate = hello_world_rate(args.seconds)
    p50 = statistics.median(delays)
    p99 = float(np.percentile(delays, 99))
    rows = [
        ("status polls (req/s)", f"{status_rate:,.0f}", f"hello-world {hello_rate:,.0f}",
         f"{status_rate / hello_rate:.2f}x", ">= 0.50x"),
        ("submit->start p50 (ms)", f"{p50:.1f}", "-", "-", "< 20 ms"),
        ("submit->start p99 (ms)", f"{p99:.1f}", "-", "-", "-"),
    ]  # fmt: skip
    print(f"\nmixdown platform benchmark ({os.cpu_count()} cores, {args.jobs} jobs, wrk {args.seconds}s)\n")
    header = ("measure", "mixdown", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(json.dumps({"status_rps": status_rate, "hello_rps": hello_rate, "p50_ms": p50, "p99_ms": p99}))


if __name__ == "__main__":
    main()
