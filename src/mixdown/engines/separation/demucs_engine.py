"""Demucs (Hybrid Transformer Demucs) from local weights: ``<models folder>/demucs/``.

The folder is a demucs model repository, the layout ``demucs.pretrained.get_model(name,
repo=folder)`` reads: weight files ``<signature>-<sha256 prefix>.th`` (names from demucs's
``remote/files.txt``, e.g. ``955717e8-8726e21a.th``) and one ``<name>.yaml`` per model listing its
signatures (``htdemucs.yaml``: ``models: ['955717e8']``). Nothing downloads: with no complete
model the engine is unavailable, with the reason. ``.th`` files are pickles: install only
weights you trust. See ``docs/extract.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.audio.resample import resample, to_channels
from mixdown.engines.separation.spectral import Floats
from mixdown.tasks.base import Availability

FOLDER = "demucs"
DEFAULT_MODEL = "htdemucs"
PREFERRED = ("htdemucs", "htdemucs_ft", "htdemucs_6s", "hdemucs_mmi")
# The sources of the published models (read from the weights once loaded; this only answers
# "can it serve guitar?" before loading).
SIX_STEMS = ("drums", "bass", "other", "vocals", "guitar", "piano")
FOUR_STEMS = ("drums", "bass", "other", "vocals")

_cache: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Installed:
    """The demucs models under a models folder: complete ones and what is wrong with the others."""

    folder: Path
    models: dict[str, list[str]]  # name -> signatures, every weight file present
    problems: dict[str, str]  # name -> what is missing

    def pick(self, name: str | None) -> str | None:
        """The model to use: ``name`` if complete, else the first preferred one installed."""
        if name is not None:
            return name if name in self.models else None
        for candidate in PREFERRED:
            if candidate in self.models:
                return candidate
        return min(self.models) if self.models else None


def installed(models_dir: Path) -> Installed:
    """What ``models_dir/demucs`` holds (only file names are read: cheap, no torch)."""
    folder = models_dir / FOLDER
    if not folder.is_dir():
        return Installed(folder, {}, {})
    weights = {p.stem.split("-", 1)[0] for p in folder.glob("*.th")}
    models: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    for bag in sorted(folder.glob("*.yaml")):
        signatures = _signatures(bag)
        missing = [sig for sig in signatures if sig not in weights]
        if not signatures:
            problems[bag.stem] = f"{bag.name} lists no models"
        elif missing:
            problems[bag.stem] = f"weights missing for {', '.join(missing)} ({bag.name})"
        else:
            models[bag.stem] = signatures
    return Installed(folder, models, problems)


def _signatures(bag: Path) -> list[str]:
    import yaml  # type: ignore[import-untyped]

    try:
        data = yaml.safe_load(bag.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    found = data.get("models") if isinstance(data, dict) else None
    return [str(s) for s in found] if isinstance(found, list) else []


def availability(models_dir: Path, name: str | None = None) -> Availability:
    """Available when ``demucs`` imports and a complete model (``name`` if given) is installed."""
    try:
        import demucs  # noqa: F401
    except ImportError:
        return Availability(False, "the demucs package is not installed (pip install demucs==4.1.0)")
    found = installed(models_dir)
    if found.pick(name) is not None:
        return Availability(True)
    if name is not None and name in found.problems:
        return Availability(False, f"demucs model {name}: {found.problems[name]}")
    if not found.models and not found.problems:
        return Availability(
            False, f"no Demucs weights in {found.folder} (put htdemucs.yaml and its .th file there)"
        )
    detail = "; ".join(f"{k}: {v}" for k, v in found.problems.items()) or f"installed: {sorted(found.models)}"
    return Availability(False, f"demucs model {name or DEFAULT_MODEL} is not installed ({detail})")


def sources_of(name: str) -> tuple[str, ...]:
    """The sources a model separates, from its name (6 for ``*_6s``, else 4)."""
    return SIX_STEMS if name.endswith("_6s") else FOUR_STEMS


def load(models_dir: Path, name: str) -> Any:
    """The model ``name`` from ``models_dir/demucs``, loaded once per process (CPU, eval mode)."""
    folder = (models_dir / FOLDER).resolve()
    key = (str(folder), name)
    with _lock:
        if key not in _cache:
            from demucs.pretrained import get_model

            _cache[key] = get_model(name, repo=folder)
        return _cache[key]


def separate_block(
    samples: Floats, sample_rate: int, model: Any, *, on_progress: Callable[[float], None] | None = None
) -> dict[str, Floats]:
    """Each of the model's sources for ``(frames, channels)`` samples, at the input's rate and layout.

    The mix goes to the model's rate and channel count and is normalised as demucs's own
    ``separate`` does (zero mean, unit standard deviation of the mono mix); the sources come back
    the same way, so they add up to the input but for the model's error.
    """
    import torch
    from demucs.apply import apply_model

    channels = samples.shape[1]
    mix = to_channels(
        resample(samples, from_rate=sample_rate, to_rate=model.samplerate), model.audio_channels
    )
    tensor = torch.from_numpy(np.ascontiguousarray(mix.T, dtype=np.float32))
    reference = tensor.mean(0)
    mean, std = reference.mean(), reference.std() + 1e-8
    with torch.inference_mode():
        out = apply_model(model, ((tensor - mean) / std)[None], shifts=0, split=True, overlap=0.25)
    sources = (out[0] * std + mean / len(model.sources)).numpy()
    if on_progress is not None:
        on_progress(1.0)
    return {
        name: to_channels(
            resample(np.ascontiguousarray(sources[i].T), from_rate=model.samplerate, to_rate=sample_rate),
            channels,
        ).astype(np.float32)
        for i, name in enumerate(model.sources)
    }
