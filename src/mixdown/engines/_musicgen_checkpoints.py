"""The ``musicgen*`` checkpoint folders under the models folder: what each holds, what is missing.

Only files are read here (``config.json``, the weights and tokenizer names), never torch, so
``GET /v1/models`` stays cheap and sees newly copied weights without a restart.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mixdown.errors import EngineUnavailable

MODEL_TYPES = {"musicgen": False, "musicgen_melody": True}
"""``config.json`` model types this engine loads, and whether each takes a melody."""

_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
_SIZE_ORDER = ("small", "medium", "large")


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    """One ``musicgen*`` folder and whether it can be loaded."""

    name: str
    path: Path
    reason: str | None = None
    melody: bool = False
    sample_rate: int | None = None
    channels: int | None = None

    @property
    def available(self) -> bool:
        """True when nothing is missing."""
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """The public view (no filesystem path)."""
        return {
            "name": self.name,
            "available": self.available,
            "reason": self.reason,
            "melody": self.melody,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
        }


def find_checkpoints(models_dir: Path) -> list[Checkpoint]:
    """Every ``musicgen*`` folder under ``models_dir``, by name."""
    if not models_dir.is_dir():
        return []
    return [inspect_checkpoint(p) for p in sorted(models_dir.glob("musicgen*")) if p.is_dir()]


def inspect_checkpoint(path: Path) -> Checkpoint:
    """What a ``musicgen*`` folder holds, and the first thing missing if it cannot load."""
    config_file = path / "config.json"
    if not config_file.is_file():
        return Checkpoint(name=path.name, path=path, reason=f"config.json missing in {path}")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Checkpoint(name=path.name, path=path, reason=f"config.json unreadable: {exc}")
    model_type = config.get("model_type")
    if model_type not in MODEL_TYPES:
        return Checkpoint(
            name=path.name, path=path, reason=f"config.json is not MusicGen (model_type={model_type})"
        )
    return Checkpoint(
        name=path.name,
        path=path,
        reason=_weights_problem(path) or _tokenizer_problem(path),
        melody=MODEL_TYPES[model_type],
        sample_rate=_int_or_none(config.get("audio_encoder", {}).get("sampling_rate")),
        channels=_int_or_none(config.get("decoder", {}).get("audio_channels", 1)),
    )


def _weights_problem(path: Path) -> str | None:
    present = [name for name in _WEIGHT_FILES if (path / name).is_file()]
    if not present:
        return f"weights file missing (model.safetensors or pytorch_model.bin) in {path}"
    if not present[0].endswith(".index.json"):
        return None
    try:
        shards = set(json.loads((path / present[0]).read_text(encoding="utf-8"))["weight_map"].values())
    except (OSError, ValueError, KeyError) as exc:
        return f"{present[0]} unreadable: {exc}"
    absent = sorted(s for s in shards if not (path / s).is_file())
    return f"weights shard {absent[0]} missing in {path}" if absent else None


def _tokenizer_problem(path: Path) -> str | None:
    if (path / "tokenizer.json").is_file():
        return None
    if not (path / "spiece.model").is_file():
        return f"tokenizer files missing (tokenizer.json or spiece.model) in {path}"
    if (
        importlib.util.find_spec("sentencepiece") is None
        or importlib.util.find_spec("google.protobuf") is None
    ):
        return "spiece.model needs `pip install sentencepiece protobuf` (or copy tokenizer.json in)"
    return None


def missing_requirements() -> str | None:
    """Why the Python side cannot run, with the fix; ``None`` when torch and transformers are there."""
    for module in ("torch", "transformers"):
        if importlib.util.find_spec(module) is None:
            return f"{module} not installed: pip install torch==2.13.0 transformers==5.23.0"
    return None


def named_checkpoint(found: dict[str, Checkpoint], name: str, *, melody: bool) -> Checkpoint:
    """The checkpoint asked for by name, if it exists, is complete and fits the request."""
    checkpoint = found.get(name)
    if checkpoint is None:
        raise ValueError(f"unknown musicgen checkpoint {name!r}; found: {', '.join(sorted(found)) or 'none'}")
    if not checkpoint.available:
        raise EngineUnavailable(f"musicgen checkpoint {name}: {checkpoint.reason}")
    if melody and not checkpoint.melody:
        raise ValueError(f"checkpoint {name} does not take a melody; use a musicgen-melody checkpoint")
    return checkpoint


def size_rank(name: str) -> int:
    return next((i for i, size in enumerate(_SIZE_ORDER) if size in name), len(_SIZE_ORDER))


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None
