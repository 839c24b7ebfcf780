"""essentia, imported lazily with its log silenced, and its algorithms pooled across threads.

Building the algorithms costs ~0.3 s (``RhythmExtractor2013`` dominates) and an essentia algorithm
must not run in two threads at once, so configured sets are kept in a pool: a job borrows one
(building it if none is free) and returns it. ``warm_up`` leaves one built set in the pool.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mixdown.tasks.base import Availability

ESSENTIA_RATE = 44100  # RhythmExtractor2013 works at this rate only; the key frames are tuned for it
KEY_PROFILE = "shaath"  # chosen by measurement: docs/key-bpm.md, bench/bench_key_bpm.py
KEY_FRAME = 4096
# HPCP frames every 2048 samples: every other one is exactly a frame of essentia's KeyExtractor
# (4096 hop), which the key uses; all of them give the per-beat chroma for downbeats.
CHROMA_HOP = 2048
_INSTALL_HINT = "essentia is not installed: pip install 'essentia==2.1b6.dev1389'"


def availability() -> Availability:
    """Whether essentia can be imported here."""
    if importlib.util.find_spec("essentia") is None:
        return Availability(False, _INSTALL_HINT)
    return Availability(True)


@lru_cache(maxsize=1)
def standard() -> Any:
    """``essentia.standard``, imported once with info and warning logs off."""
    import essentia  # type: ignore[import-untyped]

    essentia.log.infoActive = False  # it announces "no classifier models" on import
    essentia.log.warningActive = False
    import essentia.standard as es  # type: ignore[import-untyped]

    return es


@dataclass(frozen=True)
class Algorithms:
    """One configured set of the essentia algorithms the analysis runs."""

    rhythm: Any
    window: Any
    spectrum: Any
    peaks: Any
    whitening: Any
    hpcp: Any
    key: Any
    frames: Any  # essentia.standard.FrameGenerator (a class, not configured)

    @classmethod
    def build(cls) -> Algorithms:
        """The settings of ``KeyExtractor`` (essentia 2.1b6) written out, so its HPCP frames stay ours."""
        es = standard()
        rate, top = float(ESSENTIA_RATE), 3500.0
        return cls(
            rhythm=es.RhythmExtractor2013(method="multifeature"),
            window=es.Windowing(type="hann", size=KEY_FRAME),
            spectrum=es.Spectrum(size=KEY_FRAME),
            peaks=es.SpectralPeaks(
                orderBy="magnitude",
                magnitudeThreshold=1e-4,
                minFrequency=25.0,
                maxFrequency=top,
                maxPeaks=60,
                sampleRate=rate,
            ),
            whitening=es.SpectralWhitening(maxFrequency=top, sampleRate=rate),
            hpcp=es.HPCP(
                bandPreset=False,
                harmonics=4,
                maxFrequency=top,
                minFrequency=25.0,
                nonLinear=False,
                normalized="none",
                referenceFrequency=440.0,
                sampleRate=rate,
                size=12,
                weightType="cosine",
                windowSize=1.0,
                maxShifted=False,
            ),
            key=key_algorithm(KEY_PROFILE),
            frames=es.FrameGenerator,
        )


def key_algorithm(profile: str) -> Any:
    """essentia's ``Key`` as ``KeyExtractor`` configures it, with the given key profile."""
    return standard().Key(
        profileType=profile, usePolyphony=False, useThreeChords=False, numHarmonics=4, slope=0.6, pcpSize=12
    )


_POOL: list[Algorithms] = []
_POOL_LOCK = threading.Lock()


@contextmanager
def borrowed() -> Iterator[Algorithms]:
    """A set of algorithms for this thread's exclusive use until the block ends."""
    with _POOL_LOCK:
        algorithms = _POOL.pop() if _POOL else None
    if algorithms is None:
        algorithms = Algorithms.build()
    try:
        yield algorithms
    finally:
        with _POOL_LOCK:
            _POOL.append(algorithms)


def warm_up() -> None:
    """Import essentia and leave one built set of algorithms in the pool."""
    with borrowed():
        pass
