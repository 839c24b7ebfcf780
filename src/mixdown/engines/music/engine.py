"""Music engines behind one small interface, used by the ``generate`` task.

``mixdown-composer`` (embedded, always available) composes, renders, mixes and masters
(``composer_engine.py``); ``musicgen`` runs a local MusicGen checkpoint when its weights are
installed (``musicgen_adapter.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mixdown.audio.codec import encode
from mixdown.engines.music.spec import Sampling
from mixdown.engines.registry import EngineRegistry
from mixdown.errors import EngineUnavailable, NotFound
from mixdown.tasks.base import Availability, TaskContext

DEFAULT_MODEL = "mixdown-composer"
MODEL_ALIASES = {
    "mixdown-composer": "mixdown-composer",
    "composer": "mixdown-composer",
    "embedded": "mixdown-composer",
    "default": "mixdown-composer",
    "musicgen": "musicgen",
}

Progress = Callable[[float], None]


@dataclass(frozen=True, kw_only=True)
class GenerationRequest:
    """The request fields every music engine understands."""

    prompt: str
    duration: float
    sample_rate: int
    guidance_scale: float
    temperature: float
    top_k: int
    top_p: float
    instrumental: bool
    params: dict[str, Any] | None
    tags: tuple[int, ...]
    output_format: str
    stems: bool
    stream: bool = False
    duration_explicit: bool = True
    melody_audio: Path | None = None  # a melody to follow, for engines that take it as audio

    @property
    def sampling(self) -> Sampling:
        """The sampling parameters."""
        return Sampling(
            temperature=self.temperature,
            top_k=self.top_k,
            top_p=self.top_p,
            guidance_scale=self.guidance_scale,
        )


class MusicEngine(Protocol):
    """What the generate task needs from an engine."""

    name: str

    def resolve(
        self, request: GenerationRequest, ctx: TaskContext, from_hash: str | None, variation: str, seed: int
    ) -> tuple[Any, int]:
        """Turn the request (or a stored hash) into the engine's plan and the base seed."""
        ...

    def generate(
        self, plan: Any, *, seed: int, variation: int, ctx: TaskContext, progress: Progress
    ) -> dict[str, Any]:
        """Produce one variation's results through ``ctx``; returns what was understood (with ``hash``)."""
        ...

    def with_melody(self, plan: Any, melody_audio: Path, strength: float) -> tuple[Any, dict[str, Any]]:
        """``plan`` conditioned on the melody in ``melody_audio``, and what the job's metadata says."""
        ...


def write_audio(ctx: TaskContext, audio: np.ndarray, sample_rate: int, name: str, fmt: str) -> Path:
    """Encode ``audio`` (float, frames x channels) into the job's scratch folder."""
    path = ctx.work_dir / f"{name}.{fmt}"
    encode(audio, sample_rate, path, format=fmt)
    return path


def engine_for(name: str) -> MusicEngine:
    """The engine called ``name`` (after alias resolution), checked to run here."""
    from mixdown.settings import Settings

    settings = Settings()  # workers export their settings as MIXDOWN_* variables
    if name == DEFAULT_MODEL:
        from mixdown.engines.music.composer_engine import ComposerEngine

        return ComposerEngine(str(settings.soundfont) if settings.soundfont else None)
    if name == "musicgen":
        from mixdown.engines.music.musicgen_adapter import MusicGenAdapter

        adapter = MusicGenAdapter(settings.resolved_models_dir)
        availability = adapter.availability()
        if not availability.available:
            raise EngineUnavailable(f"musicgen is not available: {availability.reason}", field="model")
        return adapter
    raise NotFound(f"Unknown model {name!r}", field="model")


def model_availability() -> Availability:
    """The generate task is always available: the embedded engine needs nothing extra."""
    return Availability(True)


def music_engines(models: Path) -> EngineRegistry:
    """The music engines of this server, for ``GET /v1/models``."""
    from mixdown.engines.musicgen import MusicGenEngine

    registry = EngineRegistry()
    registry.register_static(
        DEFAULT_MODEL,
        kind="music",
        description="Embedded composer: understands the prompt, composes, renders, mixes and masters",
        default=True,
        stems=True,
        midi=True,
        max_duration=1200,
    )
    registry.register(MusicGenEngine(models))
    return registry
