"""The quality report of a produced piece: what it measures, and whether it meets its own checks.

Loudness, true peak, silence and clipping use the producer's meters (bounded memory, so a path to a
20-minute WAV works as well as an array). Tempo and key are measured back from the audio with plain
numpy (a spectral-flux onset envelope whose autocorrelation is scored over tempo candidates; a
chroma vector correlated with the Krumhansl-Kessler key profiles): the librosa equivalents need
numba, which compiles for ~40 s on first use and ~3 s in every new process.

A tempo read at half or double the asked tempo (or 2/3, 3/2) is reported as such, as a warning:
the audio is consistent with the asked tempo at another metrical level. A key read as the relative,
parallel or a fifth away is a warning too; anything else is a problem.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile
import soxr

from mixdown.engines.music.produce.loudness import CLIP_LEVEL, LevelMeter
from mixdown.engines.music.spec import NOTE_NAMES

ANALYSIS_RATE = 11025
TEMPO_TOLERANCE = 0.04
KEY_CONFIDENCE = 0.02  # below this margin between the two best keys, a key mismatch is only a warning
_FLUX_FRAME, _FLUX_HOP = 1024, 256
_CHROMA_FRAME = 4096
# Krumhansl-Kessler probe-tone profiles, tonic first.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_MINOR_LIKE = {"minor", "aeolian", "dorian", "phrygian", "locrian"}
# Semitones from the parent major scale's tonic up to the mode's tonic.
_MODE_DEGREE = {"major": 0, "ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9,
                "aeolian": 9, "locrian": 11}  # fmt: skip


def _blocks(
    audio: np.ndarray | str | os.PathLike[str], size: int = 65536, start: int = 0, stop: int | None = None
) -> Iterator[np.ndarray]:
    """``(frames, channels)`` float32 pieces of an array or a sound file, from ``start`` to ``stop``."""
    if isinstance(audio, np.ndarray):
        data = audio[:, None] if audio.ndim == 1 else audio
        end = data.shape[0] if stop is None else stop
        for first in range(start, end, size):
            yield np.asarray(data[first : min(first + size, end)], dtype=np.float32)
    else:
        yield from soundfile.blocks(
            audio, blocksize=size, dtype="float32", always_2d=True, start=start, stop=stop
        )


def _frame_count(audio: np.ndarray | str | os.PathLike[str]) -> int:
    return int(audio.shape[0]) if isinstance(audio, np.ndarray) else int(soundfile.info(str(audio)).frames)


def _frames(signal: np.ndarray, frame: int, hop: int) -> Iterator[np.ndarray]:
    """Hann-windowed frames of ``signal`` in batches (bounded memory for long signals)."""
    window = np.hanning(frame).astype(np.float32)
    count = 1 + max(0, signal.shape[0] - frame) // hop
    batch = 2048
    for first in range(0, count, batch):
        idx = (np.arange(first, min(count, first + batch))[:, None] * hop) + np.arange(frame)[None, :]
        yield signal[np.minimum(idx, signal.shape[0] - 1)] * window


def onset_envelope(signal: np.ndarray) -> np.ndarray:
    """Spectral flux of log-compressed magnitudes, one value per 256-frame hop at 11025 Hz."""
    flux, previous = [], None
    for frames in _frames(signal, _FLUX_FRAME, _FLUX_HOP):
        mags = np.log1p(100.0 * np.abs(np.fft.rfft(frames, axis=1)))
        stacked = mags if previous is None else np.concatenate([previous, mags])
        flux.append(np.maximum(0.0, np.diff(stacked, axis=0)).sum(axis=1))
        previous = mags[-1:]
    env = np.concatenate(flux) if flux else np.zeros(0)
    if env.size > 16:  # remove the slow trend so sustained loudness does not read as onsets
        env = np.maximum(0.0, env - np.convolve(env, np.ones(16) / 16, mode="same"))
    return env


def estimate_tempo(envelope: np.ndarray, frame_rate: float) -> float:
    """The tempo (bpm) best explained by the onset envelope's periodicity.

    Scores 30-300 bpm by the envelope's autocorrelation at 1-4 beat periods, weighted by a
    log-normal preference around 120 bpm (one octave wide), as beat trackers do.
    """
    env = envelope - envelope.mean()
    if env.size < 8 or not np.any(env):
        return 0.0
    size = 1 << math.ceil(math.log2(2 * env.size))
    spectrum = np.fft.rfft(env, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[: env.size]
    acf = acf / acf[0]
    tempi = np.arange(30.0, 300.0, 0.1)
    lags = 60.0 * frame_rate / tempi
    score = np.zeros_like(tempi)
    for multiple in (1, 2, 3, 4):
        score += np.interp(lags * multiple, np.arange(acf.size), acf, right=0.0) / multiple**0.5
    prior = np.exp(-0.5 * (np.log2(tempi / 120.0)) ** 2)
    return float(tempi[int(np.argmax(score * prior))])


def tempo_relation(measured: float, expected: float) -> str:
    """How ``measured`` relates to ``expected``: ``match``, ``double``, ``half``, ``three_halves``, ...

    ``double`` means the measured tempo is twice the expected one; ``mismatch`` when no simple
    ratio fits within 4 %.

    Examples
    --------
    >>> tempo_relation(121.0, 120.0), tempo_relation(240.0, 120.0), tempo_relation(120.0, 240.0)
    ('match', 'double', 'half')
    """
    if measured <= 0 or expected <= 0:
        return "mismatch"
    ratio = measured / expected
    for name, factor in (
        ("match", 1.0),
        ("double", 2.0),
        ("half", 0.5),
        ("three_halves", 1.5),
        ("two_thirds", 2 / 3),
    ):
        if abs(ratio / factor - 1.0) <= TEMPO_TOLERANCE:
            return name
    return "mismatch"


def chroma(signal: np.ndarray, sample_rate: int = ANALYSIS_RATE) -> np.ndarray:
    """Energy per pitch class (C first) over the whole signal, from 65 Hz to 1 kHz, summing to 1.

    The band keeps bass lines and chord voicings and leaves out most overtones, which otherwise
    pull the estimate a fifth up.
    """
    freqs = np.fft.rfftfreq(_CHROMA_FRAME, 1.0 / sample_rate)
    usable = (freqs >= 65.0) & (freqs <= 1000.0)
    classes = np.round(12 * np.log2(freqs[usable] / 440.0) + 69).astype(int) % 12
    total = np.zeros(12)
    for frames in _frames(signal, _CHROMA_FRAME, _CHROMA_FRAME // 2):
        mags = np.abs(np.fft.rfft(frames, axis=1))[:, usable]
        # Per-frame normalisation: a loud bar does not outvote the rest of the piece.
        mags /= np.maximum(1e-9, mags.sum(axis=1, keepdims=True))
        total += np.bincount(classes, weights=np.sqrt(mags).sum(axis=0), minlength=12)
    return total / total.sum() if total.sum() > 0 else total


def _with_harmonics(profile: np.ndarray) -> np.ndarray:
    """A key profile as a chroma would hear it: each pitch class plus its first six harmonics."""
    heard = np.zeros(12)
    for pitch_class, weight in enumerate(profile):
        for harmonic in range(1, 7):
            heard[(pitch_class + round(12 * math.log2(harmonic))) % 12] += weight * harmonic**-0.5
    return heard


# On 82 composed pieces (41 styles x 2 keys) these templates read 81 keys right and one a fifth off,
# against 54 right with the bare profiles and the wider band.
_KEY_TEMPLATES = [(_with_harmonics(KK_MAJOR), "major"), (_with_harmonics(KK_MINOR), "minor")]


def estimate_key(profile: np.ndarray) -> tuple[int, str, float]:
    """``(tonic, "major"|"minor", confidence)`` by correlation with the 24 rotated key templates.

    Templates are the Krumhansl-Kessler profiles with each note's harmonics added.
    ``confidence`` is the margin (in correlation) between the best and second-best keys.
    """
    if not np.any(profile):
        return 0, "major", 0.0
    scores = []
    for template, mode in _KEY_TEMPLATES:
        for tonic in range(12):
            scores.append((float(np.corrcoef(profile, np.roll(template, tonic))[0, 1]), tonic, mode))
    scores.sort(reverse=True)
    (best, tonic, mode), second = scores[0], scores[1][0]
    return tonic, mode, best - second


def parse_key(key: str | tuple[int, str]) -> tuple[int, str]:
    """``"F# minor"``, ``"Bb"``, ``"D dorian"`` or ``(tonic, mode)`` -> ``(tonic, mode)``."""
    if isinstance(key, tuple):
        return key[0] % 12, key[1].lower()
    name, _, mode = key.strip().partition(" ")
    flats = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#", "Cb": "B", "Fb": "E"}
    name = name[0].upper() + name[1:]
    if name.endswith("m") and not mode:
        name, mode = name[:-1], "minor"
    return NOTE_NAMES.index(flats.get(name, name)), (mode or "major").lower()


def _minor_like(mode: str) -> bool:
    return mode in _MINOR_LIKE or "minor" in mode


def parent_scale(tonic: int, mode: str) -> int:
    """Tonic of the major scale with the same notes (A minor -> C, D dorian -> C, F lydian -> C)."""
    return (tonic - _MODE_DEGREE.get(mode, 9 if "minor" in mode else 0)) % 12


def key_relation(measured: tuple[int, str], expected: tuple[int, str]) -> str:
    """``match``, ``relative``, ``parallel``, ``fifth`` or ``mismatch``.

    Modes count as their family (dorian is minor-like, lydian major-like). ``relative`` means the
    same notes with another tonic (C major heard for A minor, or E major for A lydian); ``fifth``
    means the scale is one sharp or flat away.

    Examples
    --------
    >>> key_relation((9, "minor"), (0, "major")), key_relation((2, "minor"), (2, "dorian"))
    ('relative', 'match')
    >>> key_relation((4, "major"), (9, "lydian")), key_relation((7, "major"), (0, "major"))
    ('relative', 'fifth')
    """
    (m_tonic, m_mode), (e_tonic, e_mode) = measured, expected
    if m_tonic == e_tonic:
        return "match" if _minor_like(m_mode) == _minor_like(e_mode) else "parallel"
    distance = (parent_scale(m_tonic, m_mode) - parent_scale(e_tonic, e_mode)) % 12
    if distance == 0:
        return "relative"
    return "fifth" if distance in (5, 7) else "mismatch"


# Tempo and key are read from at most this much audio around the middle: enough for a stable
# estimate, and a 20-minute piece's analysis then costs tens of MB, not hundreds.
MAX_ANALYSIS_SECONDS = 90.0


def _mono_analysis_signal(audio: np.ndarray | str | os.PathLike[str], sample_rate: int) -> np.ndarray:
    frames = _frame_count(audio)
    keep = min(frames, int(MAX_ANALYSIS_SECONDS * sample_rate))
    start = (frames - keep) // 2
    stream = soxr.ResampleStream(sample_rate, ANALYSIS_RATE, 1, dtype="float32", quality="HQ")
    pieces = [
        stream.resample_chunk(block.mean(axis=1)) for block in _blocks(audio, start=start, stop=start + keep)
    ]
    pieces.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    return np.concatenate(pieces)


@dataclass(frozen=True)
class MusicReading:
    """Tempo and key heard in a piece."""

    tempo_bpm: float
    tonic: int
    mode: str
    key_confidence: float


def read_music(audio: np.ndarray | str | os.PathLike[str], sample_rate: int) -> MusicReading:
    """Tempo and key of an array or sound file (from at most ``MAX_ANALYSIS_SECONDS`` around its middle).

    Examples
    --------
    >>> sr = 22050
    >>> clicks = np.zeros(sr * 8, dtype=np.float32)
    >>> clicks[:: sr // 2] = 1.0  # a click every half second: 120 bpm
    >>> round(read_music(clicks, sr).tempo_bpm)
    120
    """
    signal = _mono_analysis_signal(audio, sample_rate)
    tempo = estimate_tempo(onset_envelope(signal), ANALYSIS_RATE / _FLUX_HOP)
    tonic, mode, confidence = estimate_key(chroma(signal))
    return MusicReading(tempo, tonic, mode, confidence)


def measure_levels(audio: np.ndarray | str | os.PathLike[str], sample_rate: int) -> LevelMeter:
    """Loudness, true peak, clipping and silence of an array or sound file, read block by block."""
    if isinstance(audio, np.ndarray):
        channels = 1 if audio.ndim == 1 else audio.shape[1]
    else:
        channels = soundfile.info(str(audio)).channels
    levels = LevelMeter(sample_rate, channels)
    for block in _blocks(audio):
        levels.add(block)
    return levels


def quality_report(
    audio: np.ndarray | str | os.PathLike[str],
    sample_rate: int,
    *,
    expected_duration: float,
    expected_bpm: float | None = None,
    expected_key: str | tuple[int, str] | None = None,
    target_lufs: float = -14.0,
    loudness_tolerance: float = 1.0,
    max_true_peak_db: float = -1.0,
    max_silence_ratio: float = 0.25,
    levels: LevelMeter | None = None,
    reading: MusicReading | None = None,
) -> dict[str, Any]:
    """Measure a produced piece and check it against what was asked.

    Parameters
    ----------
    audio
        ``(frames, channels)`` or ``(frames,)`` float array, or the path of a sound file.
    sample_rate
        Its sample rate.
    expected_duration
        Seconds asked for; the piece must be ``round(expected_duration * sample_rate)`` frames.
    expected_bpm, expected_key
        What was asked (``"A minor"``, ``"C"``, ``(9, "minor")``...), compared with what is heard.
    levels
        The piece's levels when the producer already measured them while writing it (the file is
        then not read for them).
    reading
        Tempo and key already read (see :func:`read_music`), e.g. from the premaster while the
        mix was being mastered: mastering is gain and limiting, which moves neither.

    Returns
    -------
    dict
        ``duration``, ``frames``, ``sample_rate``, ``loudness_lufs``, ``true_peak_db``,
        ``silence_ratio``, ``clipped_samples``, ``tempo_bpm`` and ``tempo_relation``, ``key`` and
        ``key_relation`` (with the expected values), ``passed``, ``problems`` and ``warnings``.

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr * 2) / sr
    >>> tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    >>> report = quality_report(np.stack([tone, tone], 1), sr, expected_duration=2.0)
    >>> report["frames"], round(report["silence_ratio"], 2), report["clipped_samples"]
    (44100, 0.0, 0)
    >>> report["passed"], report["problems"]
    (False, ['loudness -11.2 LUFS is off the -14.0 target by more than 1.0 LU'])
    """
    levels = levels or measure_levels(audio, sample_rate)
    report: dict[str, Any] = {
        "sample_rate": sample_rate,
        "frames": levels.frames,
        "duration": levels.frames / sample_rate,
        "expected_frames": round(expected_duration * sample_rate),
        "loudness_lufs": round(levels.loudness.integrated(), 2),
        "true_peak_db": round(levels.peaks.finish_db(), 2),
        "silence_ratio": round(levels.silence_ratio(), 4),
        "clipped_samples": levels.clipped,
    }
    reading = reading or read_music(audio, sample_rate)
    report |= _tempo(reading, expected_bpm) | _key(reading, expected_key)
    problems, warnings = _judge(report, target_lufs, loudness_tolerance, max_true_peak_db, max_silence_ratio)
    musical = [p for p in problems if p.startswith(_MUSICAL)]
    return report | {
        "passed": not problems,
        "problems": problems,
        "technical_problems": [p for p in problems if p not in musical],
        "musical_problems": musical,
        "warnings": warnings,
    }


# Problems about what the music is (tempo, key) rather than whether the audio is sound.
_MUSICAL = ("tempo measured", "key heard as")


def _tempo(reading: MusicReading, expected: float | None) -> dict[str, Any]:
    relation = None if expected is None else tempo_relation(reading.tempo_bpm, expected)
    return {"tempo_bpm": round(reading.tempo_bpm, 1), "expected_bpm": expected, "tempo_relation": relation}


def _key(reading: MusicReading, expected: str | tuple[int, str] | None) -> dict[str, Any]:
    asked = None if expected is None else parse_key(expected)
    measured = (reading.tonic, reading.mode)
    return {
        "key": f"{NOTE_NAMES[reading.tonic]} {reading.mode}",
        "key_confidence": round(reading.key_confidence, 3),
        "expected_key": None if asked is None else f"{NOTE_NAMES[asked[0]]} {asked[1]}",
        "key_relation": None if asked is None else key_relation(measured, asked),
    }


def _judge(
    report: dict[str, Any], target: float, tolerance: float, max_peak: float, max_silence: float
) -> tuple[list[str], list[str]]:
    problems, warnings = [], []
    if report["frames"] != report["expected_frames"]:
        problems.append(f"length {report['frames']} frames, expected {report['expected_frames']}")
    if abs(report["loudness_lufs"] - target) > tolerance:
        loudness = report["loudness_lufs"]
        problems.append(
            f"loudness {loudness:.1f} LUFS is off the {target:.1f} target by more than {tolerance} LU"
        )
    if report["true_peak_db"] > max_peak + 0.05:
        problems.append(f"true peak {report['true_peak_db']:.2f} dBTP is above {max_peak:.1f} dBTP")
    if report["clipped_samples"]:
        problems.append(f"{report['clipped_samples']} samples clip (|x| >= {CLIP_LEVEL})")
    if report["silence_ratio"] > max_silence:
        problems.append(f"{report['silence_ratio']:.0%} of the piece is silent (limit {max_silence:.0%})")
    tempo = report["tempo_relation"]
    if tempo == "mismatch":
        problems.append(f"tempo measured {report['tempo_bpm']} bpm, asked {report['expected_bpm']}")
    elif tempo not in (None, "match"):
        warnings.append(
            f"tempo measured {report['tempo_bpm']} bpm reads as {tempo} of {report['expected_bpm']}"
        )
    key = report["key_relation"]
    if key == "mismatch" and report["key_confidence"] < KEY_CONFIDENCE:
        warnings.append(f"key unclear: heard {report['key']} weakly, asked {report['expected_key']}")
    elif key == "mismatch":
        problems.append(f"key heard as {report['key']}, asked {report['expected_key']}")
    elif key not in (None, "match"):
        warnings.append(f"key heard as {report['key']} ({key} of {report['expected_key']})")
    return problems, warnings
