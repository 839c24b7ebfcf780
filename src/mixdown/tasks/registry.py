"""The task registry: adding a task means one module plus one line in ``BUILTIN_TASKS``."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator

from mixdown.errors import NotFound
from mixdown.tasks.base import TaskSpec

BUILTIN_TASKS = (
    "mixdown.tasks.convert",
    "mixdown.tasks.cut",
    "mixdown.tasks.generate",
    "mixdown.tasks.sfx",
    "mixdown.tasks.speed",
    "mixdown.tasks.master",
    "mixdown.tasks.tts",
    "mixdown.tasks.denoise",
    "mixdown.tasks.dereverb",
    "mixdown.tasks.deecho",
    "mixdown.tasks.transcribe",
    "mixdown.tasks.key_bpm",
    "mixdown.tasks.audio_to_midi",
    "mixdown.tasks.extract",
    "mixdown.tasks.voice_change",
    "mixdown.tasks.cover",
    "mixdown.tasks.sing",
    "mixdown.tasks.lyrics",
)


class TaskRegistry:
    """Tasks by name."""

    def __init__(self, specs: Iterable[TaskSpec] = ()) -> None:
        self._specs: dict[str, TaskSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: TaskSpec) -> None:
        """Add a task; names are unique."""
        if spec.name in self._specs:
            raise ValueError(f"task {spec.name!r} registered twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> TaskSpec:
        """The task called ``name``; ``NotFound`` otherwise."""
        try:
            return self._specs[name]
        except KeyError:
            raise NotFound(f"Unknown task {name!r}", field="task") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[TaskSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        """Registered task names, sorted."""
        return sorted(self._specs)


def load_builtin_registry(modules: Iterable[str] = BUILTIN_TASKS) -> TaskRegistry:
    """A registry of the built-in tasks; each module exposes ``TASK``."""
    return TaskRegistry(importlib.import_module(name).TASK for name in modules)
