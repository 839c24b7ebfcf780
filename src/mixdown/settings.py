"""All configuration in one pydantic-settings class, read from ``MIXDOWN_*`` variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_plans() -> dict[str, dict[str, float | int | None]]:
    """The plans a fresh server knows (operators redefine them with ``MIXDOWN_PLANS``)."""
    mib = 1024 * 1024
    return {
        "free": {
            "monthly_generation_minutes": 10,
            "max_duration_seconds": 60,
            "max_concurrent_jobs": 2,
            "max_input_bytes": 20 * mib,
        },
        "pro": {
            "monthly_generation_minutes": 600,
            "max_duration_seconds": 600,
            "max_concurrent_jobs": 10,
            "max_input_bytes": 200 * mib,
        },
        "unlimited": {},
    }


class Settings(BaseSettings):
    """Server settings; every field can be set as ``MIXDOWN_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="MIXDOWN_", extra="ignore")

    # Where things live.
    data_dir: Path = Field(default=Path("./mixdown-data"), description="Database, artifacts, runtime files.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in data_dir by default."
    )
    storage_dir: Path | None = Field(
        default=None, description="Artifact folder; data_dir/artifacts by default."
    )
    models_dir: Path | None = Field(
        default=None, description="Local model weights (e.g. musicgen-small/); data_dir/models by default."
    )
    soundfont: Path | None = Field(default=None, description="General MIDI soundfont for the music engine.")
    public_url: str | None = Field(
        default=None, description="Base URL used in result links; the request's own by default."
    )

    # HTTP server and workers.
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=2, ge=0, le=64, description="Worker processes started by `mixdown serve`.")
    queue: Literal["local", "celery"] = Field(
        default="local", description="local: the job table itself; celery: Celery workers on a broker."
    )
    # Scale-out (queue=celery, docs/scale-out.md).
    broker_url: str | None = Field(default=None, description="Celery broker: redis://... or amqp://...")
    broker_visibility_timeout_seconds: float = Field(
        default=7200.0,
        gt=0,
        description="Redis redelivers an unacked message after this (2x longest job).",
    )
    worker_max_tasks_per_child: int = Field(
        default=200, ge=1, description="A Celery worker process is replaced after this many jobs (leaks)."
    )
    requeue_grace_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A queued job missing from the broker this long is published again.",
    )
    extra_tasks: list[str] = Field(
        default_factory=list,
        description="Extra task modules to register (each exposes TASK), e.g. a plugin package.",
    )
    log_level: str = "info"
    log_json: bool = False
    run_background: bool = Field(
        default=True, description="Run the sweeper and webhook dispatcher in the API process."
    )

    # Jobs.
    lease_seconds: float = Field(
        default=30.0, gt=0, description="A worker's hold on a job; renewed by heartbeat."
    )
    max_attempts: int = Field(default=3, ge=1, description="Attempts before a job fails for good.")
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="Fallback poll when no wake-up arrives."
    )
    sweep_interval_seconds: float = Field(default=5.0, gt=0)
    retention_days: float = Field(default=30.0, gt=0, description="How long outputs are kept.")
    idempotency_hours: float = 24.0
    stream_retention_seconds: float = Field(
        default=3600.0, gt=0, description="Live-stream files are deleted this long after their last write."
    )

    # Inputs.
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest accepted input (413 above)."
    )
    fetch_timeout_seconds: float = Field(default=30.0, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    url_allowlist: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDR networks that may be fetched even if private (e.g. 127.0.0.1/32).",
    )

    # Credits and limits.
    credits_enabled: bool = Field(default=True, description="False: unlimited, nothing is debited.")
    default_credits: float = Field(
        default=100.0, ge=0, description="Balance of a new key unless --credits is given."
    )
    rate_limits_enabled: bool = True
    max_parallel_generations: int = Field(default=10, ge=1)
    submit_rate_limit: str = Field(default="60/minute", description="Conversion submissions per key.")
    status_rate_limit: str = Field(default="200/minute", description="Status calls per key.")
    batch_max_jobs: int = Field(default=50, ge=1)

    # Quotas: named plans (limits per key beyond rate limits); `mixdown keys update` sets a key's.
    plans: dict[str, dict[str, float | int | None]] = Field(
        default_factory=lambda: default_plans(),
        description="Plan name -> limits: monthly_generation_minutes, max_duration_seconds, "
        "max_concurrent_jobs, max_input_bytes (absent: no limit).",
    )
    default_plan: str = Field(default="unlimited", description="The plan of keys that have none.")

    # Result cache.
    cache_enabled: bool = Field(
        default=True, description="Answer repeated deterministic requests from results."
    )
    cache_shared: bool = Field(
        default=False, description="Let one key's results answer another key's requests."
    )
    cache_hit_credit_fraction: float = Field(
        default=0.0, ge=0, le=1, description="Share of the price a hit costs."
    )
    cache_similar_default: bool = Field(
        default=False, description='Requests without a "cache" field use the similar-prompt cache.'
    )
    cache_similar_threshold: float = Field(
        default=0.92, gt=0, le=1, description="Prompt cosine similarity at or above which a result is reused."
    )
    metrics_key_labels_max: int = Field(
        default=100, ge=0, description='Keys with their own label in /metrics usage; the rest are "other".'
    )

    # Content policy (prompts, lyrics, texts to speak).
    content_policy_enabled: bool = True
    content_policy_file: Path | None = Field(
        default=None, description="A phrase list (one per line) replacing the shipped one."
    )
    content_policy_extra: list[str] = Field(default_factory=list, description="Phrases added to the list.")
    content_policy_patterns: list[str] = Field(default_factory=list, description="Regexes also refused.")
    content_policy_max_length: int = Field(default=20000, ge=1, description="Longest accepted text field.")

    # Short-lived tokens (POST /v1/tokens).
    jwt_algorithm: Literal["HS256", "RS256"] = Field(default="HS256", description="How tokens are signed.")
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret; generated once into data_dir/jwt-secret when unset."
    )
    jwt_private_key_file: Path | None = Field(default=None, description="RS256: PEM private key.")
    jwt_public_key_file: Path | None = Field(default=None, description="RS256: PEM public key.")
    token_default_ttl_seconds: int = Field(default=3600, ge=60)
    token_max_ttl_seconds: int = Field(default=86400, ge=60)

    # Vendor compatibility layers (api/compat/).
    compat_song_seconds: float | None = Field(
        default=None,
        gt=0,
        le=1200,
        description="Length of a song made through a vendor API that has no duration field (MusicAPI); "
        "unset: the generate default (30 s, or a length stated in the prompt).",
    )

    # Lyrics (engine "chat"): any OpenAI-compatible chat-completions server, e.g. llama.cpp or vLLM.
    lyrics_chat_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8080/v1")
    lyrics_chat_model: str | None = Field(default=None, description="The model name sent to it.")
    lyrics_chat_api_key: SecretStr | None = Field(default=None, description="Bearer key, if it needs one.")

    # Webhooks.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_age_seconds: float = Field(
        default=3600.0, gt=0, description="Retry a delivery for this long."
    )
    webhook_backoff_base_seconds: float = Field(default=5.0, gt=0)

    @field_validator("submit_rate_limit", "status_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        from limits import parse

        parse(value)
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mixdown.db').resolve()}"

    @property
    def artifacts_dir(self) -> Path:
        """Folder of the local artifact store."""
        return (self.storage_dir or self.data_dir / "artifacts").resolve()

    def to_env(self) -> dict[str, str]:
        """These settings as ``MIXDOWN_*`` variables (worker processes re-read them from there)."""
        env = {}
        for name, value in self.model_dump(mode="json").items():
            field = getattr(self, name)
            if isinstance(field, SecretStr):  # dumped as "**********": pass the real value on
                value = field.get_secret_value()
            if value is not None:
                text = value if isinstance(value, str) else json.dumps(value)
                env[f"MIXDOWN_{name.upper()}"] = text
        return env

    @property
    def resolved_models_dir(self) -> Path:
        """Folder of local model weights."""
        return (self.models_dir or self.data_dir / "models").resolve()

    @property
    def run_dir(self) -> Path:
        """Folder for runtime files such as worker wake-up sockets."""
        return (self.data_dir / "run").resolve()
