# ruff: noqa
# The MusicAPI Python quickstart (seed 004), copied verbatim; musicapi_contract.py substitutes only
# API_BASE, the key (MUSICAPI_KEY) and the webhook receiver's URL, then runs it against mixdown.
import os
import requests

API_BASE = "https://api.musicapi.ai/api/v1"
HEADERS = {"Authorization": f"Bearer {os.environ['MUSICAPI_KEY']}"}
resp = requests.get(f"{API_BASE}/get-credits", headers=HEADERS, timeout=30)
resp.raise_for_status()
print(resp.json())
# → {"credits": 100, "extra_credits": 50}
import os
import time
import requests

API_BASE = "https://api.musicapi.ai/api/v1"
HEADERS = {
    "Authorization": f"Bearer {os.environ['MUSICAPI_KEY']}",
    "Content-Type": "application/json",
}


def generate_and_wait(payload: dict, poll_interval_s: float = 5.0, timeout_s: float = 300.0):
    # Submit the generation.
    submit = requests.post(f"{API_BASE}/sonic/create", json=payload, headers=HEADERS, timeout=60)
    submit.raise_for_status()
    task_id = submit.json()["task_id"]
    # Poll. API returns HTTP 202 / {"type": "not_ready"} while running.
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        time.sleep(poll_interval_s)
        poll = requests.get(f"{API_BASE}/sonic/task/{task_id}", headers=HEADERS, timeout=60)
        if poll.status_code == 200:
            return poll.json()
        # 202 / not_ready / 102 = keep polling
    raise TimeoutError(f"task {task_id} did not finish in {timeout_s}s")


result = generate_and_wait(
    {
        "custom_mode": False,
        "mv": "sonic-v5",
        "gpt_description_prompt": "uplifting synthwave with female vocals",
    }
)
for song in result["data"]:
    print(song["title"], song["audio_url"])
generate_and_wait(
    {
        "custom_mode": True,
        "mv": "sonic-v5",
        "prompt": "[Verse]\nCity lights, neon dreams\n[Chorus]\nDrive on, drive on…",
        "title": "Night Drive",
        "tags": "synthwave, retro, energetic",
    }
)
requests.post(
    f"{API_BASE}/sonic/create",
    json={
        "custom_mode": False,
        "mv": "sonic-v5",
        "gpt_description_prompt": "lofi hip hop for studying",
        "webhook_url": "https://your-app.example.com/webhooks/musicapi",
        "webhook_secret": "your-shared-secret",
    },
    headers=HEADERS,
    timeout=60,
)
import time
from requests.exceptions import HTTPError


def post_with_retry(url, *, json, max_retries=3):
    for attempt in range(max_retries + 1):
        resp = requests.post(url, json=json, headers=HEADERS, timeout=60)
        if resp.status_code < 400:
            return resp.json()
        if resp.status_code in (429, 500, 502, 503, 504) and attempt < max_retries:
            retry_after = int(resp.headers.get("Retry-After", 2**attempt))
            time.sleep(retry_after)
            continue
        resp.raise_for_status()
