"""MusicGen (text-to-music, optionally melody-conditioned) on transformers, from local weights.

Weights never download: checkpoints are ``save_pretrained`` folders named ``musicgen*`` under
the configured models folder (``MIXDOWN_MODELS_DIR``), e.g. ``models/musicgen-small``. The
engine is listed as unavailable, with the reason, until one is there. See ``docs/musicgen.md``.

Durations beyond the model's window are made by windowed continuation: each new window is
conditioned on the audio codes of the last ``context_seconds`` generated, and the windows are
joined with a short crossfade inside that shared stretch.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from mixdown.audio.resample import resample, to_channels
from mixdown.engines._musicgen_checkpoints import (
    Checkpoint,
    find_checkpoints,
    missing_requirements,
    named_checkpoint,
    size_rank,
)
from mixdown.engines.registry import EngineInfo
from mixdown.errors import EngineUnavailable
from mixdown.tasks.base import Availability

if TYPE_CHECKING:
    from mixdown.engines._musicgen_runtime import LoadedMusicGen

FloatArray = npt.NDArray[np.float32]
Progress = Callable[[float], None]

_cache: dict[tuple[str, str], LoadedMusicGen] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Window:
    """One generation window, in audio-code frames of the final piece."""

    start: int
    context: int
    new: int

    @property
    def end(self) -> int:
        """The frame after the window's last."""
        return self.start + self.context + self.new


class MusicGenEngine:
    """The ``musicgen`` engine: checkpoints under ``models_dir/musicgen*/``, loaded once per process."""

    name = "musicgen"
    kind = "music"
    description = "Meta MusicGen (transformers) from local weights; text prompt, optional melody."

    def __init__(
        self,
        models_dir: Path,
        *,
        device: str = "auto",
        window_seconds: float = 30.0,
        context_seconds: float | None = None,
        crossfade_seconds: float = 0.05,
        max_duration: float = 300.0,
        default_checkpoint: str | None = None,
    ) -> None:
        _check_device(device)
        context = 0.4 * window_seconds if context_seconds is None else context_seconds
        if not 0.0 < context < window_seconds:
            raise ValueError(f"need 0 < context_seconds < window_seconds, got {context}, {window_seconds}")
        if crossfade_seconds < 0 or max_duration <= 0:
            raise ValueError("crossfade_seconds must be >= 0 and max_duration > 0")
        self.models_dir = Path(models_dir)
        self.device = device
        self.window_seconds = window_seconds
        self.context_seconds = context
        self.crossfade_seconds = crossfade_seconds
        self.max_duration = max_duration
        self.default_checkpoint = default_checkpoint

    # Discovery and availability.

    def checkpoints(self) -> list[Checkpoint]:
        """Every ``musicgen*`` folder under ``models_dir``, with what (if anything) is missing."""
        return find_checkpoints(self.models_dir)

    def availability(self) -> Availability:
        """Available when torch and transformers import and one checkpoint is complete."""
        missing = missing_requirements()
        if missing is not None:
            return Availability(False, missing)
        found = self.checkpoints()
        if not found:
            return Availability(False, f"no folder {self.models_dir}/musicgen-* (see docs/musicgen.md)")
        if any(c.available for c in found):
            return Availability(True)
        return Availability(False, "; ".join(f"{c.name}: {c.reason}" for c in found))

    def info(self) -> EngineInfo:
        """What ``GET /v1/models`` shows: availability, device, checkpoints, limits."""
        state = self.availability()
        found = self.checkpoints()
        usable = [c for c in found if c.available]
        default = self._default_name(usable, melody=False) if usable else None
        details: dict[str, Any] = {
            "checkpoints": [c.to_dict() for c in found],
            "default_checkpoint": default,
            "sample_rate": next((c.sample_rate for c in usable if c.name == default), None),
            "max_duration": self.max_duration,
            "window_seconds": self.window_seconds,
            "melody": any(c.melody for c in usable),
        }
        return EngineInfo(
            name=self.name,
            kind=self.kind,
            description=self.description,
            available=state.available,
            reason=state.reason,
            device=self._device_for_view(),
            details=details,
        )

    # Loading.

    def load(self, name: str | None = None, *, melody: bool = False) -> LoadedMusicGen:
        """The checkpoint ``name`` (or the default) on this engine's device, loaded once per process."""
        missing = missing_requirements()
        if missing is not None:
            raise EngineUnavailable(f"musicgen: {missing}")
        checkpoint = self._pick(name, melody=melody)
        from mixdown.engines import _musicgen_runtime as runtime

        device = runtime.resolve_device(self.device)
        key = (str(checkpoint.path.resolve()), device)
        with _cache_lock:
            if key not in _cache:
                _cache[key] = runtime.load_checkpoint(
                    checkpoint.path, name=checkpoint.name, device=device, melody=checkpoint.melody
                )
            return _cache[key]

    def _pick(self, name: str | None, *, melody: bool) -> Checkpoint:
        found = {c.name: c for c in self.checkpoints()}
        if name is not None:
            return named_checkpoint(found, name, melody=melody)
        usable = [c for c in found.values() if c.available]
        if not usable:
            raise EngineUnavailable(f"musicgen: {self.availability().reason}")
        chosen = found[self._default_name(usable, melody=melody)]
        if melody and not chosen.melody:
            raise ValueError(
                f"no musicgen checkpoint here takes a melody (found: {', '.join(sorted(found))}); "
                "add a musicgen-melody folder"
            )
        return chosen

    def _default_name(self, usable: list[Checkpoint], *, melody: bool) -> str:
        for c in usable:
            if c.name == self.default_checkpoint and (c.melody or not melody):
                return c.name
        # Prefer the kind asked for (melody or plain), then the smallest, then by name.
        ranked = sorted(usable, key=lambda c: (c.melody != melody, size_rank(c.name), c.name))
        return ranked[0].name

    def _device_for_view(self) -> str:
        """The resolved device when torch is already imported; else the setting (``auto``)."""
        if self.device != "auto" or "torch" not in sys.modules:
            return self.device
        from mixdown.engines._musicgen_runtime import resolve_device

        return resolve_device(self.device)

    # Generation.

    def generate(
        self,
        prompt: str,
        *,
        duration: float,
        seed: int,
        temperature: float = 1.0,
        top_k: int = 250,
        top_p: float = 0.0,
        guidance_scale: float = 3.0,
        sample_rate_out: int = 32000,
        melody: tuple[FloatArray, int] | None = None,
        progress: Progress | None = None,
        checkpoint: str | None = None,
    ) -> FloatArray:
        """Music for ``prompt``: float32 ``(round(duration * sample_rate_out), channels)``.

        Parameters
        ----------
        prompt : str
            Text description ("" for unconditional generation).
        duration : float
            Seconds, up to ``max_duration``; beyond ``window_seconds`` windows are chained.
        seed : int
            Same seed, parameters and checkpoint -> the same audio on the same device.
        temperature, top_k, top_p, guidance_scale
            Sampling: temperature 0 is greedy; ``top_k``/``top_p`` of 0 are off;
            ``guidance_scale`` > 1 enables classifier-free guidance.
        sample_rate_out : int
            Output rate; the model's own rate (32 kHz) is resampled with soxr.
        melody : (samples, sample_rate), optional
            Audio whose chroma conditions a MusicGen-Melody checkpoint (looped if shorter).
        progress : callable, optional
            Called with the finished fraction after each window.
        checkpoint : str, optional
            Folder name under ``models_dir``; the default checkpoint otherwise.

        Examples
        --------
        >>> engine = MusicGenEngine(Path("models"))  # doctest: +SKIP
        >>> audio = engine.generate("lo-fi piano", duration=8.0, seed=1)  # doctest: +SKIP
        >>> audio.shape  # doctest: +SKIP
        (256000, 1)
        """
        _check_generate_args(duration, self.max_duration, sample_rate_out, temperature, top_k, top_p)
        model = self.load(checkpoint, melody=melody is not None)
        from mixdown.engines import _musicgen_runtime as runtime

        sampling = runtime.Sampling(
            temperature=temperature, top_k=top_k, top_p=top_p, guidance_scale=guidance_scale
        )
        total = int(np.ceil(duration * model.frame_rate))
        windows = plan_windows(total, window=self._window_frames(model), context=self._context_frames(model))
        guide = _melody_at_model_rate(melody, model.sample_rate, total * model.hop) if melody else None

        def one_window(window: Window, context: FloatArray | None) -> FloatArray:
            chroma = None
            if guide is not None:
                chroma = model.melody_chroma(guide[window.start * model.hop : window.end * model.hop])
            return model.generate_window(
                prompt, new_frames=window.new, context=context, chroma=chroma, sampling=sampling
            )

        with runtime.seeded(seed, model.device):
            audio = run_windows(
                windows,
                one_window,
                hop=model.hop,
                crossfade=round(self.crossfade_seconds * model.sample_rate),
                progress=progress,
            )
        out = resample(audio.T, from_rate=model.sample_rate, to_rate=sample_rate_out)
        return fit_length(out, round(duration * sample_rate_out))

    def _window_frames(self, model: LoadedMusicGen) -> int:
        return max(2, min(int(self.window_seconds * model.frame_rate), model.max_window_frames))

    def _context_frames(self, model: LoadedMusicGen) -> int:
        return min(max(1, round(self.context_seconds * model.frame_rate)), self._window_frames(model) - 1)


# Windowed continuation (pure numpy).


def plan_windows(total: int, *, window: int, context: int) -> list[Window]:
    """Windows covering ``total`` frames: the first ``window`` long, then ``window - context`` new each.

    Examples
    --------
    >>> [(w.start, w.context, w.new) for w in plan_windows(60, window=25, context=10)]
    [(0, 0, 25), (15, 10, 15), (30, 10, 15), (45, 10, 5)]
    """
    if total < 1 or not 0 < context < window:
        raise ValueError(f"need total >= 1 and 0 < context < window, got {total}, {context}, {window}")
    windows = [Window(0, 0, min(total, window))]
    done = windows[0].new
    while done < total:
        new = min(total - done, window - context)
        windows.append(Window(done - context, context, new))
        done += new
    return windows


def run_windows(
    windows: list[Window],
    generate: Callable[[Window, FloatArray | None], FloatArray],
    *,
    hop: int,
    crossfade: int,
    progress: Progress | None = None,
) -> FloatArray:
    """Generate and splice the windows; ``generate`` returns ``(channels, samples)`` incl. its context."""
    total = windows[-1].end
    audio = generate(windows[0], None)
    if progress is not None:
        progress(windows[0].end / total)
    for window in windows[1:]:
        piece = generate(window, audio[:, window.start * hop :])
        audio = splice(audio, piece, overlap=window.context * hop, crossfade=crossfade)
        if progress is not None:
            progress(window.end / total)
    return audio


def splice(head: FloatArray, tail: FloatArray, *, overlap: int, crossfade: int) -> FloatArray:
    """Join ``tail``, whose first ``overlap`` samples re-render the end of ``head``.

    The raised-cosine crossfade sits in the middle of the overlap, away from both pieces'
    edges (where the codec decoder lacks context). The result is ``len(head) + len(tail) - overlap``.
    """
    crossfade = min(crossfade, overlap)
    at = (overlap - crossfade) // 2
    cut = head.shape[1] - overlap + at
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(crossfade, dtype=np.float32) + 0.5) / max(crossfade, 1))
    blend = head[:, cut : cut + crossfade] * (1.0 - ramp) + tail[:, at : at + crossfade] * ramp
    return np.concatenate([head[:, :cut], blend.astype(np.float32), tail[:, at + crossfade :]], axis=1)


def fit_length(samples: FloatArray, frames: int) -> FloatArray:
    """``(frames, channels)``: cut, or zero-padded at the end."""
    if len(samples) >= frames:
        return np.ascontiguousarray(samples[:frames], dtype=np.float32)
    pad = np.zeros((frames - len(samples), samples.shape[1]), dtype=np.float32)
    return np.concatenate([samples.astype(np.float32), pad])


# Helpers.


def _melody_at_model_rate(melody: tuple[FloatArray, int], rate: int, samples: int) -> FloatArray:
    """Mono float32 melody at ``rate``, looped or cut to ``samples``."""
    audio, melody_rate = melody
    frames = np.asarray(audio, dtype=np.float32)
    if frames.size == 0 or not np.all(np.isfinite(frames)):
        raise ValueError("melody must be non-empty, finite audio")
    mono = to_channels(frames if frames.ndim == 2 else frames[:, None], 1)
    mono = resample(mono, from_rate=int(melody_rate), to_rate=rate)[:, 0]
    return np.resize(mono, samples).astype(np.float32)


def _check_device(device: str) -> None:
    if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
        raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps, got {device!r}")


def _check_generate_args(
    duration: float, max_duration: float, rate: int, temperature: float, top_k: int, top_p: float
) -> None:
    if not 0.0 < duration <= max_duration:
        raise ValueError(f"duration must be in (0, {max_duration}] seconds, got {duration}")
    if not 8000 <= rate <= 192000:
        raise ValueError(f"sample_rate_out must be in 8000..192000, got {rate}")
    if temperature < 0 or top_k < 0 or not 0.0 <= top_p <= 1.0:
        raise ValueError("need temperature >= 0, top_k >= 0 and 0 <= top_p <= 1")
