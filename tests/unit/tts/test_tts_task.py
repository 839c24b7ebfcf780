"""The tts task with the real engines: words spoken, speed, pitch, pauses, formats, warm Festival."""

from __future__ import annotations

import doctest
import importlib
import io
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.audio.codec import decode
from mixdown.engines.tts.catalogue import catalogue
from mixdown.engines.tts.festival import FestivalPool, FestivalProcess, festival_pool
from mixdown.engines.tts.speech import Speech, speak
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.testing import MemoryTaskContext
from mixdown.tasks.tts import TASK, TtsParams
from tests.speech_check import median_f0, require, transcribe, word_error_rate

SENTENCE = "The quick brown fox jumps over the lazy dog. Please call me at home tomorrow."
HTS = "festival-cmu_us_slt_arctic_hts"
ENGLISH = (HTS, "festival-kal_diphone", "flite-rms", "flite-slt")
BINARY = {"festival": "festival", "flite": "flite", "espeak": "espeak-ng"}


def needs(voice_id: str) -> None:
    require(BINARY[voice_id.split("-")[0]])


@lru_cache(maxsize=32)
def spoken(voice_id: str, speed: float = 1.0, pitch: float = 0.0) -> Speech:
    needs(voice_id)
    return speak(SENTENCE, catalogue().get(voice_id), speed=speed, pitch=pitch)


@pytest.fixture
def ctx(tmp_path: Path) -> MemoryTaskContext:
    return MemoryTaskContext(work_dir=tmp_path)


@pytest.mark.parametrize("voice_id", ["festival-cmu_us_slt_arctic_hts", "festival-kal_diphone", "flite-rms"])
def test_the_speech_says_the_words(voice_id: str) -> None:
    speech = spoken(voice_id)
    heard = transcribe(speech.samples, speech.sample_rate)
    assert word_error_rate(SENTENCE, heard) <= 0.35, heard


@pytest.mark.parametrize("voice_id", [HTS, "festival-kal_diphone", "flite-slt", "espeak-en-us-male"])
def test_speed_two_roughly_halves_the_duration(voice_id: str) -> None:
    ratio = spoken(voice_id, speed=2.0).duration / spoken(voice_id).duration
    assert 0.42 <= ratio <= 0.62
    slower = spoken(voice_id, speed=0.5).duration / spoken(voice_id).duration
    assert 1.6 <= slower <= 2.4


@pytest.mark.parametrize("voice_id", [HTS, "flite-rms", "espeak-en-us-female"])
@pytest.mark.parametrize("pitch", [-5.0, 5.0])
def test_pitch_moves_the_measured_f0_by_about_the_semitones_asked(voice_id: str, pitch: float) -> None:
    plain, shifted = spoken(voice_id), spoken(voice_id, pitch=pitch)
    measured = 12 * np.log2(
        median_f0(shifted.samples, shifted.sample_rate) / median_f0(plain.samples, plain.sample_rate)
    )
    assert measured == pytest.approx(pitch, abs=1.2)
    assert shifted.duration == pytest.approx(plain.duration, abs=1e-9)


def test_a_paragraph_break_pauses_longer_than_a_sentence_end() -> None:
    require("flite")
    speech = speak(
        "One short sentence. Another one here.\n\nA new paragraph now.", catalogue().get("flite-slt")
    )
    first, second, third = speech.sentences
    assert third.start - second.end > (second.start - first.end) + 0.25
    assert (
        0 < first.start < first.end < second.start < second.end < third.start < third.end <= speech.duration
    )


def test_run_stores_audio_and_reports_voice_sentences_and_times(ctx: MemoryTaskContext) -> None:
    require("festival")
    params = TtsParams(text="Hello there. This is a test.", output_format="flac", sample_rate=22050)
    TASK.run(TaskInputs(), params, ctx)
    [result] = ctx.results
    audio, rate = sf.read(io.BytesIO(result["data"]))
    assert rate == 22050 and result["sample_rate"] == 22050 and result["channels"] == 1
    assert result["duration"] == pytest.approx(len(audio) / rate, abs=1e-3)
    meta = ctx.metadata
    assert meta["voice_id"] == HTS and meta["engine"] == "festival" and meta["sentences"] == 2
    assert meta["characters"] == len("Hello there.This is a test.")
    assert [s["text"] for s in meta["sentence_times"]] == ["Hello there.", "This is a test."]
    assert (
        meta["sentence_times"][-1]["end"] <= meta["duration"] == pytest.approx(result["duration"], abs=0.01)
    )
    assert ctx.fractions[-1] == 1.0 and ctx.fractions == sorted(ctx.fractions)


@pytest.mark.parametrize("fmt", ["mp3", "opus", "ogg", "m4a", "wav"])
def test_every_output_format_decodes(tmp_path: Path, fmt: str) -> None:
    require("espeak-ng")
    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(
        TaskInputs(), TtsParams(text="Testing formats.", voice_id="espeak-en-us-male", output_format=fmt), ctx
    )
    [result] = ctx.results
    decoded = decode(result["path"])
    assert result["format"] == fmt and decoded.duration == pytest.approx(result["duration"], abs=0.08)
    assert float(np.max(np.abs(decoded.samples))) > 0.3


def test_language_and_gender_choose_the_voice(ctx: MemoryTaskContext) -> None:
    require("espeak-ng")
    TASK.run(TaskInputs(), TtsParams(text="Guten Tag, wie geht es?", language="de", gender="female"), ctx)
    assert ctx.metadata["voice_id"] == "espeak-de-female" and ctx.metadata["language"] == "de"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": " ?! "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": "hi", "speed": 0.1}, "speed"),
        ({"text": "hi", "pitch": 13}, "pitch"),
        ({"text": "hi", "gender": "robot"}, "gender"),
        ({"text": "hi", "language": "en us"}, "language"),
        ({"text": "hi", "output_format": "midi"}, "output_format"),
        ({"text": "hi", "output_format": "opus", "sample_rate": 22050}, "sample_rate"),
        ({"text": "hi", "voice": "alloy"}, "voice"),
    ],
)
def test_bad_parameters_name_their_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TtsParams.model_validate(fields)
    assert raised.value.errors()[0]["loc"][0] == field


def test_an_unknown_voice_is_refused_before_the_job_runs() -> None:
    with pytest.raises(ValidationFailed) as raised:
        TASK.check_params(TtsParams(text="hi", voice_id="festival-nobody"), TaskInputs())
    assert raised.value.field == "voice_id"


def test_cost_follows_the_estimated_speech_length() -> None:
    short, long = TtsParams(text="Hi."), TtsParams(text="word " * 600)
    assert TASK.credits(short, TaskInputs()) == TASK.cost_rule.minimum
    assert TASK.credits(long, TaskInputs()) == pytest.approx(0.01 * 3000 / 12, rel=0.01)
    faster = TtsParams(text="word " * 600, speed=2.0)
    assert TASK.credits(faster, TaskInputs()) == pytest.approx(TASK.credits(long, TaskInputs()) / 2, rel=0.01)


@pytest.fixture
def pool() -> Iterator[FestivalPool]:
    require("festival")
    own = FestivalPool()
    yield own
    own.close()


def test_warm_festival_answers_far_faster_than_a_fresh_one(pool: FestivalPool, tmp_path: Path) -> None:
    pool.say("kal_diphone", "Warm up.", tmp_path / "w.wav")
    started = time.perf_counter()
    pool.say("kal_diphone", "How are you today?", tmp_path / "a.wav")
    warm = time.perf_counter() - started
    started = time.perf_counter()
    with FestivalProcess("kal_diphone") as fresh:
        fresh.say("How are you today?", tmp_path / "b.wav")
    cold = time.perf_counter() - started
    assert warm < cold / 3
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_a_festival_that_died_is_replaced(pool: FestivalPool, tmp_path: Path) -> None:
    pool.say("kal_diphone", "First.", tmp_path / "a.wav")
    pool.process("kal_diphone")._proc.kill()
    pool.say("kal_diphone", "Second.", tmp_path / "b.wav")
    assert sf.info(tmp_path / "b.wav").duration > 0.3 and pool.process_alive("kal_diphone")


def test_festival_reports_scheme_errors_and_stops_on_close(tmp_path: Path) -> None:
    require("festival")
    from mixdown.engines.tts.festival import FestivalError

    process = FestivalProcess("kal_diphone")
    with pytest.raises(FestivalError, match="unbound variable"):
        process.call("(no_such_function 1)")
    process.say("Still working.", tmp_path / "ok.wav")  # an error does not break the process
    process.close()
    assert not process.alive


def test_warm_up_starts_festival_for_the_default_voice() -> None:
    require("festival")
    assert TASK.warm_up is not None and TASK.availability().available
    TASK.warm_up()
    assert "cmu_us_slt_arctic_hts" in festival_pool().voices()


def test_speech_docstring_example_holds() -> None:
    require("flite")
    module = importlib.import_module("mixdown.engines.tts.speech")
    assert doctest.testmod(module).failed == 0
