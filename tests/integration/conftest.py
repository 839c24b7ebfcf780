"""A live API on loopback with in-thread workers, built per test with settings overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mixdown.app import create_app
from mixdown.service.container import Services, build_services
from mixdown.settings import Settings
from tests.harness import LiveServer, ThreadWorkers, new_key
from tests.plugins import PLUGIN_TASKS


@dataclass
class Stack:
    """Services, base URL and an authenticated client."""

    services: Services
    url: str
    key: str
    client: httpx.Client
    exits: ExitStack

    def client_for(self, key: str | None) -> httpx.Client:
        """Another client, authenticated with ``key`` (or none); closed with the stack."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.exits.enter_context(httpx.Client(base_url=self.url, headers=headers, timeout=30))

    def new_key(self, credits_amount: float = 100.0) -> str:
        """A second key."""
        return new_key(self.services, credits_amount)


StackFactory = Callable[..., Stack]


@pytest.fixture
def make_stack(data_dir: Path) -> Iterator[StackFactory]:
    """Build a stack: ``make_stack(workers=1, credits=100, **settings)``."""
    with ExitStack() as exits:

        def build(*, workers: int = 1, credits: float = 100.0, **overrides: Any) -> Stack:
            settings = Settings(
                data_dir=data_dir,
                extra_tasks=list(PLUGIN_TASKS),
                sweep_interval_seconds=0.2,
                lease_seconds=3.0,
                webhook_backoff_base_seconds=0.2,
                **overrides,
            )
            services = build_services(settings)
            services.db.migrate()
            server = exits.enter_context(LiveServer(create_app(settings, services=services)))
            if workers:
                exits.enter_context(ThreadWorkers(services, workers))
            key = new_key(services, credits)
            client = exits.enter_context(
                httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
            )
            exits.callback(services.close)
            return Stack(services=services, url=server.url, key=key, client=client, exits=exits)

        yield build


@pytest.fixture
def stack(make_stack: StackFactory) -> Stack:
    """The default stack: one worker, 100 credits."""
    return make_stack()
