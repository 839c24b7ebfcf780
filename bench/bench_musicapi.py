"""MusicAPI compatibility overhead: the vendor routes beside the native ones, in the same run.

    .venv/bin/python bench/bench_musicapi.py              # request latencies (a few seconds)
    .venv/bin/python bench/bench_musicapi.py --songs 30   # also a two-song generation of 30 s each

One live server (uvicorn on loopback, in-process), one sequential client. Rows: submitting a song
(``POST /api/v1/sonic/create`` vs ``POST /v1/generate`` with the same native fields), polling a
queued task (``GET /api/v1/sonic/task/{id}``, 202 not_ready, vs ``GET /v1/jobs/{id}``, which the
native fast path answers), and polling a finished two-song task (200 with the songs). With
``--songs``, the wall time of a whole ``create_music`` beside the native ``generate`` it becomes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import LiveServer, ThreadWorkers, new_key, wait_for_job  # noqa: E402

from mixdown.app import create_app  # noqa: E402
from mixdown.service.container import build_services  # noqa: E402
from mixdown.settings import Settings  # noqa: E402
from mixdown.tasks.generate import warm_up  # noqa: E402

PROMPT = "uplifting synthwave with female vocals"
VENDOR = {"custom_mode": False, "mv": "sonic-v5", "gpt_description_prompt": PROMPT}
NATIVE = {"prompt": PROMPT, "num_variations": 2, "output_format": "flac", "stems": True}


def p50_ms(call: Callable[[], httpx.Response], count: int, expect: int) -> float:
    """Median wall milliseconds of ``count`` calls (after 5 warm-up calls)."""
    times = []
    for index in range(count + 5):
        started = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - started
        assert response.status_code == expect, response.text
        if index >= 5:
            times.append(elapsed * 1000)
    return statistics.median(times)


def row(name: str, vendor: float, native: float, unit: str = "ms") -> None:
    print(f"| {name} | {vendor:.2f} {unit} | {native:.2f} {unit} | {vendor / native:.2f}x |")


def finished_task(client: httpx.Client, seconds: float) -> tuple[str, str, float, float]:
    """A create_music of ``seconds``, then the native generate of the same seeds; ids and wall times.

    A first, unmeasured generation takes the last one-off costs (lazy loads on the first render);
    the native job reuses the vendor job's seed, so both render the very same two pieces.
    """
    wait_for_job(client, client.post("/v1/generate", json={**NATIVE, "duration": seconds}).json()["job_id"])
    started = time.perf_counter()
    task_id = client.post("/api/v1/sonic/create", json={**VENDOR, "duration": seconds}).json()["task_id"]
    while client.get(f"/api/v1/sonic/task/{task_id}").status_code != 200:
        time.sleep(0.1)
    vendor_s = time.perf_counter() - started
    seed = client.get(f"/v1/jobs/{task_id}").json()["metadata"]["seed"]
    started = time.perf_counter()
    job_id = client.post("/v1/generate", json={**NATIVE, "duration": seconds, "seed": seed}).json()["job_id"]
    wait_for_job(client, job_id, timeout=1200)
    return task_id, job_id, vendor_s, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--songs", type=float, default=3.0, help="seconds per song of the generation rows")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), rate_limits_enabled=False, credits_enabled=False)
    services = build_services(settings)
    services.db.migrate()
    with LiveServer(create_app(settings, services=services)) as server:
        headers = {"Authorization": f"Bearer {new_key(services, 0)}"}
        client = httpx.Client(base_url=server.url, headers=headers, timeout=60)
        warm_up()  # the composer's one-off loading is not part of either row
        with ThreadWorkers(services, 1):
            done_id, done_job, vendor_s, native_s = finished_task(client, args.songs)
        queued = client.post("/api/v1/sonic/create", json=VENDOR).json()["task_id"]
        print(f"{args.calls} sequential calls each, median; one uvicorn thread; 2-core machine\n")
        print("| operation | MusicAPI route | native route | ratio |\n|---|---|---|---|")
        submit_v = p50_ms(lambda: client.post("/api/v1/sonic/create", json=VENDOR), args.calls, 200)
        submit_n = p50_ms(lambda: client.post("/v1/generate", json=NATIVE), args.calls, 202)
        row("submit a two-song generation", submit_v, submit_n)
        wait_v = p50_ms(lambda: client.get(f"/api/v1/sonic/task/{queued}"), args.calls, 202)
        wait_n = p50_ms(lambda: client.get(f"/v1/jobs/{queued}"), args.calls, 200)
        row("poll a queued task", wait_v, wait_n)
        done_v = p50_ms(lambda: client.get(f"/api/v1/sonic/task/{done_id}"), args.calls, 200)
        done_n = p50_ms(lambda: client.get(f"/v1/jobs/{done_job}"), args.calls, 200)
        row("poll a finished task (2 songs, stems, MIDI)", done_v, done_n)
        row(f"create_music, 2 x {args.songs:g} s, end to end", vendor_s, native_s, "s")
        services.close()


if __name__ == "__main__":
    main()
