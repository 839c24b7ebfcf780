"""Melody conditioning: extraction from audio, the spec it conditions, and the lead it drives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mixdown.engines.music.compose import build_context, compose
from mixdown.engines.music.compose.conditioned import lead_notes
from mixdown.engines.music.compose.context import Context
from mixdown.engines.music.compose.melody import plays_lead
from mixdown.engines.music.melody_extract import Melody, condition, extract_melody
from mixdown.engines.music.score import Score
from mixdown.engines.music.spec import MusicSpec
from tests.unit.music_building.pieces import RATE, TUNE_STEPS, make_spec, tune_audio


@pytest.mark.parametrize("program", [73, 0, 80])  # flute, piano, square lead (beating)
def test_extracted_melody_matches_what_was_played(program: int) -> None:
    melody = extract_melody(tune_audio(program), RATE)
    assert melody.bpm == pytest.approx(110.0, rel=0.02)
    assert (melody.key_tonic, melody.mode) == (9, "minor")
    heard = {(step, pitch) for step, _, pitch in melody.steps}
    played = {(step, pitch) for step, _, pitch in TUNE_STEPS}
    assert len(heard & played) >= 0.9 * len(played)
    assert len(melody.steps) <= len(TUNE_STEPS) + 1


def test_no_melody_is_an_error() -> None:
    import numpy as np

    with pytest.raises(ValueError, match="no melody"):
        extract_melody(np.zeros(RATE, dtype=np.float32), RATE)


def _melody(steps: tuple[tuple[int, int, int], ...] = TUNE_STEPS) -> Melody:
    return Melody(notes=(), bpm=110.0, grid_phase=0.0, key_tonic=9, mode="minor", steps=steps)


def test_condition_adopts_the_melodys_tempo_and_key_unless_stated() -> None:
    free = condition(make_spec("pop", bpm=96.0, tonic=2, mode="major", explicit=frozenset()), _melody(), 1.0)
    assert (free.bpm, free.key_tonic, free.mode) == (110.0, 9, "minor")
    assert free.melody == TUNE_STEPS and {"bpm", "key", "mode"} <= free.explicit
    stated = condition(make_spec("pop", bpm=96.0, tonic=0, mode="minor"), _melody(), 0.5)
    assert (stated.bpm, stated.key_tonic) == (96.0, 0)
    assert stated.melody is not None and stated.melody_strength == 0.5
    # A minor to C minor: the same tune three semitones up (the nearer direction)
    assert [p for *_, p in stated.melody] == [p + 3 for *_, p in TUNE_STEPS]
    major = condition(make_spec("pop", tonic=0, mode="major"), _melody(), 1.0)
    assert major.melody is not None and all(p % 12 in (0, 2, 4, 5, 7, 9, 11) for *_, p in major.melody)


def test_spec_round_trip_and_unchanged_hash_without_melody() -> None:
    plain = make_spec("pop")
    assert "melody" not in plain.to_dict() and "melody_strength" not in plain.to_dict()
    with_tune = replace(plain, melody=TUNE_STEPS, melody_strength=0.7)
    again = MusicSpec.from_dict(with_tune.to_dict())
    assert again == with_tune and again.hash(1) == with_tune.hash(1) != plain.hash(1)
    assert MusicSpec.from_dict(plain.to_dict()).hash(1) == plain.hash(1)


def _placed_matches(score: Score, steps: tuple[tuple[int, int, int], ...]) -> tuple[int, int]:
    """(matched, total): melody notes heard in the lead at their place (first lead section each time)."""
    lead = score.part("lead")
    step = score.beat_seconds / 4
    music_end = score.duration - float(score.metadata["tail"]) - score.bar_seconds
    matched = total = 0
    last = len(score.sections) - 1
    for index, section in enumerate(score.sections):
        if not plays_lead(section.name, section.energy, index == last):
            continue
        for at, _, pitch in steps:
            start = section.start + at * step
            if start >= min(section.end, music_end):
                break
            total += 1
            matched += any(abs(n.start - start) < 0.04 and (n.pitch - pitch) % 12 == 0 for n in lead.notes)
    return matched, total


@pytest.mark.parametrize("style", ["pop", "corporate", "house"])
def test_strength_one_plays_the_melody_note_for_note(style: str) -> None:
    spec = make_spec(style, bpm=110.0, duration=40.0, melody=TUNE_STEPS, melody_strength=1.0)
    matched, total = _placed_matches(compose(spec, 4), TUNE_STEPS)
    assert total >= 16 and matched >= 0.9 * total


def test_lower_strength_develops_a_share_of_the_notes() -> None:
    spec = make_spec("pop", bpm=110.0, duration=40.0, melody=TUNE_STEPS, melody_strength=0.3)
    matched, total = _placed_matches(compose(spec, 4), TUNE_STEPS)
    assert total >= 16 and 0.1 * total <= matched <= 0.6 * total


@pytest.mark.parametrize("style", ["pop", "rock", "lofi_hip_hop"])
def test_harmony_is_fitted_to_the_melody(style: str) -> None:
    def covered(ctx: Context) -> float:
        strong = [(at, p) for at, _, p in lead_notes(ctx) if ctx.beat_strength(at) >= 0.6]
        return sum(p % 12 in ctx.span_at(at).chord.pcs for at, p in strong) / len(strong)

    plain = make_spec(style, bpm=110.0, duration=40.0)
    conditioned = replace(plain, melody=TUNE_STEPS, melody_strength=1.0)
    fitted = build_context(conditioned, 4)
    # The chords the style would have played under the same melody (same plan, no fitting)
    unfitted = replace(build_context(plain, 4), spec=conditioned)
    assert covered(fitted) >= 0.75 and covered(fitted) > covered(unfitted)
