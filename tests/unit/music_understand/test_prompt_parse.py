"""Phrases in prompts: instruments, moods, structure, genres."""

from __future__ import annotations

import pytest

from mixdown.engines.music.prompt_parse import MODIFIER_WEIGHT, parse_prompt


@pytest.mark.parametrize(
    ("prompt", "instruments"),
    [
        ("Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures",
         ("analog bass", "pad", "female vocals")),
        ("trap with heavy 808s", ("808",)),
        ("strings and brass", ("strings", "brass")),
        ("acoustic guitar and piano", ("acoustic guitar", "piano")),
        ("a choir over warm pads", ("choir", "pad")),
        ("drum and bass", ()),
        ("piano house", ()),
        ("lush strings, a tenor sax solo and upright bass", ("strings", "tenor sax", "upright bass")),
        ("orchestral piece for full orchestra", ("strings", "brass", "woodwinds", "timpani")),
        ("jazz guitar and brushes", ("jazz guitar", "brushes")),
        ("synth pads with rain sounds and vinyl crackle", ("pad", "rain", "vinyl crackle")),
        ("music to wind down after a rainy day", ()),
        ("corporate bed under a voice over", ()),
    ],
)  # fmt: skip
def test_instruments(prompt: str, instruments: tuple[str, ...]) -> None:
    assert parse_prompt(prompt).instruments == instruments


def test_negated_instruments_are_excluded() -> None:
    parsed = parse_prompt("upbeat pop with piano, no drums and without vocals")
    assert parsed.instruments == ("piano",)
    assert parsed.excluded == ("drums", "vocals")
    assert "drums" in parse_prompt("drumless ambient").excluded
    listed = parse_prompt("ambient without drums or vocals, and a soft piano")
    assert (listed.instruments, listed.excluded) == (("piano",), ("drums", "vocals"))


@pytest.mark.parametrize(
    ("prompt", "moods"),
    [
        ("dark, uplifting and chill", ("dark", "uplifting", "chill")),
        ("a melancholic, bittersweet tune", ("melancholic",)),
        ("spooky halloween music", ("spooky",)),
        ("energetic and happy", ("energetic", "happy")),
        ("warm pads", ()),  # timbre of an instrument, not the mood of the piece
    ],
)
def test_moods(prompt: str, moods: tuple[str, ...]) -> None:
    assert parse_prompt(prompt).moods == moods


@pytest.mark.parametrize(
    ("prompt", "structure"),
    [
        ("intro-drop", ("intro", "drop")),
        ("verse-chorus song with a bridge", ("verse", "chorus", "bridge")),
        ("long build-up, breakdown, then the drop", ("build", "breakdown", "drop")),
        ("guitar solo and a fade out", ("solo", "fade_out")),
        ("solo piano nocturne", ()),
        ("peak time techno", ()),
        ("a seamless loop", ("loop",)),
    ],
)
def test_structure(prompt: str, structure: tuple[str, ...]) -> None:
    assert parse_prompt(prompt).structure == structure


def _votes(prompt: str) -> dict[str, float]:
    votes: dict[str, float] = {}
    for vote in parse_prompt(prompt).genres:
        votes[vote.style] = max(votes.get(vote.style, 0.0), vote.weight)
    return votes


@pytest.mark.parametrize(
    ("prompt", "votes"),
    [
        ("deep house", {"deep_house": 1.0}),
        ("lofi hip hop", {"lofi_hip_hop": 1.0}),
        ("drum & bass", {"drum_and_bass": 1.0}),
        ("jazz-infused hip hop", {"jazz_swing": MODIFIER_WEIGHT, "boom_bap": 1.0}),
        ("orchestral dubstep", {"cinematic_orchestral": MODIFIER_WEIGHT, "dubstep": 1.0}),
        ("techno with jazz chords", {"techno": 1.0, "jazz_swing": MODIFIER_WEIGHT}),
        ("house with a touch of disco", {"house": 1.0, "disco": MODIFIER_WEIGHT}),
        ("jazzy lofi", {"lofi_hip_hop": 1.0, "jazz_swing": MODIFIER_WEIGHT}),
        ("rock meets reggae", {"rock": 1.0, "reggae": 1.0}),
        ("jazz piano trio", {"jazz_swing": 1.0}),
        ("a spooky haunted house", {}),
        ("music that touches the soul", {}),
        ("a tourist trap", {}),
        ("classical guitar", {}),
    ],
)
def test_genre_votes(prompt: str, votes: dict[str, float]) -> None:
    assert _votes(prompt) == votes


def test_word_nudges() -> None:
    calm = parse_prompt("calm, slow and dark")
    assert calm.adjust["intensity"] < 0 and calm.adjust["tempo"] < 0 and calm.adjust["tone"] < 0
    loud = parse_prompt("fast, aggressive and bright")
    assert loud.adjust["intensity"] > 0 and loud.adjust["tempo"] > 0 and loud.adjust["tone"] > 0
    assert parse_prompt("a track that gradually builds").ramp
    assert all(-1 <= v <= 1 for v in parse_prompt("hard hard intense explosive furious").adjust.values())


def test_explicit_values_are_read() -> None:
    parsed = parse_prompt("lofi hip hop at 82bpm in Bb dorian, 2 minutes, 4/4")
    assert (parsed.bpm, parsed.key_tonic, parsed.mode, parsed.duration, parsed.meter) == (
        82.0, 10, "dorian", 120.0, (4, 4)
    )  # fmt: skip
