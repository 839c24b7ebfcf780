"""The voice changer: :func:`change_voice` (samples in, samples out) and what it measured.

Steps: resolve the preset and the request's shifts into a :class:`Recipe`; if it touches pitch,
formants or excitation, run WORLD (F0 of the mid signal over the whole input, then envelope and
aperiodicity per channel per segment, reshaped and resynthesized); run the preset's effect chain;
bring the loudness (BS.1770) back to the input's.

Channels: F0 is tracked once on the mid (the channels' mean) and every channel is resynthesized on
that one contour, so the glottal pulses of both sides stay aligned (no phasing); each channel keeps
its own envelope, hence its own balance and colour. Identical channels (dual mono) are processed
once. The output has the input's rate, channel count and exact length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mixdown.audio.pcm import Samples, as_frames, to_float32
from mixdown.audio.resample import resample
from mixdown.engines.voice import segments as seg
from mixdown.engines.voice import transform as tf
from mixdown.engines.voice.effects import apply_effect
from mixdown.engines.voice.loudness import match_loudness
from mixdown.engines.voice.presets import PRESET_NAMES, PRESETS, Contour, EffectName, normalize_preset_name
from mixdown.engines.voice.world import (
    MIN_RATE,
    Analysis,
    Float64,
    Quality,
    analyse,
    frame_count,
    synthesize,
    track_f0,
)

Audio = npt.NDArray[np.float32]
Progress = Callable[[float], None]
MAX_PITCH_SEMITONES = 24.0
MAX_FORMANT_SEMITONES = 12.0
MIN_WORLD_SECONDS = 0.1  # shorter inputs are padded with silence for the analysis
_F0_SHARE = 0.4  # of the progress: the F0 pass (Harvest is about half of the work)


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """Everything a change does: total shifts (preset + request) and the preset's extras."""

    preset: str
    pitch: float
    formant: float
    contour: Contour = "follow"
    breath: float = 0.0
    buzz: bool = False
    effect: EffectName = "none"

    @property
    def needs_world(self) -> bool:
        """Whether the voice itself changes (else only the effect chain runs)."""
        moved = self.pitch != 0.0 or self.formant != 0.0
        return moved or self.contour != "follow" or self.breath > 0.0 or self.buzz


def recipe(
    *, preset: str | None = None, pitch_semitones: float = 0.0, formant_semitones: float = 0.0
) -> Recipe:
    """The recipe of a preset (None or ``none``: plain shifts) plus the request's shifts.

    Raises ``ValueError`` naming the valid presets for an unknown one, and for totals beyond
    +-:data:`MAX_PITCH_SEMITONES` / +-:data:`MAX_FORMANT_SEMITONES`.

    Examples
    --------
    >>> r = recipe(preset="Deep_Male", pitch_semitones=-2.0)
    >>> r.preset, r.pitch, r.formant
    ('deep-male', -8.0, -2.0)
    """
    name = normalize_preset_name(preset or "")
    if name != "none" and name not in PRESETS:
        raise ValueError(f"unknown voice preset {preset!r}; valid: {', '.join(PRESET_NAMES)}")
    base = PRESETS.get(name)
    pitch = pitch_semitones + (base.pitch if base else 0.0)
    formant = formant_semitones + (base.formant if base else 0.0)
    if abs(pitch) > MAX_PITCH_SEMITONES:
        raise ValueError(f"the total pitch shift {pitch:+g} is beyond +-{MAX_PITCH_SEMITONES:g} semitones")
    if abs(formant) > MAX_FORMANT_SEMITONES:
        limit = MAX_FORMANT_SEMITONES
        raise ValueError(f"the total formant shift {formant:+g} is beyond +-{limit:g} semitones")
    if base is None:
        return Recipe(preset="none", pitch=pitch, formant=formant)
    return Recipe(
        preset=name,
        pitch=pitch,
        formant=formant,
        contour=base.contour,
        breath=base.breath,
        buzz=base.buzz,
        effect=base.effect,
    )


@dataclass(frozen=True)
class VoiceChanged:
    """The changed samples, and the median F0 (Hz) analysed in and synthesized out."""

    samples: Audio
    recipe: Recipe
    f0_in_hz: float | None = None
    f0_out_hz: float | None = None
    voiced_fraction: float = 0.0
    segments: int = 0


def change_voice(
    samples: Samples,
    sample_rate: int,
    *,
    pitch_semitones: float = 0.0,
    formant_semitones: float = 0.0,
    preset: str | None = None,
    quality: Quality = "high",
) -> Audio:
    """``samples`` with the voice changed: pitch and formants moved, a preset applied.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` (or 1-D mono) samples of any dtype ``to_float32`` takes.
    sample_rate : int
        Their rate in Hz (kept in the output; below 16 kHz WORLD runs on a 16 kHz copy).
    pitch_semitones : float
        Pitch shift, added to the preset's; the formants stay where they are.
    formant_semitones : float
        Formant shift (the spectral envelope's frequencies times ``2 ** (n / 12)``), added to the
        preset's; the pitch stays.
    preset : str, optional
        One of :data:`~mixdown.engines.voice.presets.PRESET_NAMES` (or None / ``none``).
    quality : {"high", "fast"}
        F0 tracker: Harvest (robust) or DIO + StoneMask (about 10 times faster).

    Returns
    -------
    numpy.ndarray
        float32 ``(frames, channels)``, the input's exact length, loudness matched to the input.

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> voice = sum(0.1 * np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    >>> out = change_voice(voice.astype(np.float32), sr, pitch_semitones=12.0, quality="fast")
    >>> out.shape
    (16000, 1)
    """
    plan = recipe(preset=preset, pitch_semitones=pitch_semitones, formant_semitones=formant_semitones)
    return change(samples, sample_rate, plan, quality=quality).samples


def change(
    samples: Samples,
    sample_rate: int,
    plan: Recipe,
    *,
    quality: Quality = "high",
    on_progress: Progress | None = None,
    segment_seconds: float = seg.SEGMENT_SECONDS,
) -> VoiceChanged:
    """:func:`change_voice` for a resolved recipe, with the measured F0 and a progress callback.

    ``segment_seconds`` sets how long inputs are cut (see :mod:`mixdown.engines.voice.segments`).
    """
    audio = to_float32(as_frames(samples))
    report = on_progress or (lambda _done: None)
    if audio.shape[0] == 0:
        return VoiceChanged(audio.copy(), plan)
    changed = VoiceChanged(audio, plan)
    if plan.needs_world:
        changed = _resynthesized(audio, sample_rate, plan, quality, report, segment_seconds)
    shaped = apply_effect(changed.samples, sample_rate, plan.effect)
    out = match_loudness(shaped, audio, sample_rate)
    report(1.0)
    return VoiceChanged(
        out, plan, changed.f0_in_hz, changed.f0_out_hz, changed.voiced_fraction, changed.segments
    )


def _resynthesized(
    audio: Audio, rate: int, plan: Recipe, quality: Quality, report: Progress, segment_seconds: float
) -> VoiceChanged:
    """The WORLD pass, at a rate WORLD handles, back at ``rate`` with the exact length."""
    work_rate = max(rate, MIN_RATE)
    x, length = _world_input(audio, rate, work_rate)
    distinct, column_of = _channel_map(x)
    mid = x.mean(axis=1)
    segments = seg.plan(mid, work_rate, segment_seconds=segment_seconds)
    f0 = _f0_contour(mid, work_rate, segments, quality, report)
    del mid
    target = tf.new_contour(f0, semitones=plan.pitch, contour=plan.contour)
    out = np.zeros((x.shape[0], len(distinct)))
    for done, (segment, column) in enumerate((s, c) for s in segments for c in range(len(distinct))):
        piece = _segment_voice(x[:, distinct[column]], work_rate, segment, f0, target, plan)
        seg.add_segment(out[:, column], piece, segment, fade=seg.fade_length(work_rate))
        report(_F0_SHARE + (1 - _F0_SHARE) * 0.95 * (done + 1) / (len(segments) * len(distinct)))
    full = out[:length][:, column_of]
    back = resample(full.astype(np.float32), from_rate=work_rate, to_rate=rate)
    voiced = f0 > 0
    return VoiceChanged(
        np.asarray(back, dtype=np.float32),
        plan,
        f0_in_hz=tf.median_f0(f0),
        f0_out_hz=tf.median_f0(target),
        voiced_fraction=float(voiced.mean()) if voiced.size else 0.0,
        segments=len(segments),
    )


def _world_input(audio: Audio, rate: int, work_rate: int) -> tuple[Float64, int]:
    """``audio`` as float64 at ``work_rate`` (silence-padded to ``MIN_WORLD_SECONDS``), and its length."""
    x = resample(audio, from_rate=rate, to_rate=work_rate).astype(np.float64)
    length = x.shape[0]
    minimum = round(MIN_WORLD_SECONDS * work_rate)
    if length < minimum:
        x = np.concatenate([x, np.zeros((minimum - length, x.shape[1]))])
    return x, length


def _channel_map(x: Float64) -> tuple[list[int], list[int]]:
    """The channels to process (the first of each group of identical ones), and each channel's column.

    Examples
    --------
    >>> a = np.arange(4.0)
    >>> _channel_map(np.stack([a, a, -a], axis=1))
    ([0, 2], [0, 0, 1])
    """
    kept: list[int] = []
    column_of: list[int] = []
    for c in range(x.shape[1]):
        twin = next((i for i, k in enumerate(kept) if np.array_equal(x[:, c], x[:, k])), None)
        if twin is None:
            kept.append(c)
            twin = len(kept) - 1
        column_of.append(twin)
    return kept, column_of


def _f0_contour(
    mid: Float64, rate: int, segments: list[seg.Segment], quality: Quality, report: Progress
) -> Float64:
    """The whole signal's F0, each segment's frames tracked with its margins as context."""
    f0 = np.zeros(frame_count(mid.shape[0], rate))
    for done, segment in enumerate(segments):
        local = track_f0(mid[segment.region_start : segment.region_stop], rate, quality=quality)
        first, stop = segment.frames
        f0[first:stop] = _window(local, first - segment.first_frame, stop - first)
        report(_F0_SHARE * (done + 1) / len(segments))
    return f0


def _segment_voice(
    x: Float64, rate: int, segment: seg.Segment, f0: Float64, target: Float64, plan: Recipe
) -> Float64:
    """One channel of one segment's region, analysed on ``f0`` and resynthesized on ``target``."""
    region = x[segment.region_start : segment.region_stop]
    frames = frame_count(region.shape[0], rate)
    found = analyse(region, rate, _window(f0, segment.first_frame, frames))
    new_f0 = _window(target, segment.first_frame, frames)
    aperiodicity = tf.shape_aperiodicity(found.aperiodicity, found.f0, breath=plan.breath, buzz=plan.buzz)
    envelope = tf.warp_envelope(found.envelope, tf.ratio(plan.formant))
    reshaped = Analysis(f0=new_f0, envelope=envelope, aperiodicity=aperiodicity, sample_rate=rate)
    return synthesize(reshaped, region.shape[0])


def _window(values: Float64, start: int, length: int) -> Float64:
    """``values[start : start + length]``, padded with the last value when it runs out."""
    part = values[start : start + length]
    if part.shape[0] < length:
        fill = part[-1] if part.shape[0] else 0.0
        part = np.concatenate([part, np.full(length - part.shape[0], fill)])
    return part
