"""Prompt matching by keywords (no model load) and trait parsing."""

from __future__ import annotations

import pytest

from mixdown.engines.sfx.matching import match_prompt, parse_traits, stem, words
from mixdown.engines.sfx.recipes import RECIPES

# (prompt, expected recipe): the keyword path alone must get every one right.
KEYWORD_CASES = [
    ("heavy rain on a tin roof", "rain"),
    ("light drizzle", "rain"),
    ("distant rolling thunder", "thunder"),
    ("booming thunder", "thunder"),
    ("howling wind in the mountains", "wind"),
    ("ocean waves crashing on the beach", "ocean"),
    ("crackling campfire", "fire"),
    ("birds chirping in the morning", "birds"),
    ("babbling brook", "stream"),
    ("crickets at night", "crickets"),
    ("water dripping in a cave", "drip"),
    ("footsteps on gravel", "footsteps"),
    ("heavy boots walking down a corridor", "footsteps"),
    ("door slam", "door"),
    ("metal door slam", "door"),
    ("knock knock on the door", "knock"),
    ("wooden door knock", "knock"),
    ("creaky old door opening", "creak"),
    ("glass shattering", "glass"),
    ("typing on a keyboard", "typing"),
    ("big splash into a pool", "splash"),
    ("huge explosion", "explosion"),
    ("cinematic impact hit", "impact"),
    ("pistol gunshot", "gunshot"),
    ("machine gun burst", "gunshot"),
    ("metal clang", "metal"),
    ("church bell tolling", "bell"),
    ("laser gun", "laser"),
    ("sci-fi laser zap", "laser"),
    ("coin pickup", "coin"),
    ("8-bit jump", "jump"),
    ("Power-Up!", "power_up"),
    ("level up sound", "power_up"),
    ("magic sparkle", "magic"),
    ("digital glitch", "glitch"),
    ("UI click", "click"),
    ("notification ding", "chime"),
    ("error buzzer", "error"),
    ("fast swoosh", "whoosh"),
    ("sword swing", "whoosh"),
    ("tension riser", "riser"),
    ("alarm clock beeping", "alarm"),
    ("fire alarm", "alarm"),
    ("police siren", "siren"),
    ("fire truck siren", "siren"),
    ("car engine revving", "engine"),
    ("helicopter flying overhead", "helicopter"),
    ("electrical hum", "hum"),
    ("old telephone ringing", "phone"),
    ("grandfather clock ticking", "clock"),
    ("electric sparks", "zap"),
    ("crowd murmur in a restaurant", "crowd"),
    ("applause", "applause"),
    ("city traffic", "traffic"),
    ("dark ambient drone", "drone"),
    ("slow heartbeat", "heartbeat"),
]


def test_the_table_is_large_enough() -> None:
    assert len(KEYWORD_CASES) >= 35
    assert {name for _, name in KEYWORD_CASES} >= set(RECIPES)  # every recipe reachable by a keyword


@pytest.mark.parametrize(("prompt", "expected"), KEYWORD_CASES)
def test_keywords_alone_pick_the_recipe(prompt: str, expected: str) -> None:
    match = match_prompt(prompt, use_embeddings=False)
    assert (match.recipe, match.method) == (expected, "keyword")
    assert match.scores[0][0] == expected


@pytest.mark.parametrize("prompt", ["heavy rain", "police siren wailing", "ticking clock", "huge explosion"])
def test_a_clear_keyword_match_never_consults_the_model(prompt: str) -> None:
    assert match_prompt(prompt).method == "keyword"


def test_a_prompt_without_keywords_falls_back_to_the_default_when_embeddings_are_off() -> None:
    match = match_prompt("qwerty zxcvb", use_embeddings=False)
    assert (match.recipe, match.method, match.scores) == ("drone", "default", ())


def test_the_longest_phrase_wins_over_its_words() -> None:
    # "laser gun" is the laser's phrase, though "gun" alone names the gunshot
    assert match_prompt("laser gun", use_embeddings=False).recipe == "laser"
    assert match_prompt("gun", use_embeddings=False).recipe == "gunshot"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("footsteps", "footstep"),
        ("Dripping", "drip"),
        ("rising", "ris"),
        ("rise", "ris"),
        ("crashes", "crash"),
        ("bubbles", "bubbl"),
        ("bubbling", "bubbl"),
        ("hissing", "hiss"),
        ("firing", "shoot"),
        ("glass", "glass"),
    ],
)
def test_stem_brings_inflections_together(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_words_split_on_hyphens_and_punctuation() -> None:
    assert words("Power-up, tick-tock!") == ["power", "up", "tick", "tock"]


def test_distant_and_close() -> None:
    assert parse_traits("distant thunder").distance > 0.8
    assert parse_traits("close thunder").distance == 0.0
    assert parse_traits("thunder").distance == pytest.approx(0.2)
    assert parse_traits("very distant thunder").distance == 1.0


def test_heavy_light_short_long_fast_slow() -> None:
    heavy, light = parse_traits("heavy footsteps"), parse_traits("light footsteps")
    assert heavy.weight > 0.5 > 0 > -0.5 > light.weight
    assert heavy.intensity > 0.5 > light.intensity
    assert parse_traits("short explosion").length < 0 < parse_traits("long explosion").length
    assert parse_traits("fast heartbeat").speed > 0 > parse_traits("slow heartbeat").speed


@pytest.mark.parametrize(
    ("prompt", "field", "sign"),
    [
        ("huge impact", "size", 1),
        ("tiny click", "size", -1),
        ("high pitched beep", "pitch", 1),
        ("deep boom", "pitch", -1),
        ("muffled music", "brightness", -1),
        ("crisp click", "brightness", 1),
        ("footsteps in a cathedral", "wet", 1),
        ("dry snare", "wet", -1),
        ("metallic knock", "metallic", 1),
        ("retro 8-bit coin", "lofi", 1),
        ("loud alarm", "loudness", 1),
        ("quiet rain", "loudness", -1),
    ],
)
def test_trait_words_move_their_trait(prompt: str, field: str, sign: int) -> None:
    default = getattr(parse_traits("sound"), field)
    assert (getattr(parse_traits(prompt), field) - default) * sign > 0.3


def test_intensifiers_scale_and_negation_flips() -> None:
    assert (
        parse_traits("very heavy rain").weight
        > parse_traits("heavy rain").weight
        > parse_traits("slightly heavy rain").weight
        > 0
    )
    assert parse_traits("not loud").loudness < 0 < parse_traits("loud").loudness


@pytest.mark.parametrize(
    ("prompt", "repeats"),
    [
        ("three knocks", 3),
        ("2 gunshots", 2),
        ("a single laser shot", 1),
        ("double click", 2),
        ("rapid fire laser burst", 4),
        ("knocking", None),
        ("retro 8-bit coin", None),
    ],
)
def test_counts(prompt: str, repeats: int | None) -> None:
    assert parse_traits(prompt).repeats == repeats


def test_traits_record_the_words_they_came_from() -> None:
    traits = parse_traits("very distant heavy thunder")
    assert traits.words == ("distant", "heavy")
    assert traits.as_dict()["words"] == ["distant", "heavy"]
    assert traits.as_dict()["distance"] == 1.0
