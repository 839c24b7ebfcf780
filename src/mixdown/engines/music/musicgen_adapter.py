"""The ``musicgen`` model behind the generate task's engine interface."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from mixdown.engines.music.engine import GenerationRequest, Progress, write_audio
from mixdown.engines.musicgen import MusicGenEngine
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import Availability, TaskContext


class MusicGenAdapter:
    """Generates with a local MusicGen checkpoint; no stems or MIDI (a neural model has none)."""

    name = "musicgen"

    def __init__(self, models_dir: Path) -> None:
        self.engine = MusicGenEngine(models_dir)

    def availability(self) -> Availability:
        """Whether a checkpoint is installed."""
        return self.engine.availability()

    def resolve(
        self, request: GenerationRequest, ctx: TaskContext, from_hash: str | None, variation: str, seed: int
    ) -> tuple[GenerationRequest, int]:
        """MusicGen works from the request itself."""
        if from_hash:
            raise ValidationFailed("from_hash works with the mixdown-composer model only", field="from_hash")
        return request, seed

    def with_melody(
        self, plan: GenerationRequest, melody_audio: Path, strength: float
    ) -> tuple[GenerationRequest, dict[str, Any]]:
        """The request with the melody to follow: a MusicGen-Melody checkpoint conditions every
        window on the melody's chroma (``strength`` has no counterpart there: it follows the chroma)."""
        from mixdown.engines.music.continuation import load_input

        audio, rate = load_input(melody_audio)
        summary = {
            "engine": self.name,
            "conditioning": "chroma",
            "input_duration": round(audio.shape[0] / rate, 3),
            "strength": None,
            "sha256": _file_sha256(melody_audio),
        }
        return replace(plan, melody_audio=melody_audio), summary

    def generate(
        self, plan: GenerationRequest, *, seed: int, variation: int, ctx: TaskContext, progress: Progress
    ) -> dict[str, Any]:
        """One variation: generate, write, describe."""
        melody = None
        if plan.melody_audio is not None:
            from mixdown.engines.music.continuation import load_input

            melody = load_input(plan.melody_audio)
        audio = self.engine.generate(
            plan.prompt,
            duration=plan.duration,
            seed=seed,
            temperature=plan.temperature,
            top_k=plan.top_k,
            top_p=plan.top_p,
            guidance_scale=plan.guidance_scale,
            sample_rate_out=plan.sample_rate,
            melody=melody,
            progress=progress,
        )
        digest = _hash(plan, seed)
        path = write_audio(ctx, audio, plan.sample_rate, f"v{variation}-mix", plan.output_format)
        ctx.add_result(
            path,
            kind="audio",
            format=plan.output_format,
            duration=round(len(audio) / plan.sample_rate, 6),
            sample_rate=plan.sample_rate,
            channels=int(audio.shape[1]),
            seed=seed,
            hash=digest,
            variation=variation,
        )
        info = self.engine.info()
        return {"hash": digest, "checkpoint": info.details.get("default_checkpoint"), "device": info.device}


def _hash(plan: GenerationRequest, seed: int) -> str:
    described = {"engine": "musicgen", "prompt": plan.prompt, "duration": plan.duration, "seed": seed}
    if plan.melody_audio is not None:
        described["melody"] = _file_sha256(plan.melody_audio)
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:32]


def _file_sha256(path: Path) -> str:
    from mixdown.workers.context import file_sha256

    return file_sha256(path)
