"""The fast SQLite status read returns exactly what the Core read returns."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mixdown.clock import FakeClock
from mixdown.service.keys import create_key
from mixdown.storage.db import Database
from mixdown.storage.models import Artifact, Job
from mixdown.storage.status_reader import read_job, read_job_core

pytestmark = pytest.mark.integration


def test_sqlite_fast_read_equals_core_read(tmp_path: Path) -> None:
    clock = FakeClock()
    db = Database.from_url(f"sqlite:///{tmp_path / 's.db'}")
    db.migrate()
    key, _ = create_key(db, name="t", credits_amount=0, now=clock.now())
    now = clock.now()
    with db.write() as session:
        session.add(
            Job(id="job_a", key_id=key.id, task="convert", category="conversion", queue="audio",
                params={"target_format": "wav", "n": [1, 2]}, inputs={}, status="complete", priority=0,
                progress=1.0, created_at=now, started_at=now + timedelta(seconds=1), finished_at=None,
                max_attempts=3, cancel_requested=True, job_metadata={"engine": "x", "nested": {"a": 1.5}},
                webhook_events=[], error_code=None)
        )  # fmt: skip
        for position, artifact_id in enumerate(("res_b", "res_a")):
            session.add(
                Artifact(id=artifact_id, key_id=key.id, job_id="job_a", role="result", kind="audio",
                         format="wav", storage_key="k", size_bytes=3, meta={"duration": 1.0},
                         position=position, created_at=now, expires_at=now, expired=position == 1)
            )  # fmt: skip
        session.add(
            Artifact(id="aud_in", key_id=key.id, job_id="job_a", role="input", kind="audio", format="wav",
                     storage_key="k", size_bytes=3, meta={}, created_at=now, expires_at=None, expired=False)
        )  # fmt: skip
    fast = read_job(db, "job_a")
    core = read_job_core(db, "job_a")
    assert fast == core
    job, results = fast
    assert job is not None and job["started_at"] == now + timedelta(seconds=1)
    assert job["cancel_requested"] is True and job["metadata"]["nested"] == {"a": 1.5}
    assert [r["id"] for r in results] == ["res_b", "res_a"] and results[1]["expired"] is True
    assert read_job(db, "job_missing") == read_job_core(db, "job_missing") == (None, [])
