"""GenerateParams with lyrics: when they are sung, how long the piece is, and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mixdown.errors import ValidationFailed
from mixdown.tasks.base import InputAudio, TaskInputs
from mixdown.tasks.generate import TASK, GenerateParams, _request
from tests.speech_check import require

LYRICS = "[Verse]\nHold me close tonight\n[Chorus]\nNever let me go"
NO_INPUTS = TaskInputs(audio={})


def parse(**raw: Any) -> GenerateParams:
    return GenerateParams.model_validate({"prompt": "pop", **raw})


def refusal(params: GenerateParams, inputs: TaskInputs = NO_INPUTS) -> str | None:
    try:
        TASK.check_params(params, inputs)
    except ValidationFailed as exc:
        return exc.field
    return None


def test_lyrics_make_the_piece_sung_and_fit_its_length() -> None:
    # Given lyrics and no duration or instrumental flag
    params = parse(lyrics=LYRICS)
    # Then they are sung (instrumental off), and the piece is long enough for them
    assert params.sung and _request(params).instrumental is False
    assert params.seconds() == 40.0 == _request(params).duration  # 16 bars at a nominal 2.5 s
    assert TASK.credits(params, NO_INPUTS) == pytest.approx(40.0 * 0.05)
    # An explicit duration wins; blank lyrics are no lyrics
    assert parse(lyrics=LYRICS, duration=12).seconds() == 12.0
    assert parse(lyrics="  \n ").lyrics is None and not parse(lyrics="").sung
    longer = parse(lyrics="[Verse]\n" + "\n".join(["walking down the empty street tonight"] * 8))
    assert longer.seconds() == (8 + 8 * 2 + 2) * 2.5
    dense = parse(lyrics="[Verse]\n" + "beautiful " * 6)  # 18 syllables: two units of bars
    assert dense.seconds() == (8 + 4 + 2) * 2.5


def test_unsingable_lyrics_are_refused_naming_lyrics() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(lyrics="[Verse]\n[Chorus]\n!!!")
    assert caught.value.errors()[0]["loc"][0] == "lyrics"
    with pytest.raises(ValidationError) as long:
        parse(lyrics="la " * 2000)
    assert long.value.errors()[0]["loc"][0] == "lyrics"


def _audio() -> TaskInputs:
    audio = InputAudio(
        path=Path("x.wav"),
        filename="x.wav",
        format="wav",
        duration=10.0,
        sample_rate=44100,
        channels=2,
        size_bytes=1000,
    )
    return TaskInputs(audio={"audio": audio})


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"lyrics": LYRICS, "instrumental": True}, "lyrics"),
        ({"lyrics": LYRICS, "stream": True}, "lyrics"),
        ({"lyrics": LYRICS, "from_hash": "abc"}, "lyrics"),
        ({"lyrics": LYRICS, "duration": 7}, "duration"),
        ({"lyrics": LYRICS, "duration": 700}, "duration"),
        ({"gender": "male"}, "gender"),
        ({"voice_id": "festival-kal_diphone"}, "voice_id"),
        ({"vocal_level_db": 2}, "vocal_level_db"),
        ({"lyrics": LYRICS, "voice_id": "espeak-en-us-male"}, "voice_id"),
        ({"lyrics": LYRICS, "voice_id": "festival-kal_diphone", "gender": "female"}, "gender"),
    ],
)
def test_what_cannot_be_sung_is_a_422_naming_the_field(raw: dict[str, Any], field: str) -> None:
    require("festival")
    assert refusal(parse(**raw)) == field


def test_lyrics_with_audio_inputs_are_refused() -> None:
    assert refusal(parse(lyrics=LYRICS), _audio()) == "lyrics"


def test_voice_fields_are_validated() -> None:
    for raw in ({"gender": "robot"}, {"vocal_level_db": 40}, {"voice_id": "x" * 101}):
        with pytest.raises(ValidationError) as caught:
            parse(lyrics=LYRICS, **raw)
        assert caught.value.errors()[0]["loc"][0] == next(iter(raw))


def test_a_sung_request_is_accepted_and_priced_for_its_singing() -> None:
    require("festival")
    params = parse(lyrics=LYRICS, gender="male", vocal_level_db=4, duration=12)
    assert refusal(params) is None
    vocal = params.vocal()
    assert (vocal.gender, vocal.vocal_level_db, vocal.prompt) == ("male", 4, "pop")
    plain = parse(duration=12)
    assert TASK.estimate_seconds(params, NO_INPUTS) > TASK.estimate_seconds(plain, NO_INPUTS) + 2
