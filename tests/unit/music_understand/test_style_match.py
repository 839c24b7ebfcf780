"""The style matcher on a table of prompts, with the real sentence-embedding model."""

from __future__ import annotations

import pytest

from mixdown.engines.music.prompt_parse import parse_prompt
from mixdown.engines.music.style_match import match_styles, score_styles

from .conftest import flat_embedder

# (prompt, expected main style). The first group names a genre; the second names none, so
# hints, style tags and the embedding decide.
NAMED = [
    ("Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures", "techno"),
    ("dark warehouse rave with pounding kicks", "techno"),
    ("chicago house with piano stabs and a soulful vocal", "house"),
    ("smooth late-night deep house for a rooftop bar", "deep_house"),
    ("lofi hip hop beats to study to", "lofi_hip_hop"),
    ("90s boom bap instrumental with a hard snare", "boom_bap"),
    ("hard trap beat with 808s and hi-hat rolls", "trap"),
    ("retro 80s synthwave night drive with analog synths", "synthwave"),
    ("ambient soundscape with evolving drones", "ambient"),
    ("dark ambient drone for a horror game", "dark_ambient"),
    ("sweeping orchestral film score, emotional strings", "cinematic_orchestral"),
    ("epic trailer music with taiko drums, choir and huge brass", "epic_trailer"),
    ("catchy upbeat pop song with a big chorus", "pop"),
    ("classic rock with crunchy guitars and a guitar solo", "rock"),
    ("jangly indie rock, bittersweet", "indie"),
    ("heavy metal with double kick and distorted riffs", "metal"),
    ("fast pop punk with power chords", "punk"),
    ("swinging jazz club trio with walking bass and ride cymbal", "jazz_swing"),
    ("slow 12-bar blues shuffle with harmonica", "blues"),
    ("tight funk groove with slap bass and horn stabs", "funk"),
    ("smooth neo soul with Rhodes chords", "soul_rnb"),
    ("roots reggae one drop with offbeat skank", "reggae"),
    ("hot salsa with congas, timbales and a trumpet section", "salsa"),
    ("bossa nova with nylon guitar and soft brushes", "bossa_nova"),
    ("liquid drum and bass at 174 bpm", "drum_and_bass"),
    ("dubstep with wobble bass and a massive drop", "dubstep"),
    ("8-bit chiptune for a retro platformer", "chiptune"),
    ("gentle classical piano nocturne", "classical_piano"),
    ("sad piano ballad for a farewell", "emotional_piano"),
    ("acoustic folk song with fingerpicked guitar and harmonica", "folk"),
    ("country song with a twangy telecaster, fiddle and banjo", "country"),
    ("upbeat corporate background music for a product video", "corporate"),
    ("calm meditation music with singing bowls for yoga", "meditation"),
    ("70s disco with strings and an octave bass", "disco"),
    ("festival EDM banger with a supersaw drop", "edm_big_room"),
    ("euphoric uplifting trance with arpeggios", "trance"),
    ("afrobeats groove with shakers and highlife guitar", "afrobeats"),
    ("reggaeton dembow for a summer party", "reggaeton"),
    ("waltz in F# major", "waltz"),
    ("joyful gospel praise with hammond organ and choir", "gospel"),
    ("heroic video game adventure overworld theme", "video_game_adventure"),
    ("irish jig with fiddle and tin whistle", "celtic"),
    ("jazz-infused hip hop", "boom_bap"),
    ("lofi hip hop at 82bpm in Bb dorian", "lofi_hip_hop"),
    ("music that touches the soul, for a drum & bass set", "drum_and_bass"),
]
UNNAMED = [
    ("dusty jazzy beats with vinyl crackle for a rainy afternoon", "lofi_hip_hop"),
    ("music for a sleepy spa massage", "meditation"),
    ("sunset drive down a neon-lit highway", "synthwave"),
    ("a tense chase through a dark forest for a movie scene", "cinematic_orchestral"),
    ("background music for a tech startup explainer", "corporate"),
    ("cozy coffee shop afternoon with a saxophone", "jazz_swing"),
    ("cowboy riding across the prairie", "country"),
    ("pixel art platformer level", "chiptune"),
    ("brazilian beach cafe at sunset", "bossa_nova"),
    ("mirror ball dance floor with strings and funky guitar", "disco"),
    ("a medieval tavern in a fantasy village", "celtic"),
    ("massive battle scene with war drums", "epic_trailer"),
    ("ballroom dance in three-four time", "waltz"),
    ("music for a rainy day study session", "lofi_hip_hop"),
    ("a hero's journey across a fantasy kingdom", "video_game_adventure"),
    ("a spooky haunted house at midnight", "dark_ambient"),
    ("driving music for a workout at the gym", "edm_big_room"),
    ("a sunny day on a caribbean island", "reggae"),
    ("sad piano for a rainy window", "emotional_piano"),
    ("stadium anthem with screaming guitars", "rock"),
    ("sweaty underground club at 4am", "techno"),
    ("space exploration, floating among the stars", "ambient"),
    ("Sunday morning church service with a choir", "gospel"),
    ("a saloon in the wild west", "country"),
    ("a smoky speakeasy in the 1920s", "jazz_swing"),
    ("fiesta with trumpets and congas", "salsa"),
    ("grand ballroom in Vienna", "waltz"),
    ("gritty street beat for a rapper", "boom_bap"),
    ("upbeat ukulele and claps for a tutorial video", "corporate"),
    ("misty highlands with bagpipes", "celtic"),
    ("retro arcade game boss fight", "chiptune"),
    ("lazy afternoon with a nylon guitar by the beach", "bossa_nova"),
    ("lagos street party with talking drums", "afrobeats"),
    ("breathing exercise with gentle drones", "meditation"),
    ("heartfelt campfire song with acoustic guitar", "folk"),
    ("moody late night r and b slow jam", "soul_rnb"),
]


@pytest.mark.usefixtures("embedding_model")
@pytest.mark.parametrize(("prompt", "expected"), NAMED + UNNAMED)
def test_prompt_table(prompt: str, expected: str) -> None:
    styles = match_styles(parse_prompt(prompt))
    assert styles[0].name == expected, styles


@pytest.mark.usefixtures("embedding_model")
def test_blend_of_two_named_genres() -> None:
    styles = match_styles(parse_prompt("jazz-infused hip hop"))
    weights = {s.name: s.weight for s in styles}
    assert set(weights) == {"boom_bap", "jazz_swing"}
    assert weights["boom_bap"] > weights["jazz_swing"] >= 0.1
    even = {s.name: s.weight for s in match_styles(parse_prompt("rock meets reggae"))}
    assert set(even) == {"rock", "reggae"} and min(even.values()) >= 0.25


@pytest.mark.usefixtures("embedding_model")
@pytest.mark.parametrize("prompt", ["jazz-infused hip hop", "warm music for a cold night", "a waltz", "funk"])
def test_blend_weights_are_rounded_ordered_and_sum_to_one(prompt: str) -> None:
    styles = match_styles(parse_prompt(prompt))
    assert 1 <= len(styles) <= 3
    assert sum(s.weight for s in styles) == pytest.approx(1.0, abs=1e-9)
    assert [s.weight for s in styles] == sorted((s.weight for s in styles), reverse=True)
    assert all(round(s.weight, 3) == s.weight and s.weight >= 0.05 for s in styles)


def test_named_genre_outweighs_cues_without_embeddings() -> None:
    scores = score_styles(
        parse_prompt("techno with saxophone, in a speakeasy, swing"), embedder=flat_embedder
    )
    assert scores.ranked()[0][0] == "techno"


def test_tag_boosts_bias_the_match() -> None:
    assert match_styles(parse_prompt(""), boosts={"salsa": 1.0}, embedder=flat_embedder)[0].name == "salsa"
    upbeat = match_styles(parse_prompt("upbeat music"), boosts={"reggae": 1.0}, embedder=flat_embedder)
    assert upbeat[0].name == "reggae"
