"""The ``musicgen`` model behind the generate task's engine interface."""

from __future__ import annotations

import hashlib
import json
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

    def generate(
        self, plan: GenerationRequest, *, seed: int, variation: int, ctx: TaskContext, progress: Progress
    ) -> dict[str, Any]:
        """One variation: generate, write, describe."""
        audio = self.engine.generate(
            plan.prompt,
            duration=plan.duration,
            seed=seed,
            temperature=plan.temperature,
            top_k=plan.top_k,
            top_p=plan.top_p,
            guidance_scale=plan.guidance_scale,
            sample_rate_out=plan.sample_rate,
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
    blob = json.dumps({"engine": "musicgen", "prompt": plan.prompt, "duration": plan.duration, "seed": seed})
    return hashlib.sha256(blob.encode()).hexdigest()[:32]
