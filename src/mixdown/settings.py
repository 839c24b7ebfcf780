"""All configuration in one pydantic-settings class, read from ``MIXDOWN_*`` variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    queue: Literal["local"] = "local"
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
