"""The app factory: ``create_app(settings)`` builds a FastAPI app around one ``Services``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter

from mixdown import __version__
from mixdown.api import (
    audio,
    catalog,
    credits,
    health,
    jobs,
    lyrics,
    openai_speech,
    stream,
    tasks,
    tokens,
    usage,
    voices,
)
from mixdown.api.compat import musicapi, musicgpt, muzaic
from mixdown.api.errors import install_error_handlers
from mixdown.api.fastpath import StatusFastPath
from mixdown.api.middleware import BodySizeLimit, RequestCounter
from mixdown.api.submit import batch_router, task_router
from mixdown.service.container import Services, build_services
from mixdown.service.content import ContentPolicyCollector
from mixdown.service.maintenance import BackgroundLoops
from mixdown.service.metrics import StoreCollector
from mixdown.settings import Settings

DESCRIPTION = """\
Self-hosted AI music and audio API. Every task is an asynchronous job:
`POST /v1/<task>` answers **202** with a `job_id`; poll `GET /v1/jobs/{job_id}` or pass a
`webhook_url`; download results from `GET /v1/audio/{result_id}`.

Authenticate with `Authorization: Bearer <key>`, `Authorization: <key>` or `X-API-Key: <key>`.
Errors are JSON: `{"error": {"code", "message", "field"}}`.
"""


def _metrics_registry(services: Services) -> tuple[CollectorRegistry, Counter]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(services.db, key_labels_max=services.settings.metrics_key_labels_max))
    registry.register(ContentPolicyCollector(services.content))
    requests = Counter(
        "mixdown_http_requests", "HTTP requests served", ["method", "status"], registry=registry
    )
    return registry, requests


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> FastAPI:
    """A configured application; migrations run when it starts, ``on_shutdown`` when it stops."""
    settings = settings or (services.settings if services else Settings())
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.db.migrate()
        loops = BackgroundLoops(services) if settings.run_background else None
        if loops is not None:
            loops.start()
        try:
            yield
        finally:
            if loops is not None:
                loops.stop()
            if on_shutdown is not None:
                on_shutdown()

    app = FastAPI(title="mixdown", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    app.state.metrics_registry, counter = _metrics_registry(services)
    install_error_handlers(app)
    app.add_middleware(StatusFastPath, services=services)
    app.add_middleware(RequestCounter, counter=counter)
    # base64 bodies are 4/3 of the audio; leave room for the other fields.
    app.add_middleware(BodySizeLimit, max_bytes=int(settings.max_upload_bytes * 4 / 3) + 1_048_576)
    routers = (
        health.router,
        tasks.router,
        catalog.router,
        credits.router,
        jobs.router,
        lyrics.router,
        audio.router,
        openai_speech.router,
        voices.router,
        tokens.router,
        usage.router,
        batch_router,
    )
    for router in (*routers, stream.router):
        app.include_router(router)
    app.include_router(task_router(services.registry))
    musicgpt.install(app)
    musicapi.install(app)
    muzaic.install(app)
    return app
