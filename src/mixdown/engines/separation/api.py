"""``separate``: named stems of any audio, by the embedded separator or Demucs, in bounded memory.

The reusable entry point for every task that needs stems (``extract``; ``voice-change``,
``cover`` and ``remix`` ask for ``["vocals", "instrumental"]``)::

    found = separate(samples, 44100, ["vocals", "instrumental"])
    found.stems["vocals"], found.method["vocals"]

``engine="auto"`` runs Demucs when its weights are installed (and it serves every stem asked
for), else the embedded separator. A stem the chosen engine cannot serve is a 422 naming
``stems``; see :mod:`.names` for what each name means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf

from mixdown.engines.separation import demucs_engine, embedded
from mixdown.engines.separation.names import OTHER, assign, parse_stems, refuse
from mixdown.engines.separation.spectral import Floats
from mixdown.engines.separation.windows import windowed
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import Availability

EngineName = Literal["auto", "embedded", "demucs"]
Progress = Callable[[float], None]
EMBEDDED_WINDOW_SECONDS = 20.0  # Wiener filtering holds ~10 copies of a window's spectrogram
DEMUCS_WINDOW_SECONDS = 60.0  # demucs splits further into 7.8 s segments itself
OVERLAP_SECONDS = 1.0


@dataclass(frozen=True)
class Plan:
    """Which engine makes which stem from which of its sources."""

    engine: str  # "embedded" | "demucs"
    sources: dict[str, set[str]]  # stem -> engine sources summed into it
    method: dict[str, str]  # stem -> how it is made, for the job's metadata
    model: str | None = None  # the demucs model


@dataclass(frozen=True)
class Separation:
    """Separated stems in memory, float32 ``(frames, channels)`` at the input's rate."""

    stems: dict[str, Floats]
    method: dict[str, str]
    engine: str
    model: str | None = None


@dataclass(frozen=True)
class SeparatedFiles:
    """Separated stems as float WAV files."""

    paths: dict[str, Path]
    method: dict[str, str]
    engine: str
    model: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def plan(
    stems: Sequence[str],
    engine: EngineName = "auto",
    *,
    models_dir: Path | None = None,
    demucs_model: str | None = None,
) -> Plan:
    """The plan for ``stems``; 422 naming ``engine`` or ``stems`` when it cannot be made here."""
    wanted = parse_stems(stems)
    if engine not in ("auto", "embedded", "demucs"):
        raise ValidationFailed(
            f"engine: unknown {engine!r}; use auto, embedded, demucs or exact", field="engine"
        )
    if engine in ("auto", "demucs"):
        chosen = _demucs_plan(wanted, models_dir or _models_dir(), demucs_model, required=engine == "demucs")
        if chosen is not None:
            return chosen
    refuse(wanted, "embedded", embedded.SERVED, "it has no model of that instrument's sound")
    sources = assign(wanted, embedded.SOURCES, dict(embedded.GROUPS))
    return Plan(
        "embedded", sources, {s: _method("embedded", src, embedded.METHODS) for s, src in sources.items()}
    )


def _demucs_plan(
    wanted: tuple[str, ...], models_dir: Path, name: str | None, *, required: bool
) -> Plan | None:
    state = demucs_engine.availability(models_dir, name)
    if not state.available:
        if required:
            raise ValidationFailed(f"engine: demucs is unavailable: {state.reason}", field="engine")
        return None
    model = demucs_engine.installed(models_dir).pick(name)
    assert model is not None
    sources = demucs_engine.sources_of(model)
    groups = {s: {s} for s in sources if s != OTHER}
    served = ("instrumental", "other", *groups)
    if not required and any(s not in served for s in wanted):
        return None  # auto: the embedded separator may serve it
    refuse(wanted, f"demucs ({model})", served, "the model has no such source")
    assigned = assign(wanted, sources, groups)
    notes = {s: f"its {s} source" for s in sources}
    method = {stem: _method(f"demucs {model}", src, notes) for stem, src in assigned.items()}
    return Plan("demucs", assigned, method, model)


def _method(engine: str, sources: set[str], notes: dict[str, str]) -> str:
    if not sources:
        return f"{engine}: nothing left (every source went to another requested stem); silent"
    if len(sources) == 1:
        return f"{engine}: {notes[next(iter(sources))]}"
    return f"{engine}: sum of its {', '.join(sorted(sources))} sources"


def _models_dir() -> Path:
    from mixdown.settings import Settings

    return Settings().resolved_models_dir  # workers export their settings as MIXDOWN_* variables


def pieces(
    samples: Floats,
    sample_rate: int,
    chosen: Plan,
    *,
    models_dir: Path | None = None,
    on_progress: Progress | None = None,
) -> Iterator[tuple[int, dict[str, Floats]]]:
    """``(start, stems)`` blocks tiling the input, window by window (see :mod:`.windows`)."""
    if chosen.engine == "demucs":
        assert chosen.model is not None
        model = demucs_engine.load(models_dir or _models_dir(), chosen.model)

        def run(block: Floats) -> dict[str, Floats]:
            return demucs_engine.separate_block(block, sample_rate, model)

        seconds = DEMUCS_WINDOW_SECONDS
    else:

        def run(block: Floats) -> dict[str, Floats]:
            return embedded.separate_block(block, sample_rate)

        seconds = EMBEDDED_WINDOW_SECONDS
    window, overlap = int(seconds * sample_rate), int(OVERLAP_SECONDS * sample_rate)
    for start, sources in windowed(samples, run, window=window, overlap=overlap, on_progress=on_progress):
        yield start, _combine(sources, chosen.sources, samples[start : start + _length(sources)])


def _length(sources: dict[str, Floats]) -> int:
    return len(next(iter(sources.values())))


def _combine(sources: dict[str, Floats], wanted: dict[str, set[str]], mixture: Floats) -> dict[str, Floats]:
    """Each stem as the sum of its sources (silence for none)."""
    out: dict[str, Floats] = {}
    for stem, names in wanted.items():
        total = np.zeros_like(mixture, dtype=np.float32)
        for name in names:
            total += sources[name]
        out[stem] = total
    return out


def separate(
    samples: Floats,
    sample_rate: int,
    stems: Sequence[str],
    *,
    engine: EngineName = "auto",
    models_dir: Path | None = None,
    demucs_model: str | None = None,
    on_progress: Progress | None = None,
) -> Separation:
    """The named ``stems`` of float32 ``(frames, channels)`` samples, in memory.

    Examples
    --------
    >>> rate = 22050
    >>> t = np.arange(2 * rate) / rate
    >>> mix = np.stack([0.3 * np.sin(2 * np.pi * 220 * t)] * 2, axis=1).astype(np.float32)
    >>> found = separate(mix, rate, ["vocals", "instrumental"], engine="embedded")
    >>> sorted(found.stems), found.engine, found.stems["vocals"].shape
    (['instrumental', 'vocals'], 'embedded', (44100, 2))
    >>> bool(np.allclose(found.stems["vocals"] + found.stems["instrumental"], mix, atol=1e-3))
    True
    """
    chosen = plan(stems, engine, models_dir=models_dir, demucs_model=demucs_model)
    out = {stem: np.zeros_like(samples, dtype=np.float32) for stem in chosen.sources}
    for start, block in pieces(samples, sample_rate, chosen, models_dir=models_dir, on_progress=on_progress):
        for stem, audio in block.items():
            out[stem][start : start + len(audio)] = audio
    return Separation(out, chosen.method, chosen.engine, chosen.model)


def separate_to_files(
    samples: Floats,
    sample_rate: int,
    chosen: Plan,
    folder: Path,
    *,
    models_dir: Path | None = None,
    on_progress: Progress | None = None,
) -> SeparatedFiles:
    """:func:`separate` by a made ``plan``, written as float WAV files into ``folder`` as it goes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {stem: folder / f"{stem}.wav" for stem in chosen.sources}
    writers = {
        stem: sf.SoundFile(path, "w", samplerate=sample_rate, channels=samples.shape[1], subtype="FLOAT")
        for stem, path in paths.items()
    }
    try:
        for _start, block in pieces(
            samples, sample_rate, chosen, models_dir=models_dir, on_progress=on_progress
        ):
            for stem, audio in block.items():
                writers[stem].write(audio)
    finally:
        for writer in writers.values():
            writer.close()
    return SeparatedFiles(paths, chosen.method, chosen.engine, chosen.model)


def separate_voice(samples: Floats, sample_rate: int) -> tuple[Floats, Floats]:
    """``(voice, backing)`` of float32 ``(frames, channels)`` samples: ``vocals`` and
    ``instrumental`` by the ``auto`` engine (what ``voice-change``'s ``remove_background`` calls).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(0, 0.1, (22050, 2)).astype(np.float32)
    >>> voice, backing = separate_voice(x, 22050)
    >>> voice.shape, bool(np.allclose(voice + backing, x, atol=1e-3))
    ((22050, 2), True)
    """
    found = separate(samples, sample_rate, ["vocals", "instrumental"])
    return found.stems["vocals"], found.stems["instrumental"]


def availability() -> Availability:
    """Separation always runs here: the embedded separator needs nothing beyond the install."""
    return Availability(True)
