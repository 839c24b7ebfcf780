"""Speech for the cleanup tests, spoken once per session."""

from __future__ import annotations

import numpy as np
import pytest

from tests.cleanup_audio import require_flite, speech


@pytest.fixture(scope="session")
def voice16() -> np.ndarray:
    """Two sentences of TTS speech, 16 kHz mono float32 (~5 s)."""
    require_flite()
    return np.asarray(speech(2, 16000))
