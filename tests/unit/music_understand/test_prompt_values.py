"""Explicit values in prompts: tempo, key and mode, meter, duration."""

from __future__ import annotations

import pytest

from mixdown.engines.music.prompt_values import (
    check_duration,
    parse_bpm,
    parse_bpm_range,
    parse_duration,
    parse_key,
    parse_meter,
)


@pytest.mark.parametrize(
    ("text", "bpm"),
    [
        ("melodic techno, 126 bpm", 126.0),
        ("lofi at 90bpm", 90.0),
        ("rock, tempo 100", 100.0),
        ("tempo: 85, warm", 85.0),
        ("bpm of 140", 140.0),
        ("a 174-bpm roller", 174.0),
        ("around 92.5 bpm", 92.5),
        ("house music", None),
        ("the 1980s vibe", None),
        ("120-130 bpm house", None),
    ],
)
def test_bpm(text: str, bpm: float | None) -> None:
    assert parse_bpm(text) == bpm


@pytest.mark.parametrize("text", ["999 bpm", "tempo 12"])
def test_impossible_bpm_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="BPM"):
        parse_bpm(text)


def test_bpm_range() -> None:
    assert parse_bpm_range("house at 120-128 bpm") == (120.0, 128.0)
    assert parse_bpm_range("house at 128 to 120 bpm") == (120.0, 128.0)
    assert parse_bpm_range("house at 124 bpm") is None


@pytest.mark.parametrize(
    ("prompt", "key"),
    [
        ("in A minor", (9, "minor")),
        ("F# major waltz", (6, "major")),
        ("lofi hip hop at 82bpm in Bb dorian", (10, "dorian")),
        ("C#m trap", (1, "minor")),
        ("a ballad in Ebm", (3, "minor")),
        ("in the key of E flat major", (3, "major")),
        ("F sharp minor", (6, "minor")),
        ("G mixolydian jam", (7, "mixolydian")),
        ("E phrygian metal", (4, "phrygian")),
        ("D harmonic minor", (2, "harmonic_minor")),
        ("in a minor key", (9, "minor")),
        ("A Minor ballad", (9, "minor")),
        ("E♭ major", (3, "major")),
        ("key of D", (2, None)),
        ("funk in E, 100 bpm", (4, None)),
        ("a dorian groove", (None, "dorian")),
        ("something in minor", (None, "minor")),
        ("a major label sound", (None, None)),
        ("a minor detail", (None, None)),
        ("FM radio hit", (None, None)),
        ("Featured in A Film", (None, None)),
    ],
)
def test_key_and_mode(prompt: str, key: tuple[int | None, str | None]) -> None:
    assert parse_key(prompt) == key


@pytest.mark.parametrize(
    ("text", "meter"),
    [
        ("a waltz", (3, 4)),
        ("in 3/4", (3, 4)),
        ("6/8 ballad", (6, 8)),
        ("slow blues in 12/8", (12, 8)),
        ("odd 7/8 groove", (7, 8)),
        ("an irish jig", (6, 8)),
        ("three-four time", (3, 4)),
        ("24/7 radio", None),
        ("50/50 mix", None),
        ("rock song", None),
    ],
)
def test_meter(text: str, meter: tuple[int, int] | None) -> None:
    assert parse_meter(text) == meter


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2 minutes of ambient", 120.0),
        ("90 seconds", 90.0),
        ("a 30-second spot", 30.0),
        ("1.5 minutes", 90.0),
        ("a minute and a half", 90.0),
        ("one and a half minutes", 90.0),
        ("two minutes and 30 seconds", 150.0),
        ("2m30s", 150.0),
        ("1:30 long", 90.0),
        ("for 2:30", 150.0),
        ("half a minute", 30.0),
        ("thirty seconds", 30.0),
        ("a 10 second intro, then 3 minutes of groove", 180.0),
        ("80s synthwave", None),
        ("a second verse", None),
        ("house music", None),
    ],
)
def test_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_lengths_the_engine_cannot_make_are_errors() -> None:
    assert parse_duration("45 minutes of rain") == 2700.0
    assert check_duration(90.0) == 90.0
    with pytest.raises(ValueError, match="1200"):
        check_duration(2700.0)
    with pytest.raises(ValueError, match="1-1200"):
        check_duration(0.5)
