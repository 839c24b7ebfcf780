"""A test song for the cover task: the separation tests' house piece with a sung TTS vocal.

The vocal (flite speech re-pitched onto the piece's melody, centre-panned) and the
accompaniment are known apart, so the cover's vocal pitch and kept backing can be measured.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from tests.unit.separation.material import RATE, Mix, flite_installed, make_mix

SECONDS = 8.0
PEAK = 0.8


@cache
def song() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mixture, vocal, backing)`` float32 at ``RATE``: stereo, mono, stereo; the mix peaks at 0.8."""
    if not flite_installed():
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail("flite must be installed in CI (apt-get install flite)")
        pytest.skip("flite not installed")
    mix: Mix = make_mix(2, seconds=SECONDS)
    scale = PEAK / float(np.abs(mix.mixture).max())
    mixture = (mix.mixture * scale).astype(np.float32)
    return mixture, (mix.stems["vocals"][:, 0] * scale).astype(np.float32), mix.without("vocals") * scale


def side(audio: np.ndarray) -> np.ndarray:
    """Left minus right: what a centred vocal does not touch."""
    return np.asarray(audio[:, 0] - audio[:, 1], dtype=np.float64)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-shaped signals, flattened."""
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


__all__ = ["RATE", "correlation", "side", "song"]
