"""Stem names: spellings, refusals, and how requested stems share an engine's sources."""

from __future__ import annotations

import pytest

from mixdown.engines.separation.names import STEM_NAMES, assign, canonical, parse_stems, refuse
from mixdown.errors import ValidationFailed

GROUPS = {"drums": {"drums"}, "bass": {"bass"}, "vocals": {"vocals"}}
SOURCES = ("drums", "bass", "vocals", "rest")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Vocals", "vocals"), ("hi-hat", "hi_hat"), ("Kick Drum", "kick_drum"), ("piano/keys", "keys")],
)
def test_spellings_fold_to_musicgpt_names(given: str, expected: str) -> None:
    assert canonical(given) == expected


@pytest.mark.parametrize("bad", ["kazoo", "", "vocalz"])
def test_unknown_names_are_422_naming_stems(bad: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        canonical(bad)
    assert err.value.field == "stems" and "hi_hat" in err.value.message


def test_every_musicgpt_extraction_name_is_known() -> None:
    musicgpt = [
        "vocals",
        "instrumental",
        "male_vocal",
        "female_vocal",
        "lead_vocal",
        "back_vocal",
        "bass",
        "drums",
        "guitar",
        "piano",
        "keys",
        "strings",
        "winds",
        "rhythm_guitar",
        "solo_guitar",
        "acoustic_guitar",
        "electric_guitar",
        "kick_drum",
        "snare_drum",
        "toms",
        "hi_hat",
        "ride",
        "crash",
    ]
    assert set(musicgpt) | {"other"} == set(STEM_NAMES)


def test_parse_keeps_order_and_drops_duplicates() -> None:
    assert parse_stems(["drums", "Vocal", "drums", "other"]) == ("drums", "vocals", "other")
    with pytest.raises(ValidationFailed):
        parse_stems([])


def test_other_is_what_no_other_stem_takes_and_instrumental_all_but_vocals() -> None:
    got = assign(["drums", "other", "instrumental"], SOURCES, GROUPS)
    assert got == {
        "drums": {"drums"},
        "other": {"bass", "vocals", "rest"},
        "instrumental": {"drums", "bass", "rest"},
    }
    assert assign(["vocals", "other"], SOURCES, GROUPS)["other"] == {"drums", "bass", "rest"}
    assert assign(["other"], SOURCES, GROUPS)["other"] == set(SOURCES)


def test_refuse_lists_what_the_engine_serves() -> None:
    refuse(["drums"], "embedded", ["drums", "bass"])
    with pytest.raises(ValidationFailed) as err:
        refuse(["drums", "piano"], "embedded", ["drums", "bass"], "no model")
    assert err.value.field == "stems"
    assert (
        "cannot extract piano (no model)" in err.value.message and "serves drums, bass" in err.value.message
    )
