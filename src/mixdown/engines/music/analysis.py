"""Listening to a piece: tempo, beat grid, downbeats, key and a chord per bar, in plain numpy.

Tempo starts from ``quality.estimate_tempo`` (the autocorrelation of a spectral-flux onset
envelope); the beat grid is then fitted as a constant-tempo comb: every period within 3 % of that
tempo and every phase are scored by the mean onset strength under their beats, which pins the tempo
to a few hundredths of a bpm on steady music. Downbeats are the beat phase (in bars of 3 or 4
beats) where harmony changes and low-frequency onsets (kick, bass) gather; key is
``quality.estimate_key`` on the chroma; each bar's chord is the major or minor triad whose template
(with harmonics, as the key templates) best correlates with the bar's chroma.

Measured on 51 rendered 30 s pieces (17 styles x 3 seeds, 112-136 bpm) and 6 excerpts of each: the
grid lands within a few ms of the score's beats, tempo within 2 % and the downbeat right on 278 of
306 excerpts. The misses are syncopated funk (the grid locks half a beat off) and some waltzes (read
at half tempo). Nothing here imports librosa: its numba JIT costs 30+ s on a cold start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

from mixdown.engines.music.quality import (
    _FLUX_FRAME,
    _FLUX_HOP,
    ANALYSIS_RATE,
    chroma,
    estimate_key,
    estimate_tempo,
    onset_envelope,
)
from mixdown.engines.music.spec import NOTE_NAMES

FRAME_RATE = ANALYSIS_RATE / _FLUX_HOP
# Flux value j compares the frames starting at hops j and j + 1: an onset peaks there once it is
# about half a window into the later frame, plus the attack of real instruments (measured on
# rendered pieces: the fitted grid then lands within a few ms of the score's beats).
ENVELOPE_DELAY = (_FLUX_HOP + _FLUX_FRAME / 2) / ANALYSIS_RATE + 0.010
# Tempi read outside this band are checked for a beat at half (or twice) the rate.
FAST_BPM, SLOW_BPM = 140.0, 72.0
ALTERNATION = 1.35  # on-beat / off-beat onset strength that marks a reading at twice the tempo
_CHROMA_FRAME, _CHROMA_HOP = 4096, 512
_TRIADS = ((0, 4, 7), (0, 3, 7))


@dataclass(frozen=True)
class BarChord:
    """The chord heard in one bar."""

    start: float
    end: float
    root: int
    quality: str  # "major" | "minor"

    @property
    def symbol(self) -> str:
        """E.g. "Am"."""
        return NOTE_NAMES[self.root] + ("m" if self.quality == "minor" else "")


@dataclass(frozen=True)
class Analysis:
    """What was heard: tempo and grid (seconds from the start of the audio), key and chords."""

    bpm: float
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    beats_per_bar: int
    key_tonic: int
    mode: str  # "major" | "minor"
    key_confidence: float
    chords: tuple[BarChord, ...]
    duration: float

    @property
    def key(self) -> str:
        """E.g. "A minor"."""
        return f"{NOTE_NAMES[self.key_tonic]} {self.mode}"

    def nearest_downbeat(self, seconds: float, *, latest: float | None = None) -> float:
        """The downbeat nearest ``seconds`` (not after ``latest``); ``seconds`` when none is."""
        limit = self.duration if latest is None else latest
        options = [d for d in self.downbeats if d <= limit + 1e-9]
        return min(options, key=lambda d: abs(d - seconds)) if options else seconds

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly summary for a job's metadata."""
        return {
            "bpm": round(self.bpm, 3),
            "key": self.key,
            "key_confidence": round(self.key_confidence, 3),
            "time_signature": f"{self.beats_per_bar}/4",
            "beats": len(self.beats),
            "chords": [
                {"start": round(c.start, 3), "end": round(c.end, 3), "symbol": c.symbol} for c in self.chords
            ],
        }


def to_analysis_rate(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at ``ANALYSIS_RATE`` from ``(frames,)`` or ``(frames, channels)`` audio."""
    mono = np.asarray(audio, dtype=np.float32)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    if sample_rate == ANALYSIS_RATE:
        return mono
    return np.asarray(soxr.resample(mono, sample_rate, ANALYSIS_RATE, quality="HQ"), dtype=np.float32)


def _smoothed(envelope: np.ndarray) -> np.ndarray:
    kernel = np.exp(-0.5 * np.arange(-3, 4) ** 2)
    return np.convolve(envelope, kernel / kernel.sum(), mode="same")


def fit_grid(
    envelope: np.ndarray, frame_rate: float, bpm: float, *, spread: float = 0.03
) -> tuple[float, float]:
    """``(period, phase)`` in seconds of the constant-tempo beat grid that best fits ``envelope``.

    Parameters
    ----------
    envelope
        An onset envelope (value ``j`` at ``j / frame_rate`` seconds).
    frame_rate
        Envelope values per second.
    bpm
        A first tempo estimate; periods within ``spread`` of it are tried in 0.05 % steps.

    Examples
    --------
    >>> rate = 100.0
    >>> env = np.zeros(3000)
    >>> env[(np.arange(0.25, 29.0, 60 / 123) * rate).round().astype(int)] = 1.0
    >>> period, phase = fit_grid(env, rate, 120.0)
    >>> round(60 / period, 1), round(phase, 2)
    (123.0, 0.25)
    """
    env = _smoothed(envelope)
    positions = np.arange(env.size, dtype=np.float64)
    best = (-np.inf, 60.0 / bpm, 0.0)
    for factor in np.arange(1.0 - spread, 1.0 + spread + 1e-9, 0.0005):
        period = 60.0 / (bpm * float(factor))
        count = int(env.size / frame_rate / period)
        if count < 2:
            continue
        phases = np.arange(0.0, period, 0.5 / frame_rate)
        times = phases[:, None] + period * np.arange(count)[None, :]
        score = np.interp(times * frame_rate, positions, env, right=0.0).mean(axis=1)
        i = int(np.argmax(score))
        if score[i] > best[0]:
            best = (float(score[i]), period, float(phases[i]))
    return best[1], best[2]


def _grid_strength(envelope: np.ndarray, period: float, phase: float) -> np.ndarray:
    """Mean onset strength under the even and the odd beats of a grid, ``[even, odd]``."""
    env = _smoothed(envelope)
    count = int(env.size / FRAME_RATE / period)
    times = (phase + period * np.arange(count)) * FRAME_RATE
    values = np.interp(times, np.arange(env.size, dtype=np.float64), env, right=0.0)
    return np.array([values[0::2].mean(), values[1::2].mean()]) if count >= 4 else np.ones(2)


def metrical_level(envelope: np.ndarray, period: float, phase: float) -> tuple[float, float]:
    """``(period, phase)`` moved to the beat level: a fast reading whose every other beat is weak
    (eighths heard as beats) is halved; a slow one whose off-beats are as strong is doubled.

    Examples
    --------
    >>> env = np.zeros(4000)
    >>> env[np.arange(0, 3990, 30)] = 1.0   # strong beats at 86 bpm (43.07 frames/s)...
    >>> env[np.arange(15, 3990, 30)] = 0.3  # ...and weak eighths between them
    >>> period, phase = metrical_level(env, 15 / FRAME_RATE, 0.0)
    >>> round(60 / period)
    86
    """
    bpm = 60.0 / period
    if bpm > FAST_BPM:
        even, odd = (
            _grid_strength(envelope, 2 * period, phase),
            _grid_strength(envelope, 2 * period, phase + period),
        )
        strong, weak = max(even[0], odd[0]), min(even[0], odd[0])
        if strong > ALTERNATION * max(weak, 1e-9):
            return 2 * period, phase if even[0] >= odd[0] else phase + period
    elif bpm < SLOW_BPM:
        on, off = (
            _grid_strength(envelope, period, phase)[0],
            _grid_strength(envelope, period, phase + period / 2)[0],
        )
        if off * ALTERNATION >= on:
            return period / 2, phase
    return period, phase


def _stft_bands(signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame (hop 512 at 11025 Hz): 12 chroma values (65 Hz-1 kHz) and low-band energy (<150 Hz)."""
    window = np.hanning(_CHROMA_FRAME).astype(np.float32)
    count = 1 + max(0, signal.shape[0] - _CHROMA_FRAME) // _CHROMA_HOP
    padded = np.concatenate([signal, np.zeros(_CHROMA_FRAME, dtype=np.float32)])
    freqs = np.fft.rfftfreq(_CHROMA_FRAME, 1.0 / ANALYSIS_RATE)
    usable = (freqs >= 65.0) & (freqs <= 1000.0)
    classes = np.round(12 * np.log2(freqs[usable] / 440.0) + 69).astype(int) % 12
    low = freqs < 150.0
    chromas, lows = [], []
    for first in range(0, count, 512):
        idx = np.arange(first, min(count, first + 512))[:, None] * _CHROMA_HOP + np.arange(_CHROMA_FRAME)
        mags = np.abs(np.fft.rfft(padded[idx] * window, axis=1))
        lows.append(np.log1p(10.0 * mags[:, low].sum(axis=1)))
        band = np.sqrt(mags[:, usable])
        per_class = np.zeros((band.shape[0], 12))
        for pc in range(12):
            per_class[:, pc] = band[:, classes == pc].sum(axis=1)
        chromas.append(per_class / np.maximum(1e-9, per_class.sum(axis=1, keepdims=True)))
    if not chromas:
        return np.zeros((0, 12)), np.zeros(0)
    return np.concatenate(chromas), np.concatenate(lows)


def _frame_of(seconds: float) -> int:
    """The chroma frame centred nearest ``seconds``."""
    return max(0, round((seconds * ANALYSIS_RATE - _CHROMA_FRAME / 2) / _CHROMA_HOP))


def _segment_chroma(frames: np.ndarray, start: float, end: float) -> np.ndarray:
    a, b = _frame_of(start), max(_frame_of(start) + 1, _frame_of(end))
    part = frames[a:b]
    return part.mean(axis=0) if part.size else np.zeros(12)


def _beat_features(chromas: np.ndarray, lows: np.ndarray, beats: np.ndarray, period: float) -> np.ndarray:
    """Per beat: the harmonic change between the two beats before it and the two from it, plus
    half the low-band onset on it (each scaled to mean 1). Chords change on bar lines; kicks help
    less (four-on-the-floor and syncopated bass are everywhere)."""
    novelty, kick = np.zeros(beats.size), np.zeros(beats.size)
    rising = np.maximum(0.0, np.diff(lows, prepend=lows[:1] if lows.size else 0.0))
    for i, beat in enumerate(beats.tolist()):
        before = _segment_chroma(chromas, beat - 2 * period, beat)
        after = _segment_chroma(chromas, beat, beat + 2 * period)
        novelty[i] = float(np.abs(after - before).sum())
        frame = _frame_of(beat)
        kick[i] = float(rising[frame : frame + 2].sum()) if frame < rising.size else 0.0
    return np.asarray(_unit_mean(novelty) + 0.5 * _unit_mean(kick))


def _unit_mean(values: np.ndarray) -> np.ndarray:
    mean = float(values.mean()) if values.size else 0.0
    return values / mean if mean > 0 else values


def _scatter(chromas: np.ndarray, per_bar: int, phase: int) -> float:
    """Mean chroma scatter inside the bars a downbeat phase implies (chords hold through a bar)."""
    bars = [chromas[k : k + per_bar] for k in range(phase, chromas.shape[0] - per_bar + 1, per_bar)]
    return float(np.mean([((bar - bar.mean(axis=0)) ** 2).sum() for bar in bars])) if bars else 0.0


def downbeat_phase(features: np.ndarray, chromas: np.ndarray | None = None) -> tuple[int, int]:
    """``(beats_per_bar, first downbeat index)`` from per-beat features and chroma.

    Each phase scores the mean feature of its beats (relative to the mean over phases) minus twice
    the chroma scatter inside the bars it implies (relative likewise): bar lines sit where harmony
    changes and between which it holds. Four beats to the bar unless three score clearly better.

    Examples
    --------
    >>> features = np.tile([0.5, 0.5, 3.0, 0.5], 8)
    >>> downbeat_phase(features)
    (4, 2)
    """
    if features.size < 2:
        return 4, 0
    best: dict[int, tuple[float, int]] = {}
    for per_bar in (3, 4):
        contrast = np.array([features[p::per_bar].mean() for p in range(per_bar)])
        score = contrast / max(1e-9, float(contrast.mean()))
        if chromas is not None and chromas.shape[0] >= 2 * per_bar:
            scatter = np.array([_scatter(chromas, per_bar, p) for p in range(per_bar)])
            score = score - 2.0 * scatter / max(1e-9, float(scatter.mean()))
        phase = int(np.argmax(score))
        best[per_bar] = (float(score[phase] - score.mean()), phase)
    per_bar = 3 if best[3][0] > 1.15 * best[4][0] + 0.05 else 4
    return per_bar, best[per_bar][1]


def _triad_templates() -> list[tuple[np.ndarray, int, str]]:
    from mixdown.engines.music.quality import _with_harmonics

    out = []
    for intervals, quality in zip(_TRIADS, ("major", "minor"), strict=True):
        base = np.zeros(12)
        base[list(intervals)] = 1.0
        heard = _with_harmonics(base)
        out += [(np.roll(heard, root), root, quality) for root in range(12)]
    return out


def bar_chord(profile: np.ndarray) -> tuple[int, str]:
    """``(root, "major"|"minor")`` of the triad whose template best matches a 12-value chroma.

    Examples
    --------
    >>> profile = np.zeros(12)
    >>> profile[[9, 0, 4]] = 1.0  # A, C, E
    >>> bar_chord(profile)
    (9, 'minor')
    """
    if not np.any(profile):
        return 0, "major"
    scores = [(float(np.corrcoef(profile, t)[0, 1]), root, quality) for t, root, quality in _TEMPLATES]
    _, root, quality = max(scores)
    return root, quality


_TEMPLATES = _triad_templates()


def analyse(audio: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> Analysis:
    """Tempo, beats, downbeats, key and chords of ``audio``.

    Parameters
    ----------
    audio
        ``(frames,)`` or ``(frames, channels)`` float samples.
    sample_rate
        Its rate.
    offset
        Added to every time reported (when ``audio`` is an excerpt starting there).

    Returns
    -------
    Analysis
        Beats and downbeats cover the whole excerpt on one constant-tempo grid.

    Examples
    --------
    >>> sr = 11025
    >>> t = np.arange(sr * 8) / sr
    >>> clicks = np.zeros(t.size, dtype=np.float32)
    >>> for beat in np.arange(0.0, 8.0, 0.5):
    ...     clicks[int(beat * sr): int(beat * sr) + 200] = np.sin(2 * np.pi * 1000 * t[:200])
    >>> round(analyse(clicks, sr).bpm)
    120
    """
    signal = to_analysis_rate(audio, sample_rate)
    duration = signal.shape[0] / ANALYSIS_RATE
    envelope = onset_envelope(signal)
    rough = estimate_tempo(envelope, FRAME_RATE) or 120.0
    period, phase = metrical_level(envelope, *fit_grid(envelope, FRAME_RATE, rough))
    first_beat = (phase + ENVELOPE_DELAY) % period
    beats = np.arange(first_beat - period if first_beat > period / 2 else first_beat, duration, period)
    chromas, lows = _stft_bands(signal)
    per_beat = np.array([_segment_chroma(chromas, b, b + period) for b in beats.tolist()])
    per_bar, first = downbeat_phase(_beat_features(chromas, lows, beats, period), per_beat)
    downbeats = beats[first::per_bar]
    tonic, mode, confidence = estimate_key(chroma(signal))
    chords = []
    for start, end in zip(downbeats.tolist(), [*downbeats[1:].tolist(), duration], strict=True):
        root, quality = bar_chord(_segment_chroma(chromas, start, end))
        chords.append(BarChord(max(0.0, start) + offset, end + offset, root, quality))
    return Analysis(
        bpm=60.0 / period,
        beats=tuple(max(0.0, float(b)) + offset for b in beats),
        downbeats=tuple(max(0.0, float(d)) + offset for d in downbeats),
        beats_per_bar=per_bar,
        key_tonic=tonic,
        mode=mode,
        key_confidence=confidence,
        chords=tuple(chords),
        duration=duration + offset,
    )
