"""Which engines this server has, whether each can run here, and which one a task uses by default.

An engine is anything with a ``name``, a ``kind`` ("music", "speech", ...), ``availability()``
and ``info()``. Engines that need nothing at run time (the embedded composer) register as static
entries. ``engines_view`` is the body of ``GET /v1/models``.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from mixdown.errors import EngineUnavailable, ValidationFailed
from mixdown.tasks.base import Availability


@dataclass(frozen=True, kw_only=True)
class EngineInfo:
    """What ``GET /v1/models`` says about one engine."""

    name: str
    kind: str
    description: str = ""
    available: bool = True
    reason: str | None = None
    device: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON view: ``id`` and ``name`` (the same), then the fields, then ``details`` inline."""
        body: dict[str, Any] = {
            "id": self.name,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "available": self.available,
            "reason": self.reason,
            "device": self.device,
        }
        body.update({key: value for key, value in self.details.items() if key not in body})
        return body


@runtime_checkable
class Engine(Protocol):
    """A model or synthesis back end."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def availability(self) -> Availability:
        """Whether it can run here, and why not."""
        ...

    def info(self) -> EngineInfo:
        """Its entry in ``GET /v1/models``."""
        ...


class StaticEngine:
    """An engine whose entry never changes (e.g. the embedded composer, always available)."""

    def __init__(self, info: EngineInfo) -> None:
        self._info = info

    @property
    def name(self) -> str:
        return self._info.name

    @property
    def kind(self) -> str:
        return self._info.kind

    def availability(self) -> Availability:
        return Availability(self._info.available, self._info.reason)

    def info(self) -> EngineInfo:
        return self._info


class EngineRegistry:
    """Engines by name, with one default per kind; safe to read from any thread."""

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}
        self._defaults: dict[str, str] = {}
        self._lock = threading.Lock()

    def register(self, engine: Engine, *, default: bool = False) -> Engine:
        """Add ``engine``; ``default`` makes it the engine of its kind when a request names none."""
        with self._lock:
            if engine.name in self._engines:
                raise ValueError(f"engine {engine.name!r} is already registered")
            self._engines[engine.name] = engine
            if default or engine.kind not in self._defaults:
                self._defaults[engine.kind] = engine.name
        return engine

    def register_static(
        self,
        name: str,
        *,
        kind: str,
        description: str = "",
        available: bool = True,
        reason: str | None = None,
        device: str | None = None,
        default: bool = False,
        **details: Any,
    ) -> Engine:
        """Add an entry with no object behind it: ``register_static("mixdown-composer", kind="music")``."""
        info = EngineInfo(
            name=name,
            kind=kind,
            description=description,
            available=available,
            reason=reason,
            device=device,
            details=details,
        )
        return self.register(StaticEngine(info), default=default)

    def get(self, name: str) -> Engine:
        """The engine called ``name``; ``KeyError`` if there is none."""
        with self._lock:
            return self._engines[name]

    def list(self, kind: str | None = None) -> builtins.list[Engine]:
        """Registered engines in registration order, optionally of one kind."""
        with self._lock:
            engines = builtins.list(self._engines.values())
        return [e for e in engines if kind is None or e.kind == kind]

    def default_name(self, kind: str) -> str | None:
        """The name of the default engine of ``kind`` (the first registered unless one was marked)."""
        with self._lock:
            return self._defaults.get(kind)

    def resolve(self, kind: str, name: str | None = None, *, field_name: str = "model") -> Engine:
        """The engine a request asked for (``None``: the default of ``kind``), checked to run here.

        Raises ``ValidationFailed`` (422) for an unknown name or wrong kind and
        ``EngineUnavailable`` (503) with the engine's reason when it cannot run.
        """
        chosen = name or self.default_name(kind)
        if chosen is None:
            raise EngineUnavailable(f"no {kind} engine is registered")
        try:
            engine = self.get(chosen)
        except KeyError:
            known = ", ".join(e.name for e in self.list(kind)) or "none"
            raise ValidationFailed(
                f"unknown {kind} model {chosen!r}; known: {known}", field=field_name
            ) from None
        if engine.kind != kind:
            raise ValidationFailed(f"{chosen!r} is a {engine.kind} model, not {kind}", field=field_name)
        state = engine.availability()
        if not state.available:
            raise EngineUnavailable(f"{chosen} is unavailable: {state.reason}")
        return engine


def engines_view(registry: EngineRegistry, *, kind: str | None = None) -> builtins.list[dict[str, Any]]:
    """The body of ``GET /v1/models``: one dict per engine, with ``default`` marking each kind's default."""
    rows = []
    for engine in registry.list(kind):
        row = _safe_info(engine).to_dict()
        row["default"] = registry.default_name(engine.kind) == engine.name
        rows.append(row)
    return rows


def _safe_info(engine: Engine) -> EngineInfo:
    """An engine that fails to describe itself is listed as unavailable, not a 500."""
    try:
        return engine.info()
    except Exception as exc:
        return EngineInfo(name=engine.name, kind=engine.kind, available=False, reason=f"info failed: {exc}")
