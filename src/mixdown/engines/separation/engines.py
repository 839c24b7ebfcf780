"""The separation engines in ``GET /v1/models`` (kind ``separation``): the embedded separator and
Demucs, the latter available only with weights in ``<models folder>/demucs`` (read on each call,
so newly copied weights show without a restart)."""

from __future__ import annotations

from pathlib import Path

from mixdown.engines.registry import EngineInfo, EngineRegistry
from mixdown.engines.separation import demucs_engine, embedded
from mixdown.engines.separation.exact import SERVED as EXACT_SERVED
from mixdown.engines.separation.names import STEM_NAMES
from mixdown.tasks.base import Availability

KIND = "separation"


class DemucsEngine:
    """``demucs``: Hybrid Transformer Demucs from local weights."""

    name = "demucs"
    kind = KIND

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir

    def availability(self) -> Availability:
        """Available with a complete model in the models folder."""
        return demucs_engine.availability(self.models_dir)

    def info(self) -> EngineInfo:
        """Installed models, what is wrong with the others, and the stems the default serves."""
        state = self.availability()
        found = demucs_engine.installed(self.models_dir)
        default = found.pick(None)
        sources = demucs_engine.sources_of(default) if default else demucs_engine.FOUR_STEMS
        return EngineInfo(
            name=self.name,
            kind=self.kind,
            description="Hybrid Transformer Demucs (htdemucs) from local weights; engine=demucs",
            available=state.available,
            reason=state.reason,
            device="cpu",
            details={
                "models": sorted(found.models),
                "problems": found.problems,
                "default_model": default,
                "stems": [s for s in STEM_NAMES if s in {"instrumental", "other", *sources}],
            },
        )


def register_separation_engines(registry: EngineRegistry, models_dir: Path) -> None:
    """Add the embedded separator (the default), Demucs and the exact engine to ``registry``."""
    registry.register_static(
        "separation-embedded",
        kind=KIND,
        description="DSP separator (kernel additive modelling, vocal pitch comb, Wiener); engine=embedded",
        default=True,
        stems=list(embedded.SERVED),
    )
    registry.register(DemucsEngine(models_dir))
    registry.register_static(
        "separation-exact",
        kind=KIND,
        description="The stems a generation of this server was rendered with, by from_hash; engine=exact",
        stems=[s for s in STEM_NAMES if s in EXACT_SERVED],
    )
