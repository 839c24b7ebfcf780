"""Every bundled style loads and is a sane, musically consistent profile."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from importlib import resources

import pytest

from mixdown.engines.music import genre_words
from mixdown.engines.music.score import MixSettings
from mixdown.engines.music.style import MELODY_RHYTHMS, ROLES, StyleProfile, load_styles
from mixdown.engines.music.tags import TAGS
from mixdown.engines.music.understand import MINOR_FAMILY

STYLES = load_styles()
# Steps per bar for each meter: sixteenths, or eighth-note triplets (12 per 4/4 bar) for swing styles.
STEPS_FOR_METER = {(4, 4): {16, 12}, (3, 4): {12}, (6, 8): {12}, (12, 8): {12}}
NUMERAL = re.compile(
    r"^(?:b|#)?(?:(?P<upper>VII|VI|IV|V|III|II|I)(?P<usuffix>maj7|maj9|sus2|sus4|add9|7|9|11|13|6|5)?"
    r"|(?P<lower>vii|vi|iv|v|iii|ii|i)(?P<lsuffix>m7b5|dim7|dim|add9|7|9|11|6)?)$"
)
MIX_KEYS = {f.name for f in fields(MixSettings)}
REQUIRED = {
    "techno", "house", "deep_house", "lofi_hip_hop", "boom_bap", "trap", "synthwave", "ambient",
    "cinematic_orchestral", "epic_trailer", "pop", "rock", "indie", "metal", "punk", "jazz_swing", "blues",
    "funk", "soul_rnb", "reggae", "salsa", "bossa_nova", "drum_and_bass", "dubstep", "chiptune",
    "classical_piano", "folk", "country", "corporate", "meditation", "disco", "edm_big_room", "afrobeats",
    "reggaeton", "waltz", "gospel", "video_game_adventure",
}  # fmt: skip


def test_library_has_the_required_styles() -> None:
    assert len(STYLES) >= 32
    assert set(STYLES) >= REQUIRED


def test_file_names_match_style_names() -> None:
    folder = resources.files("mixdown.engines.music") / "styles"
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            assert tomllib.loads(entry.read_text())["name"] == entry.name.removesuffix(".toml")


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_tempo_meter_and_swing(style: StyleProfile) -> None:
    low, high = style.tempo
    assert 40 <= low < high <= 220
    assert style.meter in STEPS_FOR_METER
    assert 0.0 <= style.swing <= 0.5


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_drum_patterns_fit_the_meter(style: StyleProfile) -> None:
    assert set(style.drums) == {"low", "mid", "high"}
    assert style.fills, "at least one fill (an empty pattern for drumless styles)"
    steps = {p.steps for p in (*style.drums.values(), *style.fills)}
    assert len(steps) == 1
    (step_count,) = steps
    assert step_count in STEPS_FOR_METER[style.meter]
    if style.meter == (4, 4) and step_count == 12:
        assert style.swing == 0.0, "a triplet grid already swings"


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_drum_energy_levels_grow(style: StyleProfile) -> None:
    def hits(level: str) -> int:
        return sum(
            len(text) - text.count(".") - text.count("-") for text in style.drums[level].lanes.values()
        )

    assert hits("low") <= hits("mid") <= hits("high")


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_instruments(style: StyleProfile) -> None:
    assert set(style.instruments) <= set(ROLES)
    assert {"bass", "chords", "lead"} <= set(style.instruments)
    for programs in style.instruments.values():
        assert programs
        assert all(0 <= p <= 127 for p in programs)


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_harmony(style: StyleProfile) -> None:
    assert style.modes and all(w > 0 for w in style.modes.values())
    families = {mode in MINOR_FAMILY for mode in style.modes}
    assert len(families) == 1, "numerals refer to one scale family per style"
    assert style.progressions
    for progression in style.progressions:
        assert progression.weight > 0 and 2 <= len(progression.chords) <= 12
        for chord in progression.chords:
            assert NUMERAL.match(chord), f"{chord!r} is not a Roman numeral chord"
    assert 0.5 <= style.harmonic_rhythm <= 4
    assert 0 <= style.extensions <= 1


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_melody_sections_and_mix(style: StyleProfile) -> None:
    melody = style.melody
    assert 36 <= melody.low < melody.high <= 96 and melody.high - melody.low >= 12
    assert 0 < melody.density <= 1 and melody.rhythm in MELODY_RHYTHMS and 0 <= melody.step_bias <= 1
    assert 0 <= style.bass_octave <= 3
    for template in style.sections:
        assert template
        assert set(template) <= set(style.section_energy), "every section has an energy"
    assert all(0 <= e <= 1 for e in style.section_energy.values())
    assert set(style.mix) <= MIX_KEYS
    assert all(0 <= v <= 1 for v in style.mix.values())


@pytest.mark.parametrize("style", STYLES.values(), ids=list(STYLES))
def test_description_and_tags_are_rich(style: StyleProfile) -> None:
    assert len(style.description) >= 120
    assert len(style.tags) >= 8
    assert len(set(style.tags)) == len(style.tags)


def test_vocabularies_name_existing_styles() -> None:
    named = set(genre_words.GENRE_PHRASES.values()) | set(genre_words.GENRE_HINT_PHRASES.values())
    named |= set(genre_words.GENRE_ADJECTIVES.values())
    named |= {s for tag in TAGS for s in tag.styles}
    assert named <= set(STYLES)
    assert set(STYLES) <= set(genre_words.GENRE_PHRASES.values()), "every style can be named"
