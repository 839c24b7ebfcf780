"""Reading a submit's audio sources and form-typed parameters (pure code, no server)."""

from __future__ import annotations

import io
from typing import Literal

import pytest
from pydantic import ValidationError

from mixdown.errors import InputError
from mixdown.service.inputs import Upload, pick_sources
from mixdown.tasks.base import TaskParams

EXTRA = {"melody_audio": "melody", "reference_audio": "reference"}


def upload(name: str) -> Upload:
    return Upload(filename=name, file=io.BytesIO(b"RIFF"))


def test_extra_inputs_come_from_file_parts_or_text() -> None:
    sources = pick_sources(
        {"reference_audio": "https://example.com/ref.wav"},
        upload("main.wav"),
        EXTRA,
        {"melody_audio_file": upload("tune.wav")},
    )
    assert sources["audio"].upload is not None
    assert sources["melody"].upload is not None and sources["melody"].field == "melody_audio"
    assert sources["reference"].url == "https://example.com/ref.wav"


@pytest.mark.parametrize(
    ("fields", "files", "field"),
    [
        ({}, {"voice_audio": upload("x.wav")}, "voice_audio"),
        ({"melody_audio": "res_abcdefgh"}, {"melody_audio": upload("t.wav")}, "melody_audio"),
        ({}, {"melody_audio": upload("a.wav"), "melody_audio_file": upload("b.wav")}, "melody_audio_file"),
    ],
)
def test_stray_or_doubled_file_parts_are_refused_by_name(
    fields: dict[str, str], files: dict[str, Upload], field: str
) -> None:
    with pytest.raises(InputError) as refused:
        pick_sources(fields, None, EXTRA, files)
    assert refused.value.field == field


class RateParams(TaskParams):
    sample_rate: Literal[22050, 44100] = 44100
    label: Literal["a", "b"] | None = None


def test_form_text_fills_integer_literals_and_bad_values_still_fail() -> None:
    assert RateParams.model_validate({"sample_rate": "22050"}).sample_rate == 22050
    assert RateParams.model_validate({"label": "a"}).label == "a"
    with pytest.raises(ValidationError, match="sample_rate"):
        RateParams.model_validate({"sample_rate": "8000"})
    with pytest.raises(ValidationError, match="sample_rate"):
        RateParams.model_validate({"sample_rate": "fast"})
