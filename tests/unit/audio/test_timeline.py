"""Soundtrack timelines: settled spans, clips with fades, block rendering, levelling under a ceiling."""

from __future__ import annotations

import doctest
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import soundfile as sf
from numpy.testing import assert_allclose

from mixdown.audio import loudness as loudness_module
from mixdown.audio import timeline as timeline_module
from mixdown.audio.loudness import file_loudness, level_file
from mixdown.audio.timeline import (
    BLOCK,
    CUT_FADE_SECONDS,
    EDGE_FADE_SECONDS,
    MIN_SPAN_SECONDS,
    Clip,
    RegionTime,
    Span,
    clip_for,
    plan_spans,
    render,
    total_seconds,
)

RATE = 8000


def spans(*regions: RegionTime) -> list[tuple[float, float, float]]:
    return [(round(s.start, 6), round(s.end, 6), round(s.offset, 6)) for s in plan_spans(regions)]


@lru_cache(maxsize=8)
def chord(seconds: float, rate: int, amplitude: float = 0.2, seed: int = 0) -> np.ndarray:
    """A stereo A-major triad with a little noise, float32, read-only."""
    t = np.arange(round(seconds * rate)) / rate
    tone = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63)) / 3
    noise = np.random.default_rng(seed).standard_normal(t.size) * 0.01
    mono = (amplitude * tone + noise).astype(np.float32)
    audio = np.stack([mono, mono * 0.9], axis=1)
    audio.setflags(write=False)
    return audio


def write(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    sf.write(path, audio, rate, subtype="FLOAT")
    return path


# --- spans -------------------------------------------------------------------------------------


def test_strict_regions_keep_their_request_and_the_total_is_the_latest_end() -> None:
    regions = (RegionTime(0, 10), RegionTime(12, 5), RegionTime(3, 2, length=30.0))
    assert spans(*regions) == [(0, 10, 0), (12, 17, 0), (3, 5, 0)]
    assert total_seconds(regions) == 17


def test_the_documented_example_a_jingle_keeps_its_end_and_the_generated_part_fills_up_to_it() -> None:
    # Given Muzaic's two-region example with a 12 s jingle copied into the second region
    regions = (RegionTime(0, 20.2, "adjust_end"), RegionTime(20.2, 27.8, "adjust_start", length=12.0))
    # Then the jingle ends at 48 s and the generated region ends where the jingle starts
    assert spans(*regions) == [(0, 36, 0), (36, 48, 0)]


def test_adjust_end_on_fixed_content_runs_its_own_length_and_a_flexible_neighbour_follows() -> None:
    regions = (RegionTime(0, 10, "adjust_end", length=7.0), RegionTime(10, 10, "adjust_start"))
    assert spans(*regions) == [(0, 7, 0), (7, 20, 0)]


def test_fixed_content_never_squeezes_a_neighbour_below_the_minimum_its_head_or_tail_is_cut() -> None:
    head_cut = (RegionTime(0, 20, "adjust_end"), RegionTime(20, 10, "adjust_start", length=60.0))
    assert spans(*head_cut) == [(0, MIN_SPAN_SECONDS, 0), (MIN_SPAN_SECONDS, 30, 60 - 29)]
    tail_cut = (RegionTime(0, 5, "adjust_end", length=60.0), RegionTime(5, 10, "adjust_start"))
    assert spans(*tail_cut) == [(0, 15 - MIN_SPAN_SECONDS, 0), (15 - MIN_SPAN_SECONDS, 15, 0)]


def test_adjust_start_before_zero_drops_the_head_of_the_content() -> None:
    assert spans(RegionTime(2, 8, "adjust_start", length=25.0)) == [(0, 10, 15)]


def test_auto_adjust_fills_the_gaps_on_both_sides_and_two_flexible_regions_meet_without_overlap() -> None:
    gaps = (RegionTime(0, 5), RegionTime(8, 4, "auto_adjust"), RegionTime(15, 5))
    assert spans(*gaps) == [(0, 5, 0), (5, 15, 0), (15, 20, 0)]
    towards = (RegionTime(0, 10, "adjust_end"), RegionTime(14, 6, "adjust_start"))
    assert spans(*towards) == [(0, 14, 0), (14, 20, 0)]


def test_regions_are_settled_in_time_order_whatever_their_order_in_the_request() -> None:
    regions = (RegionTime(10, 10, "adjust_start"), RegionTime(0, 6))
    assert spans(*regions) == [(6, 20, 0), (0, 6, 0)]


def test_a_region_squeezed_under_the_minimum_is_refused_naming_it() -> None:
    regions = (RegionTime(0, 10), RegionTime(10, 5, "adjust_end"), RegionTime(10.5, 5))
    with pytest.raises(ValueError, match="region 1 would last"):
        plan_spans(regions)


# --- clips -------------------------------------------------------------------------------------


def test_clip_edges_get_short_fades_and_cuts_into_the_music_get_long_ones() -> None:
    whole = clip_for(Path("x.wav"), Span(1.0, 6.0), content_seconds=5.0, sample_rate=RATE)
    edge = round(EDGE_FADE_SECONDS * RATE)
    assert (whole.start, whole.offset, whole.frames) == (RATE, 0, 5 * RATE)
    assert (whole.fade_in, whole.fade_out) == (edge, edge)
    cut = clip_for(Path("x.wav"), Span(0.0, 3.0, offset=2.0), content_seconds=10.0, sample_rate=RATE)
    assert (cut.offset, cut.frames) == (2 * RATE, 3 * RATE)
    assert cut.fade_in == cut.fade_out == round(CUT_FADE_SECONDS * RATE)


def test_content_shorter_than_its_span_leaves_silence_after_it() -> None:
    clip = clip_for(Path("x.wav"), Span(0.0, 10.0), content_seconds=4.0, sample_rate=RATE)
    assert clip.frames == 4 * RATE
    assert clip.fade_out == round(EDGE_FADE_SECONDS * RATE)


# --- rendering ---------------------------------------------------------------------------------


def test_render_places_clips_sample_exactly_with_their_fades_and_sums_overlaps(tmp_path: Path) -> None:
    # Given two sources, one longer than a render block, and a mono one
    a = write(tmp_path / "a.wav", chord(10.0, RATE))
    mono = np.asarray(chord(3.0, RATE, seed=1)[:, :1])
    b = write(tmp_path / "b.wav", mono)
    clips = [
        Clip(a, start=RATE, offset=RATE // 2, frames=BLOCK + 1000, fade_in=400, fade_out=0),
        Clip(b, start=2 * RATE, offset=0, frames=RATE, fade_in=0, fade_out=800),
    ]
    # When they are rendered on a 12 s timeline
    render(clips, tmp_path / "out.wav", total_frames=12 * RATE, sample_rate=RATE)
    out, rate = sf.read(tmp_path / "out.wav", dtype="float32")
    # Then the length is exact, silence surrounds the clips and the samples are the sources'
    expected = np.zeros((12 * RATE, 2), dtype=np.float32)
    first = chord(10.0, RATE)[RATE // 2 : RATE // 2 + BLOCK + 1000].copy()
    first[:400] *= (np.arange(400) / 400)[:, None]
    expected[RATE : RATE + BLOCK + 1000] += first
    second = np.repeat(mono[:RATE], 2, axis=1)
    second[-800:] *= (np.arange(800) / 800)[::-1, None]
    expected[2 * RATE : 3 * RATE] += second
    assert rate == RATE and out.shape == expected.shape
    assert_allclose(out, expected, atol=1e-6)


# --- levelling ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [-14.0, -11.0, -20.0])
def test_level_file_reaches_the_target_under_the_true_peak_ceiling(tmp_path: Path, target: float) -> None:
    source = write(tmp_path / "in.wav", chord(6.0, 44100, amplitude=0.1), rate=44100)
    done = level_file(source, tmp_path / "out.wav", target_lufs=target, ceiling_db=-1.0)
    assert abs(file_loudness(tmp_path / "out.wav") - target) <= 0.2
    assert done.loudness_out == pytest.approx(file_loudness(tmp_path / "out.wav"), abs=0.01)
    assert done.true_peak_db <= -1.0 + 0.05
    assert sf.info(str(tmp_path / "out.wav")).frames == 6 * 44100


def test_level_file_without_a_target_keeps_the_level_and_only_catches_peaks(tmp_path: Path) -> None:
    quiet = np.array(chord(4.0, 44100, amplitude=0.1))
    source = write(tmp_path / "quiet.wav", quiet, rate=44100)
    done = level_file(source, tmp_path / "same.wav", target_lufs=None)
    out, _ = sf.read(tmp_path / "same.wav", dtype="float32")
    assert done.gain_db == 0.0 and done.limiter_reduction_db == 0.0
    assert_allclose(out, quiet, atol=1e-6)
    loud = quiet * 20.0  # peaks far over the ceiling
    source = write(tmp_path / "loud.wav", loud, rate=44100)
    done = level_file(source, tmp_path / "caught.wav", target_lufs=None, ceiling_db=-1.0)
    assert done.true_peak_db <= -1.0 + 0.05 and done.limiter_reduction_db < -3.0


def test_level_file_leaves_silence_silent(tmp_path: Path) -> None:
    source = write(tmp_path / "silence.wav", np.zeros((44100, 2), np.float32), rate=44100)
    done = level_file(source, tmp_path / "out.wav", target_lufs=-14.0)
    assert done.gain_db == 0.0
    assert not np.any(sf.read(tmp_path / "out.wav")[0])


@pytest.mark.parametrize("module", [timeline_module, loudness_module], ids=["timeline", "loudness"])
def test_the_docstring_examples_hold(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert failures == 0 and tried > 0
