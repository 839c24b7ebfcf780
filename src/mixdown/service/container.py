"""``Services``: every port the application uses, built once from ``Settings``.

Tests build a ``Services`` with in-memory twins instead (see ``memory_services``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mixdown.clock import Clock, SystemClock
from mixdown.engines.lyrics.engines import register_lyrics_engines
from mixdown.engines.music.engine import music_engines
from mixdown.engines.registry import EngineRegistry
from mixdown.engines.separation.engines import register_separation_engines
from mixdown.net.fetch import HttpUrlFetcher, UrlFetcher
from mixdown.queue.base import JobQueue
from mixdown.queue.factory import make_queue
from mixdown.service.content import ContentFilter
from mixdown.service.keys import KeyAuthenticator
from mixdown.service.ratelimit import RateLimits
from mixdown.service.tokens import TokenService
from mixdown.settings import Settings
from mixdown.storage.artifacts import ArtifactStore, LocalArtifactStore
from mixdown.storage.db import Database
from mixdown.storage.jobstore import JobStore, JobStoreConfig
from mixdown.storage.records import RecordStore, SqlRecordStore
from mixdown.storage.streams import FileStreams
from mixdown.tasks.registry import BUILTIN_TASKS, TaskRegistry, load_builtin_registry
from mixdown.webhooks.sender import HttpWebhookSender, WebhookSender


def default_base_url(settings: Settings) -> str:
    """Base of result URLs when no request tells it (webhooks, workers)."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


@dataclass(kw_only=True)
class Services:
    """The application's ports and policies."""

    settings: Settings
    db: Database
    store: ArtifactStore
    jobs: JobStore
    queue: JobQueue
    registry: TaskRegistry
    clock: Clock
    fetcher: UrlFetcher
    sender: WebhookSender
    limits: RateLimits
    auth: KeyAuthenticator
    tokens: TokenService
    content: ContentFilter
    tmp_dir: Path
    records: RecordStore
    streams: FileStreams
    engines: EngineRegistry
    extra: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        """Release database connections and sockets."""
        self.queue.close()
        self.db.dispose()


def build_services(
    settings: Settings,
    *,
    registry: TaskRegistry | None = None,
    clock: Clock | None = None,
    store: ArtifactStore | None = None,
    fetcher: UrlFetcher | None = None,
    sender: WebhookSender | None = None,
) -> Services:
    """Real services for ``settings``; any port can be replaced by a twin."""
    clock = clock or SystemClock()
    db = Database.from_url(settings.resolved_database_url)
    config = JobStoreConfig(
        lease_seconds=settings.lease_seconds,
        retention_days=settings.retention_days,
        base_url=default_base_url(settings),
    )
    jobs = JobStore(db, clock, config)
    tmp_dir = (settings.data_dir / "tmp").resolve()
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tokens = TokenService(settings)
    return Services(
        settings=settings,
        db=db,
        store=store or LocalArtifactStore(settings.artifacts_dir),
        jobs=jobs,
        queue=make_queue(settings, jobs),
        registry=registry or load_builtin_registry((*BUILTIN_TASKS, *settings.extra_tasks)),
        clock=clock,
        fetcher=fetcher
        or HttpUrlFetcher(
            timeout=settings.fetch_timeout_seconds,
            max_redirects=settings.fetch_max_redirects,
            allowlist=settings.url_allowlist,
        ),
        sender=sender
        or HttpWebhookSender(timeout=settings.webhook_timeout_seconds, allowlist=settings.url_allowlist),
        limits=RateLimits(
            {"submit": settings.submit_rate_limit, "status": settings.status_rate_limit},
            enabled=settings.rate_limits_enabled,
        ),
        auth=KeyAuthenticator(db, tokens=tokens),
        tokens=tokens,
        content=ContentFilter(settings),
        tmp_dir=tmp_dir,
        records=SqlRecordStore(db, clock),
        streams=FileStreams((settings.data_dir / "streams").resolve()),
        engines=_engines(settings),
    )


def _engines(settings: Settings) -> EngineRegistry:
    """Music engines, plus the lyrics engines (the chat one as configured)."""
    engines = music_engines(settings.resolved_models_dir)
    register_lyrics_engines(engines, chat_url=settings.lyrics_chat_url, chat_model=settings.lyrics_chat_model)
    register_separation_engines(engines, settings.resolved_models_dir)
    return engines
