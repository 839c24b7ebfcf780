"""A live mixdown stack for the MusicAPI contract tests, and the seed quickstart run against it.

``run_quickstart`` executes ``musicapi_quickstart.py`` (seed 004's Python code, verbatim) with only
its ``API_BASE``, its key (``MUSICAPI_KEY``) and its example webhook URL replaced.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from mixdown.app import create_app
from mixdown.service.container import Services, build_services
from mixdown.settings import Settings
from tests.harness import LiveServer, ThreadWorkers, new_key
from tests.receiver import Receiver

QUICKSTART = Path(__file__).with_name("musicapi_quickstart.py")
VENDOR_BASE = "https://api.musicapi.ai/api/v1"
EXAMPLE_HOOK = "https://your-app.example.com/webhooks/musicapi"
SONG_SECONDS = 3.0
BLOCKED_WORD = "xyzzyplugh"


@dataclass
class MusicApi:
    """A running server, a key and clients for its MusicAPI and native paths."""

    services: Services
    url: str
    key: str
    client: httpx.Client  # base URL <server>/api/v1
    native: httpx.Client  # base URL <server>
    receiver: Receiver

    @property
    def base(self) -> str:
        """What a MusicAPI client sets as API_BASE."""
        return f"{self.url}/api/v1"


@contextlib.contextmanager
def music_api(
    data_dir: Path, *, workers: int = 1, credits_amount: float = 1000.0, **overrides: Any
) -> Iterator[MusicApi]:
    """A live stack whose MusicAPI songs are ``SONG_SECONDS`` long."""
    settings = Settings(
        data_dir=data_dir,
        compat_song_seconds=SONG_SECONDS,
        url_allowlist=["127.0.0.1/32"],
        sweep_interval_seconds=0.2,
        webhook_backoff_base_seconds=0.2,
        content_policy_extra=[BLOCKED_WORD],
        **overrides,
    )
    services = build_services(settings)
    services.db.migrate()
    with contextlib.ExitStack() as exits:
        server = exits.enter_context(LiveServer(create_app(settings, services=services)))
        if workers:
            exits.enter_context(ThreadWorkers(services, workers))
        receiver = exits.enter_context(Receiver())
        key = new_key(services, credits_amount)
        auth = {"Authorization": f"Bearer {key}"}
        client = exits.enter_context(httpx.Client(base_url=f"{server.url}/api/v1", headers=auth, timeout=120))
        native = exits.enter_context(httpx.Client(base_url=server.url, headers=auth, timeout=120))
        exits.callback(services.close)
        yield MusicApi(services, server.url, key, client, native, receiver)


def run_quickstart(
    api: MusicApi, hook_url: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], str]:
    """Run the seed quickstart against ``api``; returns its globals and what it printed."""
    source = QUICKSTART.read_text(encoding="utf-8")
    assert source.count(VENDOR_BASE) == 2 and source.count(EXAMPLE_HOOK) == 1
    code = source.replace(VENDOR_BASE, api.base).replace(EXAMPLE_HOOK, hook_url)
    monkeypatch.setenv("MUSICAPI_KEY", api.key)
    namespace: dict[str, Any] = {"__name__": "musicapi_quickstart"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(QUICKSTART), "exec"), namespace)
    return namespace, printed.getvalue()


def poll(api: MusicApi, task_id: str, timeout: float = 300.0) -> dict[str, Any]:
    """Poll ``sonic/task`` until it answers 200; checks the 202 ``not_ready`` shape on the way."""
    deadline, delay = time.monotonic() + timeout, 0.05
    while True:
        response = api.client.get(f"/sonic/task/{task_id}")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        if response.status_code == 429:  # a polite client waits as told
            time.sleep(float(response.headers["Retry-After"]))
            continue
        assert response.status_code == 202, response.text
        waiting = response.json()
        assert waiting["type"] == "not_ready" and waiting["state"] in ("pending", "running")
        assert time.monotonic() < deadline, f"task {task_id} still not ready"
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def create(api: MusicApi, **body: Any) -> dict[str, Any]:
    """Submit a ``sonic/create`` body and wait for its answer."""
    response = api.client.post("/sonic/create", json=body)
    assert response.status_code == 200, response.text
    return poll(api, response.json()["task_id"])


def audio(api: MusicApi, url: str) -> tuple[np.ndarray, int]:
    """Download a result URL (with the key) and decode it."""
    response = api.native.get(url)
    assert response.status_code == 200, response.text
    data, rate = sf.read(io.BytesIO(response.content), dtype="float32", always_2d=True)
    return data, int(rate)


def wait_until(condition: Any, timeout: float = 30.0) -> None:
    """Wait for ``condition()`` to hold."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
