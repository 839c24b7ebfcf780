"""Every test here renders with FluidSynth: fail clearly when no soundfont is installed."""

from __future__ import annotations

import pytest

from mixdown.engines.music.produce import find_soundfont


@pytest.fixture(scope="session", autouse=True)
def _soundfont() -> None:
    """Every test here renders: fail clearly (CI) when no soundfont is installed."""
    find_soundfont()
