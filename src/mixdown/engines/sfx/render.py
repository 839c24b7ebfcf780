"""Render a prompt to a finished sound effect: match, synthesise, place, normalise, limit.

The output is stereo float32 of exactly ``round(duration * sample_rate)`` frames,
normalised to an integrated loudness of ``TARGET_LUFS`` (lower for distant or
quiet prompts, higher for loud ones) and never above ``CEILING_DBFS``. A peaky
sound (a gunshot, a click) is allowed at most ``MAX_LIMITING_DB`` of limiting, so
it ends up quieter than the target rather than squashed. Everything is
deterministic for ``(prompt, duration, sample_rate, seed)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mixdown.engines.sfx.dsp import Signal, frames_for
from mixdown.engines.sfx.effects import bitcrush, highpass, loudness, lowpass, metallic, peak_limit, place
from mixdown.engines.sfx.matching import SfxMatch, match_prompt
from mixdown.engines.sfx.recipes import Traits, get_recipe

TARGET_LUFS = -18.0
CEILING_DBFS = -1.0
MAX_LIMITING_DB = 6.0
MAX_DURATION = 60.0
# dB per unit of the "loudness" trait (-1..1), and how much quieter the farthest sound is.
LOUDNESS_RANGE_DB = 8.0
DISTANCE_DROP_DB = 10.0
_FADE_IN = 0.002
_FADE_OUT = 0.015


@dataclass(frozen=True, kw_only=True)
class SfxResult:
    """One rendered sound: the samples and what made them."""

    audio: npt.NDArray[np.float32]
    sample_rate: int
    seed: int
    match: SfxMatch
    loudness: float
    peak_dbfs: float

    @property
    def recipe(self) -> str:
        """Name of the recipe that made the sound."""
        return self.match.recipe

    @property
    def traits(self) -> Traits:
        """The traits read from the prompt."""
        return self.match.traits

    @property
    def frames(self) -> int:
        """Number of sample frames."""
        return int(self.audio.shape[0])

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.frames / self.sample_rate


def render_sfx(
    prompt: str,
    *,
    duration: float,
    sample_rate: int = 44100,
    seed: int = 0,
    match: SfxMatch | None = None,
    use_embeddings: bool | None = None,
) -> SfxResult:
    """Synthesise the sound effect ``prompt`` describes.

    Parameters
    ----------
    prompt : str
        What to make, e.g. ``"heavy rain on a tin roof"`` or ``"short laser zap"``.
    duration : float
        Length in seconds (0 < duration <= ``MAX_DURATION``); the output holds
        exactly ``round(duration * sample_rate)`` frames.
    sample_rate : int
        Output rate in Hz (8000 .. 192000).
    seed : int
        Seeds every random choice; the next seed gives an audibly different take.
    match : SfxMatch, optional
        A match already made for ``prompt`` (saves matching once per variation).
    use_embeddings : bool or None
        Passed to :func:`~mixdown.engines.sfx.matching.match_prompt`.

    Returns
    -------
    SfxResult
        ``(frames, 2)`` float32 audio with the recipe, traits and measured loudness.

    Examples
    --------
    >>> out = render_sfx("coin pickup", duration=0.5, sample_rate=22050, seed=3, use_embeddings=False)
    >>> out.audio.shape, out.recipe, bool(np.abs(out.audio).max() < 0.9)
    ((11025, 2), 'coin', True)
    """
    _check(prompt, duration, sample_rate)
    chosen = match if match is not None else match_prompt(prompt, use_embeddings=use_embeddings)
    raw = get_recipe(chosen.recipe)(np.random.default_rng(seed), duration, sample_rate, chosen.traits)
    if not np.isfinite(raw).all():  # a recipe bug: fail the job rather than ship noise or silence
        raise FloatingPointError(f"recipe {chosen.recipe!r} made non-finite samples (seed {seed})")
    # A second stream for the finishing touches keeps the recipe's draws identical
    # whatever the traits ask of the room, so "close" and "distant" differ only there.
    finishing = np.random.default_rng([seed, 1])
    audio = finish(raw.astype(np.float64), sample_rate, finishing, traits=chosen.traits)
    level = loudness(audio, sample_rate)
    peak = float(np.abs(audio).max(initial=0.0))
    return SfxResult(
        audio=audio.astype(np.float32),
        sample_rate=sample_rate,
        seed=seed,
        match=chosen,
        loudness=round(level, 2) if math.isfinite(level) else level,
        peak_dbfs=round(20.0 * math.log10(peak), 2) if peak > 0 else float("-inf"),
    )


def _check(prompt: str, duration: float, sample_rate: int) -> None:
    if not prompt.strip():
        raise ValueError("the prompt is empty")
    if not (0.0 < duration <= MAX_DURATION and math.isfinite(duration)):
        raise ValueError(f"duration must be in (0, {MAX_DURATION}] seconds, not {duration}")
    if not 8000 <= sample_rate <= 192000:
        raise ValueError(f"sample_rate must be in 8000..192000 Hz, not {sample_rate}")


def finish(x: Signal, sample_rate: int, rng: np.random.Generator, *, traits: Traits) -> Signal:
    """Colour, place, clean and level a recipe's raw output; keeps its length exactly.

    Examples
    --------
    >>> hiss = np.random.default_rng(0).standard_normal((22050, 2))
    >>> out = finish(hiss, 22050, np.random.default_rng(1), traits=Traits())
    >>> out.shape, bool(np.abs(out).max() <= 10 ** (CEILING_DBFS / 20))
    ((22050, 2), True)
    """
    if traits.metallic > 0.0:
        x = metallic(x, sample_rate, rng, amount=traits.metallic)
    if traits.lofi > 0.0:
        x = _crush(x, sample_rate, amount=traits.lofi)
    x = place(x, sample_rate, rng, distance=traits.distance, wet=traits.wet)
    x = highpass(x, sample_rate, cutoff=20.0)
    x = _fade(x, sample_rate)
    x = level(x, sample_rate, target=target_lufs(traits))
    return peak_limit(x, sample_rate, ceiling=10.0 ** (CEILING_DBFS / 20.0))


def target_lufs(traits: Traits) -> float:
    """The loudness to aim for: quieter when far away or asked for quiet, louder when asked for loud."""
    far = float(np.clip((traits.distance - 0.2) / 0.8, 0.0, 1.0))
    return TARGET_LUFS + LOUDNESS_RANGE_DB * traits.loudness - DISTANCE_DROP_DB * far


def level(x: Signal, sample_rate: int, *, target: float) -> Signal:
    """Gain ``x`` to ``target`` LUFS, unless peaks would then need over ``MAX_LIMITING_DB`` of limiting."""
    measured = loudness(x, sample_rate)
    peak = float(np.abs(x).max(initial=0.0))
    if not math.isfinite(measured) or peak <= 0.0:
        return x
    gain = 10.0 ** ((target - measured) / 20.0)
    headroom = 10.0 ** ((CEILING_DBFS + MAX_LIMITING_DB) / 20.0) / peak
    return np.asarray(x * min(gain, headroom), dtype=np.float64)


def _crush(x: Signal, sample_rate: int, *, amount: float) -> Signal:
    """The 8-bit console sound: fewer bits, a lower effective rate, then a soft low-pass."""
    bits = max(3, round(10 - 6 * amount))
    hold = max(1, round(sample_rate / (22050.0 - 10000.0 * amount)))
    peak = max(float(np.abs(x).max(initial=0.0)), 1e-9)
    crushed = bitcrush(x / peak, bits=bits, hold=hold) * peak
    return lowpass(crushed, sample_rate, cutoff=9000.0)


def _fade(x: Signal, sample_rate: int) -> Signal:
    """Tiny fades at both ends so a sound cut at the start or end does not click."""
    frames = len(x)
    ramp_in = min(frames_for(_FADE_IN, sample_rate), frames // 4)
    ramp_out = min(frames_for(_FADE_OUT, sample_rate), frames // 4)
    gain = np.ones(frames)
    if ramp_in:
        gain[:ramp_in] = np.linspace(0.0, 1.0, ramp_in, endpoint=False)
    if ramp_out:
        gain[frames - ramp_out :] = np.linspace(1.0, 0.0, ramp_out)
    return x * gain[:, None]
