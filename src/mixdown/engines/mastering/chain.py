"""The mastering chain: level -> reference match -> preset colour -> loudness and true-peak limiting.

1. The input is measured (BS.1770 integrated loudness, true peak, EBU loudness range) and gained to
   the target loudness, so every later stage sees a known level (presets' compressor thresholds
   are relative to it).
2. With a reference: its spectrum and width are matched (:mod:`~mixdown.engines.mastering.reference`).
3. The preset's EQ, compressor and width (:mod:`~mixdown.engines.mastering.presets`).
4. The gain into the true-peak limiter is searched until the output is within 0.1 LU of the target
   (:mod:`~mixdown.engines.mastering.target`), and the output is measured again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixdown.engines.mastering.meter import LoudnessReport, measure
from mixdown.engines.mastering.presets import PRESETS, PresetName
from mixdown.engines.mastering.reference import Match, Profile, apply_match, plan_match, profile
from mixdown.engines.mastering.target import Limited, integrated, to_loudness

DEFAULT_MAX_EQ_DB = 6.0
SILENT_PEAK_DB = -80.0  # peaks of a few 16-bit LSBs at most: nothing to master
PRE_GAIN_PEAK_DB = -20.0


@dataclass(frozen=True, kw_only=True)
class MasterSettings:
    """Where the master lands and how it is coloured."""

    target_lufs: float = -14.0
    true_peak_db: float = -1.0
    preset: PresetName = "balanced"
    max_eq_db: float = DEFAULT_MAX_EQ_DB


@dataclass
class Mastered:
    """A master and what was measured and done on the way."""

    audio: np.ndarray
    before: LoudnessReport
    after: LoudnessReport
    limited: Limited
    ceiling_db: float  # the limiter's true-peak ceiling (lowered for lossy codecs' overshoot)
    match: Match | None = None
    notes: list[str] = field(default_factory=list)


def as_float(audio: np.ndarray) -> np.ndarray:
    """``(frames, channels)`` float32, contiguous (pedalboard and the limiter want it so)."""
    return np.ascontiguousarray(audio, dtype=np.float32)


def master(
    audio: np.ndarray, sample_rate: int, settings: MasterSettings, *, reference: Profile | None = None
) -> Mastered:
    """Master float ``(frames, channels)`` audio (mono or stereo) to ``settings``.

    Parameters
    ----------
    audio : numpy.ndarray
        Float samples, full scale 1.0, one or two channels.
    sample_rate : int
        Their rate in Hz (kept).
    settings : MasterSettings
        Target loudness, true-peak ceiling, preset and the EQ limit of reference matching.
    reference : Profile, optional
        A reference's :func:`~mixdown.engines.mastering.reference.profile` to match.

    Returns
    -------
    Mastered
        The float32 master (same shape) with the measurements before and after.

    Examples
    --------
    >>> sr = 44100
    >>> rng = np.random.default_rng(2)
    >>> quiet = (rng.standard_normal((sr * 5, 2)) * 0.01).astype(np.float32)
    >>> done = master(quiet, sr, MasterSettings(target_lufs=-16.0, true_peak_db=-1.0))
    >>> abs(done.after.integrated_lufs + 16.0) <= 0.1, done.after.true_peak_db <= -1.0
    (True, True)
    """
    return prepare(audio, sample_rate, settings, reference=reference).finish(settings.true_peak_db)


@dataclass
class Prepared:
    """The chain up to the limiter: levelled, matched and coloured audio, ready for :meth:`finish`."""

    coloured: np.ndarray
    sample_rate: int
    target_lufs: float
    before: LoudnessReport
    match: Match | None = None
    notes: list[str] = field(default_factory=list)

    def finish(self, ceiling_db: float, target_lufs: float | None = None) -> Mastered:
        """Limit to the target loudness (or ``target_lufs``) under ``ceiling_db``; callable again."""
        target = self.target_lufs if target_lufs is None else target_lufs
        limited = to_loudness(self.coloured, self.sample_rate, target_lufs=target, true_peak_db=ceiling_db)
        after = measure(limited.audio, self.sample_rate)
        return Mastered(limited.audio, self.before, after, limited, ceiling_db, self.match, list(self.notes))


def prepare(
    audio: np.ndarray, sample_rate: int, settings: MasterSettings, *, reference: Profile | None = None
) -> Prepared:
    """Measure, level to the target, match the reference and apply the preset (see :func:`master`)."""
    samples = as_float(audio)
    before = measure(samples, sample_rate)
    target = settings.target_lufs
    levelled, notes = levelled_to(samples, sample_rate, before, target)
    if levelled is None:
        return Prepared(samples, sample_rate, target, before, notes=notes)
    match = None
    if reference is not None:
        match, levelled = _matched(levelled, sample_rate, reference, settings.max_eq_db)
    coloured = PRESETS[settings.preset].apply(levelled, sample_rate, target_lufs=target)
    return Prepared(coloured, sample_rate, target, before, match, notes)


def levelled_to(
    samples: np.ndarray, sample_rate: int, before: LoudnessReport, target: float
) -> tuple[np.ndarray | None, list[str]]:
    """``samples`` gained to ``target`` LUFS, with notes; None when there is nothing but silence.

    Audio whose every 400 ms block is under BS.1770's -70 LUFS gate has no integrated loudness; if it
    peaks over ``SILENT_PEAK_DB``, it is first brought to a -20 dBFS peak and measured again.
    """
    loudness, notes = before.integrated_lufs, []
    if loudness is None and before.sample_peak_db is not None and before.sample_peak_db > SILENT_PEAK_DB:
        samples = samples * np.float32(10.0 ** ((PRE_GAIN_PEAK_DB - before.sample_peak_db) / 20.0))
        loudness = integrated(samples, sample_rate)
        notes.append(
            "the input is under the -70 LUFS gate: it was measured again after a gain to a -20 dBFS peak"
        )
    if loudness is None:
        return None, ["the input is silent: nothing to normalise"]
    return samples * np.float32(10.0 ** ((target - loudness) / 20.0)), notes


def _matched(
    audio: np.ndarray, sample_rate: int, reference: Profile, max_eq_db: float
) -> tuple[Match | None, np.ndarray]:
    source = profile(audio, sample_rate)
    if source is None:
        return None, audio
    match = plan_match(source, reference, max_eq_db=max_eq_db)
    return match, apply_match(audio, sample_rate, match)
