"""The network is loaded once per test session; rendered passages are cached per process."""

from __future__ import annotations

import pytest

from mixdown.engines.transcription import model


@pytest.fixture(scope="session")
def network() -> None:
    """basic-pitch's ONNX session, built and run once (what a worker's warm-up does)."""
    model.warm_up()
