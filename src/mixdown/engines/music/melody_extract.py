"""A melody from audio: YIN pitch track -> notes -> the melody's tempo grid -> sixteenth steps.

The pitch tracker is YIN (de Cheveigné & Kawahara 2002) vectorised in numpy: the difference
function comes from FFT autocorrelations, the cumulative-mean-normalised difference is
thresholded and the dip refined by parabolic interpolation. Frames are voiced when YIN finds a
clear period and the frame is within 40 dB of the loudest one. Notes are runs of voiced frames on
one semitone, split where the level dips and rises again (a re-struck note). The melody's own
tempo comes from its note onsets (``quality.estimate_tempo`` on an onset-impulse envelope, then
``analysis.fit_grid``); onsets and lengths are rounded to sixteenths of that grid.

basic-pitch would transcribe polyphony too, but it needs TensorFlow or ONNX runtimes; librosa's
pYIN needs numba (30+ s to compile cold). A sung, hummed or played lead is monophonic: YIN suffices.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
import soxr

from mixdown.engines.music.analysis import fit_grid
from mixdown.engines.music.quality import KK_MAJOR, KK_MINOR, estimate_tempo
from mixdown.engines.music.spec import MelodyNotes, MusicSpec
from mixdown.engines.music.theory import Scale

PITCH_RATE = 22050
_FRAME, _HOP = 2048, 256
FMIN, FMAX = 65.0, 1400.0
THRESHOLD = 0.15
MIN_NOTE_SECONDS = 0.06
MAX_STEPS = 64 * 16  # at most 64 bars of 4/4 are kept
_ENVELOPE_RATE = 100.0


@dataclass(frozen=True)
class HeardNote:
    """A note of the extracted melody, in seconds."""

    start: float
    duration: float
    pitch: int


@dataclass(frozen=True)
class Melody:
    """An extracted melody: its notes, tempo and grid, key, and the notes on sixteenth steps."""

    notes: tuple[HeardNote, ...]
    bpm: float
    grid_phase: float  # seconds: a sixteenth of the grid falls here
    key_tonic: int
    mode: str
    steps: tuple[tuple[int, int, int], ...]  # (step, length, pitch) from the first note


def _mono(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    mono = np.asarray(audio, dtype=np.float32)
    mono = mono.mean(axis=1) if mono.ndim == 2 else mono
    if sample_rate != PITCH_RATE:
        mono = np.asarray(soxr.resample(mono, sample_rate, PITCH_RATE, quality="HQ"), dtype=np.float32)
    return mono


def yin(signal: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pitch track of a mono signal: ``(f0 Hz, voiced, rms)`` per 256-sample hop.

    Parameters
    ----------
    signal
        Mono float samples.
    sample_rate
        Their rate; 65-1400 Hz is tracked.

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> f0, voiced, _ = yin(np.sin(2 * np.pi * 220.0 * t), sr)
    >>> round(float(np.median(f0[voiced])), 1)
    220.0
    """
    tau_max = int(sample_rate / FMIN) + 1
    tau_min = max(2, int(sample_rate / FMAX))
    width = _FRAME - tau_max
    padded = np.concatenate([np.asarray(signal, np.float64), np.zeros(_FRAME)])
    count = 1 + max(0, signal.shape[0] - width) // _HOP
    f0s, voiced, rms = np.zeros(count), np.zeros(count, bool), np.zeros(count)
    for first in range(0, count, 256):
        idx = np.arange(first, min(count, first + 256))[:, None] * _HOP + np.arange(_FRAME)
        frames = padded[idx]
        f0, ok = _yin_frames(frames, width, tau_min, tau_max, sample_rate)
        f0s[first : first + f0.size], voiced[first : first + f0.size] = f0, ok
        rms[first : first + f0.size] = np.sqrt((frames[:, :width] ** 2).mean(axis=1))
    loud = rms > rms.max(initial=0.0) * 10 ** (-40 / 20)
    return f0s, voiced & loud, rms


def _yin_frames(
    frames: np.ndarray, width: int, tau_min: int, tau_max: int, sample_rate: int
) -> tuple[np.ndarray, np.ndarray]:
    size = 1 << math.ceil(math.log2(2 * _FRAME))
    head = np.fft.rfft(frames[:, :width], size)
    whole = np.fft.rfft(frames, size)
    cross = np.fft.irfft(np.conj(head) * whole, size)[:, :tau_max]
    energy = np.cumsum(np.concatenate([np.zeros((frames.shape[0], 1)), frames**2], axis=1), axis=1)
    head_energy = energy[:, width][:, None]
    lag_energy = energy[:, width : width + tau_max] - energy[:, :tau_max]
    diff = np.maximum(0.0, head_energy + lag_energy - 2.0 * cross)
    diff[:, 0] = 0.0
    running = np.cumsum(diff[:, 1:], axis=1) / np.arange(1, tau_max)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] / np.maximum(running, 1e-12)
    f0, ok = np.zeros(frames.shape[0]), np.zeros(frames.shape[0], bool)
    for i, row in enumerate(cmnd):
        tau = _first_dip(row, tau_min)
        if tau is not None:
            f0[i], ok[i] = sample_rate / _parabolic(row, tau), True
    return f0, ok


def _first_dip(row: np.ndarray, tau_min: int) -> int | None:
    below = np.flatnonzero(row[tau_min:-1] < THRESHOLD)
    if below.size == 0:
        return None
    tau = int(below[0]) + tau_min
    while tau + 1 < row.size - 1 and row[tau + 1] < row[tau]:
        tau += 1
    return tau


def _parabolic(row: np.ndarray, tau: int) -> float:
    a, b, c = row[tau - 1], row[tau], row[tau + 1]
    denominator = a - 2 * b + c
    return tau + (0.5 * (a - c) / denominator if denominator > 1e-12 else 0.0)


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """``(first frame, end frame, label)`` of runs of equal labels (label -1 = unvoiced)."""
    out, start = [], 0
    for i in range(1, labels.size + 1):
        if i == labels.size or labels[i] != labels[start]:
            out.append((start, i, int(labels[start])))
            start = i
    return out


def levels(signal: np.ndarray) -> np.ndarray:
    """Level in dB of each 256-sample hop."""
    count = signal.shape[0] // _HOP
    power = (np.asarray(signal[: count * _HOP], np.float64).reshape(count, _HOP) ** 2).mean(axis=1)
    return np.asarray(10 * np.log10(power + 1e-10))


def _onset(level: np.ndarray, frame: int, reach: int) -> int | None:
    """The hop with the sharpest rise (3 dB or more) in ``frame - 2 .. frame + reach`` (the
    signal counts as silent before its first hop)."""
    a, b = max(0, frame - 2), min(level.size, frame + reach + 1)
    if a >= b:
        return None
    previous = np.concatenate([[-100.0], level])[a:b]
    rise = level[a:b] - previous
    best = int(np.argmax(rise))
    return a + best if rise[best] >= 3.0 else None


def _restrikes(level: np.ndarray, start: int, end: int, reach: int) -> list[int]:
    """Hops inside a run of one pitch where the note is struck again: a sharp attack (6 dB in one
    hop) out of a dip 12 dB or deeper, back up to the level the note had before the dip (beating
    and tremolo dip too, but climb back slowly)."""
    cuts: list[int] = []
    for i in range(start + reach + 2, min(end, level.size - 2)):
        dip = level[max(0, i - 3) : i + 1].min()
        peak = level[i + 1 : i + 3].max()
        before = level[max(0, i - 12) : max(1, i - 3)].max()
        sharp = level[i + 1] - level[i] >= 6.0
        if sharp and peak - dip >= 12.0 and peak >= before - 1.0 and (not cuts or i - cuts[-1] > 3):
            cuts.append(i)
    return cuts


def notes_from_track(
    f0: np.ndarray, voiced: np.ndarray, level: np.ndarray, hop_seconds: float
) -> list[HeardNote]:
    """Notes from a pitch track: semitone runs of voiced frames, started at their attack and split
    where the same pitch is struck again. ``level`` is :func:`levels` of the signal."""
    reach = (_FRAME - int(PITCH_RATE / FMIN) - 1) // _HOP  # hops a YIN window spans
    midi = np.where(voiced, 69 + 12 * np.log2(np.maximum(f0, 1e-6) / 440.0), np.nan)
    smooth = np.array(
        [np.nanmedian(midi[max(0, i - 2) : i + 3]) if voiced[i] else np.nan for i in range(midi.size)]
    )
    labels = _bridged(np.where(np.isnan(smooth), -1, np.round(np.nan_to_num(smooth, nan=-1.0))).astype(int))
    centre = reach // 2
    notes = []
    for start, end, label in _runs(labels):
        if label < 0:
            continue
        onset = _onset(level, start, reach)
        bounds = [
            start + centre if onset is None else onset,
            *_restrikes(level, start, end, reach),
            end + centre,
        ]
        for a, b in itertools.pairwise(bounds):
            if (b - a) * hop_seconds >= MIN_NOTE_SECONDS:
                notes.append(HeardNote(a * hop_seconds, (b - a) * hop_seconds, label))
    return _merge_glitches(notes)


def _bridged(labels: np.ndarray, longest: int = 8) -> np.ndarray:
    """Short unvoiced gaps inside one pitch filled (beating or tremolo can blank a few frames);
    a real re-strike in the gap is found by ``_restrikes`` afterwards."""
    out = labels.copy()
    runs = _runs(labels)
    for (_, _, before), (a, b, label), (_, _, after) in zip(runs, runs[1:], runs[2:], strict=False):
        if label < 0 and before >= 0 and before == after and b - a <= longest:
            out[a:b] = before
    return out


def _merge_glitches(notes: list[HeardNote]) -> list[HeardNote]:
    """A pitch blip shorter than two minimum notes between two notes of one pitch joins them."""
    out: list[HeardNote] = []
    for note in notes:
        prev = out[-1] if out else None
        joined = (
            prev is not None and prev.pitch == note.pitch and note.start - prev.start - prev.duration < 0.03
        )
        if prev is not None and joined and note.start - prev.start < MIN_NOTE_SECONDS * 2:
            out[-1] = HeardNote(prev.start, note.start + note.duration - prev.start, prev.pitch)
            continue
        out.append(note)
    return out


def melody_tempo(notes: list[HeardNote]) -> tuple[float, float]:
    """``(bpm, phase)`` of the grid the onsets sit on (phase: seconds of one beat)."""
    end = max(n.start + n.duration for n in notes) + 1.0
    envelope = np.zeros(int(end * _ENVELOPE_RATE) + 1)
    for note in notes:
        envelope[round(note.start * _ENVELOPE_RATE)] += 1.0
    kernel = np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)
    envelope = np.convolve(envelope, kernel, mode="same")
    bpm = estimate_tempo(envelope, _ENVELOPE_RATE) or 120.0
    period, phase = fit_grid(envelope, _ENVELOPE_RATE, bpm)
    if 60.0 / period > 160.0:  # eighths read as beats
        period *= 2
    elif 60.0 / period < 60.0:
        period /= 2
    return 60.0 / period, phase % period


def melody_key(notes: list[HeardNote]) -> tuple[int, str]:
    """The key whose Krumhansl-Kessler profile best fits the duration-weighted pitch classes."""
    weights = np.zeros(12)
    for note in notes:
        weights[note.pitch % 12] += note.duration
    best = (-2.0, 0, "major")
    for profile, mode in ((KK_MAJOR, "major"), (KK_MINOR, "minor")):
        for tonic in range(12):
            score = float(np.corrcoef(weights, np.roll(profile, tonic))[0, 1]) if weights.any() else 0.0
            best = max(best, (score, tonic, mode))
    return best[1], best[2]


def quantise(notes: list[HeardNote], bpm: float, phase: float) -> tuple[tuple[int, int, int], ...]:
    """Notes on sixteenth steps of the grid, counted from the first note's step.

    Examples
    --------
    >>> heard = [HeardNote(1.02, 0.24, 60), HeardNote(1.49, 0.5, 62), HeardNote(2.0, 0.9, 64)]
    >>> quantise(heard, 120.0, 0.0)
    ((0, 2, 60), (4, 4, 62), (8, 7, 64))
    """
    step = 60.0 / bpm / 4
    first = round((notes[0].start - phase) / step)
    placed: dict[int, tuple[int, int]] = {}
    for note in notes:
        at = round((note.start - phase) / step) - first
        length = max(1, round(note.duration / step))
        if at not in placed or length > placed[at][0]:
            placed[at] = (length, note.pitch)
    ordered = sorted(placed.items())
    out = []
    for i, (at, (length, pitch)) in enumerate(ordered):
        nxt = ordered[i + 1][0] if i + 1 < len(ordered) else at + length
        if at < MAX_STEPS:
            out.append((at, max(1, min(length, nxt - at)), pitch))
    return tuple(out)


def extract_melody(audio: np.ndarray, sample_rate: int) -> Melody:
    """The melody of a monophonic recording: notes, tempo, key and sixteenth steps.

    Raises ``ValueError`` when fewer than two notes are heard.

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(int(sr * 0.45)) / sr
    >>> tones = [np.sin(2 * np.pi * 440 * 2 ** (p / 12) * t) for p in (0, 2, 3, 5)]
    >>> gap = np.zeros(int(sr * 0.05))
    >>> melody = extract_melody(np.concatenate([x for t in tones for x in (t, gap)]), sr)
    >>> melody.steps
    ((0, 4, 69), (4, 4, 71), (8, 4, 72), (12, 4, 74))
    """
    signal = _mono(audio, sample_rate)
    f0, voiced, _ = yin(signal, PITCH_RATE)
    notes = notes_from_track(f0, voiced, levels(signal), _HOP / PITCH_RATE)
    if len(notes) < 2:
        raise ValueError("no melody heard: melody_audio needs at least two clear notes of one line")
    bpm, phase = melody_tempo(notes)
    tonic, mode = melody_key(notes)
    return Melody(tuple(notes), bpm, phase, tonic, mode, quantise(notes, bpm, phase))


def _in_key(steps: tuple[tuple[int, int, int], ...], melody: Melody, tonic: int, mode: str) -> MelodyNotes:
    """The melody moved into ``tonic``/``mode``: transposed when the modes match (major with
    major-like, minor with minor-like), else mapped degree by degree; about the same register."""
    source, target = Scale.of(melody.key_tonic, melody.mode), Scale.of(tonic, mode)
    if source.is_minor == target.is_minor:
        shift = (tonic - melody.key_tonic) % 12
        shift -= 12 if shift > 6 else 0
        return tuple((a, b, p + shift) for a, b, p in steps)
    moved = []
    for a, b, p in steps:
        index = source.index(p)
        moved.append((a, b, target.pitch(index) + (p - source.pitch(index))))
    drift = 12 * round(float(np.mean([p for *_, p in steps]) - np.mean([p for *_, p in moved])) / 12)
    return tuple((a, b, p + drift) for a, b, p in moved)


def condition(spec: MusicSpec, melody: Melody, strength: float) -> MusicSpec:
    """``spec`` with the melody for its lead (see ``compose/conditioned.py``).

    The spec's tempo and key are kept when stated (by the prompt or a continued piece): the melody
    keeps its rhythm in beats and is moved into the key. Otherwise the piece takes the melody's
    tempo and key, and the melody is played exactly as heard.
    """
    explicit = set(spec.explicit)
    bpm, tonic, mode = spec.bpm, spec.key_tonic, spec.mode
    if "bpm" not in explicit:
        bpm = round(melody.bpm, 2)
        explicit.add("bpm")
    if {"key", "mode"} & explicit:
        steps = _in_key(melody.steps, melody, tonic, mode)
    else:
        tonic, mode, steps = melody.key_tonic, melody.mode, melody.steps
        explicit |= {"key", "mode"}
    return replace(
        spec,
        bpm=bpm,
        key_tonic=tonic,
        mode=mode,
        explicit=frozenset(explicit),
        melody=steps,
        melody_strength=float(strength),
    )
