"""Shared fixtures: settings in a temp folder, generated audio, a live server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# CI sets CI=true: a missing local service must then fail instead of skip.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data folder."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No MIXDOWN_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("MIXDOWN_"):
            monkeypatch.delenv(name)
    return
