"""quality_report on synthetic signals: levels, silence, clipping, tempo and key measured back."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile

from mixdown.engines.music.quality import key_relation, parse_key, quality_report, tempo_relation

SR = 22050


@lru_cache
def click_track(bpm: float, seconds: float = 16.0) -> np.ndarray:
    """Short 1.5 kHz blips on every beat, stereo."""
    audio = np.zeros(int(seconds * SR), dtype=np.float32)
    n = int(0.02 * SR)
    blip = np.sin(2 * np.pi * 1500 * np.arange(n) / SR) * np.exp(-np.arange(n) / (0.004 * SR)) * 0.5
    for t in np.arange(0, seconds, 60.0 / bpm):
        start = int(t * SR)
        audio[start : start + n] += blip[: audio[start : start + n].size].astype(np.float32)
    return np.stack([audio, audio], axis=1)


def chord_sequence(chords: list[tuple[int, ...]], seconds_each: float = 1.0, repeats: int = 3) -> np.ndarray:
    """Plucked sine chords (root doubled below), stereo."""
    t = np.arange(int(seconds_each * SR)) / SR
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-1.5 * t)
    out = []
    for chord in chords * repeats:
        tone = sum(
            np.sin(2 * np.pi * 440 * 2 ** ((p - 69) / 12) * t) * (1.0 if i == 0 else 0.6)
            for i, p in enumerate(chord)
        )
        out.append(0.1 * tone * envelope)
    audio = np.concatenate(out).astype(np.float32)
    return np.stack([audio, audio], axis=1)


def test_levels_silence_and_clipping_are_measured() -> None:
    audio = np.zeros((SR * 4, 2), dtype=np.float32)
    t = np.arange(SR * 3) / SR
    audio[: SR * 3] = (0.5 * np.sin(2 * np.pi * 220 * t))[:, None]  # 3 s tone then 1 s silence
    audio[1000:1010, 0] = 1.0  # ten clipped samples
    audio[2000:2003, 1] = -1.2
    report = quality_report(audio, SR, expected_duration=4.0)
    assert report["frames"] == SR * 4
    assert report["duration"] == pytest.approx(4.0)
    assert report["silence_ratio"] == pytest.approx(0.25, abs=0.02)
    assert report["clipped_samples"] == 13
    assert report["true_peak_db"] >= 20 * np.log10(1.2) - 0.01
    assert not report["passed"]
    assert any("clip" in p for p in report["problems"])


def test_length_off_by_one_frame_is_a_problem() -> None:
    audio = click_track(120.0)[:-1]
    report = quality_report(audio, SR, expected_duration=16.0)
    assert report["frames"] == report["expected_frames"] - 1
    assert any("length" in p for p in report["problems"])


def test_tempo_of_a_click_track() -> None:
    report = quality_report(click_track(120.0), SR, expected_duration=16.0, expected_bpm=120.0)
    assert report["tempo_bpm"] == pytest.approx(120.0, rel=0.02)
    assert report["tempo_relation"] == "match"
    assert not any("tempo" in p for p in report["problems"])


@pytest.mark.parametrize(("asked", "relation"), [(60.0, "double"), (240.0, "half")])
def test_half_and_double_tempo_are_flagged(asked: float, relation: str) -> None:
    report = quality_report(click_track(120.0), SR, expected_duration=16.0, expected_bpm=asked)
    assert report["tempo_relation"] == relation
    assert any(relation in w for w in report["warnings"])


def test_unrelated_tempo_is_a_problem() -> None:
    report = quality_report(click_track(120.0), SR, expected_duration=16.0, expected_bpm=97.0)
    assert report["tempo_relation"] == "mismatch"
    assert any("tempo" in p for p in report["problems"])


C, F, G = (48, 60, 64, 67), (41, 57, 60, 65), (43, 55, 59, 62, 65)
AM, DM, E = (45, 57, 60, 64), (38, 57, 62, 65), (40, 56, 59, 64)


def test_key_of_c_major_and_a_minor() -> None:
    major = quality_report(chord_sequence([C, F, G, C]), SR, expected_duration=12.0, expected_key="C major")
    minor = quality_report(
        chord_sequence([AM, DM, E, AM]), SR, expected_duration=12.0, expected_key=(9, "minor")
    )
    assert (major["key"], major["key_relation"]) == ("C major", "match")
    assert (minor["key"], minor["key_relation"]) == ("A minor", "match")
    crossed = quality_report(chord_sequence([C, F, G, C]), SR, expected_duration=12.0, expected_key="A minor")
    assert crossed["key_relation"] == "relative"
    assert any("relative" in w for w in crossed["warnings"])


def test_a_file_path_is_measured_like_an_array(tmp_path: Path) -> None:
    audio = click_track(120.0)
    soundfile.write(tmp_path / "click.wav", audio, SR, subtype="FLOAT")
    from_file = quality_report(tmp_path / "click.wav", SR, expected_duration=16.0, expected_bpm=120.0)
    from_array = quality_report(audio, SR, expected_duration=16.0, expected_bpm=120.0)
    assert from_file == from_array


def test_relations_and_key_names() -> None:
    assert tempo_relation(90.0, 60.0) == "three_halves"
    assert tempo_relation(0.0, 120.0) == "mismatch"
    assert parse_key("F#m") == (6, "minor")
    assert parse_key("Bb major") == (10, "major")
    assert parse_key("d dorian") == (2, "dorian")
    assert key_relation((0, "minor"), (0, "major")) == "parallel"
    assert key_relation((7, "major"), (0, "major")) == "fifth"
    assert key_relation((1, "major"), (0, "major")) == "mismatch"


def test_modes_compare_by_their_notes() -> None:
    assert key_relation((9, "minor"), (9, "harmonic minor")) == "match"
    assert key_relation((4, "major"), (9, "lydian")) == "relative"  # same notes as A lydian
    assert key_relation((0, "major"), (2, "dorian")) == "relative"
    assert key_relation((9, "minor"), (9, "mixolydian")) == "parallel"
