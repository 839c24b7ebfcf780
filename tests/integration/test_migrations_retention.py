"""Migrations match the models; retention expires outputs; the sweeper re-queues lost jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from mixdown.clock import FakeClock
from mixdown.errors import Gone
from mixdown.service.container import build_services
from mixdown.service.jobs import own_artifact
from mixdown.service.keys import Caller, create_key
from mixdown.service.maintenance import expire_artifacts
from mixdown.settings import Settings
from mixdown.storage.db import Database
from mixdown.storage.models import Artifact, Base

pytestmark = pytest.mark.integration


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_expired_outputs_are_deleted_and_marked(data_dir: Path, tmp_path: Path) -> None:
    clock = FakeClock()
    services = build_services(Settings(data_dir=data_dir), clock=clock)
    services.db.migrate()
    key, _ = create_key(services.db, name="t", credits_amount=0, now=clock.now())
    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 10)
    services.store.put_file("results/a.bin", source)
    services.store.put_file("inputs/shared.bin", source)
    rows = [
        ("res_old", "results/a.bin", clock.now() - timedelta(days=1)),
        ("aud_old", "inputs/shared.bin", clock.now() - timedelta(days=1)),
        ("aud_new", "inputs/shared.bin", clock.now() + timedelta(days=1)),
    ]
    with services.db.write() as session:
        for artifact_id, storage_key, expires in rows:
            session.add(
                Artifact(
                    id=artifact_id,
                    key_id=key.id,
                    job_id=None,
                    role="result",
                    kind="audio",
                    format="bin",
                    storage_key=storage_key,
                    size_bytes=10,
                    meta={},
                    created_at=clock.now(),
                    expires_at=expires,
                    expired=False,
                )
            )
    assert expire_artifacts(services) == 2
    assert not services.store.exists("results/a.bin")
    assert services.store.exists("inputs/shared.bin")  # still used by an unexpired artifact
    with pytest.raises(Gone):
        own_artifact(services, Caller(key.id, "t"), "res_old")
    with services.db.write() as session:
        session.execute(update(Artifact).where(Artifact.id == "aud_new").values(expires_at=clock.now()))
    clock.advance(1)
    assert expire_artifacts(services) == 1
    assert not services.store.exists("inputs/shared.bin")
    services.close()
