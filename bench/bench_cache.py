"""The result cache: time from submit to a finished job, fresh generation vs cache hit.

    .venv/bin/python bench/bench_cache.py

Runs a real API (uvicorn on loopback) with one in-process worker on a temporary data folder,
warms the worker up, submits a 30 s generation with a seed, then the same request again (cache
hits) and with ``"cache": false`` (computed again); then a seedless generation with ``"cache":
"similar"`` (computed, its prompt embedded) and five paraphrases of its prompt never seen before
(similar-prompt hits, each embedding its prompt on the way), and prints the times side by side.
Target (issue 9): a hit answers far faster than a fresh generation.

Then it sweeps ``CACHE_SIMILAR_THRESHOLD`` over 32 hand-labelled prompt pairs: how many
paraphrases the similar cache would answer, and how many pairs that mean something else.
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
from mixdown.engines.text_embedding import cosine
from mixdown.service.container import build_services
from mixdown.service.similar_cache import embed_prompt, numbers
from mixdown.settings import Settings

REQUEST = {"prompt": "lofi hip hop, mellow keys, 84 BPM", "duration": 30, "seed": 11, "stems": False}
# Cosine 0.93-0.99 to REQUEST's prompt (all-MiniLM-L6-v2), the same numbers.
# Hand-labelled pairs: the same request in other words, and a close one that asks for something else.
SAME_MEANING = (
    ("lofi hip hop, chill", "chill lofi hip hop"),
    ("lofi hip hop, mellow keys, 84 BPM", "lofi hip hop with mellow keys at 84 bpm"),
    ("upbeat jazz", "Upbeat jazz."),
    ("epic orchestral trailer music", "epic cinematic orchestral trailer"),
    ("heavy rain on a window", "heavy rain against the window"),
    ("distant thunder", "thunder in the distance"),
    ("dark techno with a driving bassline", "driving bassline, dark techno"),
    ("relaxing piano for studying", "calm piano music for studying"),
    ("synthwave, 80s retro, neon", "retro 80s synthwave with neon vibes"),
    ("acoustic folk guitar, warm", "warm acoustic folk guitar"),
    ("happy ukulele song for a commercial", "cheerful ukulele tune for an ad"),
    ("ambient drone, spacey", "spacey ambient drone"),
    ("footsteps on gravel", "walking on gravel footsteps"),
    ("door creaking open", "a creaky door opening"),
    ("melodic techno, 126 BPM, hypnotic", "hypnotic melodic techno at 126 BPM"),
    ("sad violin solo", "a sad solo violin"),
)
OTHER_MEANING = (
    ("lofi hip hop, chill", "upbeat lofi hip hop"),
    ("sad piano ballad", "happy piano ballad"),
    ("90s rock", "80s rock"),
    ("dark techno", "happy pop"),
    ("heavy rain on a window", "light rain on a window"),
    ("footsteps on gravel", "footsteps on wood"),
    ("laser shot", "laser blast"),
    ("distant thunder", "close thunder"),
    ("jazz with saxophone", "jazz with trumpet"),
    ("lofi hip hop, mellow keys, 84 BPM", "lofi hip hop, mellow keys, 120 BPM"),
    ("slow ambient pads", "fast ambient pads"),
    ("epic orchestral trailer music", "quiet orchestral lullaby"),
    ("female vocals pop", "male vocals pop"),
    ("reggae with heavy bass", "reggae with no bass"),
    ("door creaking open", "door slamming shut"),
    ("rock guitar solo", "rock drum solo"),
)
PARAPHRASES = (
    "lofi hip hop with mellow keys at 84 bpm",
    "mellow keys lofi hip hop, 84 BPM",
    "lo-fi hip hop, mellow keys, 84 BPM",
    "lofi hip hop beat, mellow keys, 84 BPM",
    "lofi hip hop, soft mellow keys, 84 BPM",
)


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
            seedless = {**REQUEST, "seed": None, "cache": "similar"}
            similar_fresh, original = finished_seconds(client, seedless)
            similar = [finished_seconds(client, {**seedless, "prompt": p}) for p in PARAPHRASES]
    assert all(job["metadata"].get("cache") == "hit" for _, job in hits), "expected cache hits"
    assert all(job["metadata"].get("cache") == "similar" for _, job in similar), "expected similar hits"
    assert first["metadata"].get("cache") is None
    assert original["metadata"].get("cache") is None
    hit = statistics.median(seconds for seconds, _ in hits)
    near = statistics.median(seconds for seconds, _ in similar)
    rows = [
        ("generate 30 s (fresh, warm worker)", f"{fresh * 1000:.0f} ms", "-"),
        ("same request, cache: false", f"{again * 1000:.0f} ms", f"{again / fresh:.2f}x"),
        ("same request, cache hit (median of 5)", f"{hit * 1000:.1f} ms", f"{hit / fresh:.4f}x"),
        (
            'no seed, "similar" (fresh, embedded)',
            f"{similar_fresh * 1000:.0f} ms",
            f"{similar_fresh / fresh:.2f}x",
        ),
        ("paraphrase, similar hit (median of 5)", f"{near * 1000:.1f} ms", f"{near / fresh:.4f}x"),
    ]
    print(f"{'measure':40s} {'submit -> complete':>20s} {'vs fresh':>10s}")
    for name, value, ratio in rows:
        print(f"{name:40s} {value:>20s} {ratio:>10s}")
    print("similarities:", ", ".join(f"{job['metadata']['similarity']:.3f}" for _, job in similar))
    threshold_sweep()


def answered(pairs: tuple[tuple[str, str], ...], threshold: float) -> tuple[int, int]:
    """(answered with the number guard, answered by the cosine alone) among ``pairs``."""
    scores = [
        (cosine(embed_prompt(a), embed_prompt(b)), sorted(numbers(a)) == sorted(numbers(b))) for a, b in pairs
    ]
    return sum(s >= threshold and same for s, same in scores), sum(s >= threshold for s, _ in scores)


def threshold_sweep() -> None:
    """How the threshold trades answered paraphrases against wrong answers."""
    header = ("threshold", "paraphrases answered", "other meanings answered", "(cosine alone)")
    print("\n{:>9s} {:>22s} {:>24s} {:>15s}".format(*header))
    for threshold in (0.85, 0.88, 0.90, 0.92, 0.94, 0.96):
        same, _ = answered(SAME_MEANING, threshold)
        wrong, alone = answered(OTHER_MEANING, threshold)
        row = (f"{same} of {len(SAME_MEANING)}", f"{wrong} of {len(OTHER_MEANING)}", str(alone))
        print("{:9.2f} {:>22s} {:>24s} {:>15s}".format(threshold, *row))


if __name__ == "__main__":
    main()
