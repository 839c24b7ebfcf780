"""The sing task end to end: the sung pitch, the words heard, timings, levels, results and refusals."""

from __future__ import annotations

import io
import itertools
from functools import lru_cache
from pathlib import Path
from typing import Any

import mido
import numpy as np
import pytest
import soundfile as sf
import soxr
from pydantic import ValidationError

from mixdown.engines.music.produce.loudness import integrated_loudness
from mixdown.engines.speech import whisper
from mixdown.engines.speech.models import BASE_MODEL
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import InputAudio, TaskInputs
from mixdown.tasks.sing import TASK, SingParams
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.singing_audio import backing, note_errors, share_within
from tests.speech_check import require, word_error_rate

LYRICS = "[Verse]\nWalking down the empty street tonight\n[Chorus]\nHold me close and never let me go"
WORDS = "walking down the empty street tonight hold me close and never let me go"


@lru_cache(maxsize=2)
def sung(gender: str, folder: str) -> MemoryTaskContext:
    """One run of the task per voice over a 12 s pop backing in A major (cached for the module)."""
    require("festival")
    work = Path(folder) / gender
    work.mkdir(parents=True, exist_ok=True)
    source = work / "backing.wav"
    source.write_bytes(backing("pop", 12.0, 3, 9).wav())
    ctx = MemoryTaskContext(work_dir=work)
    params = SingParams(lyrics=LYRICS, gender=gender, seed=7, output_format="wav")  # type: ignore[arg-type]
    TASK.run(inputs_from_file(source), params, ctx)
    return ctx


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("sing"))


def audio_of(result: dict[str, Any]) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(io.BytesIO(result["data"]), dtype="float32", always_2d=True)
    return samples, int(rate)


def by_kind(ctx: MemoryTaskContext) -> dict[str, dict[str, Any]]:
    return {r["kind"]: r for r in ctx.results}


@pytest.mark.parametrize(
    ("gender", "voice_id", "register"),
    [("female", "festival-cmu_us_slt_arctic_hts", (57, 74)), ("male", "festival-kal_diphone", (45, 62))],
)
def test_each_syllable_is_sung_on_its_composed_note(
    folder: str, gender: str, voice_id: str, register: tuple[int, int]
) -> None:
    ctx = sung(gender, folder)
    meta = ctx.metadata
    assert meta["voice_id"] == voice_id and meta["gender"] == gender
    melody = meta["melody"]
    assert len(melody) == 18  # walk-ing down the emp-ty street to-night / hold me close and nev-er let me go
    assert all(register[0] <= n["midi"] <= register[1] for n in melody)
    vocals, rate = audio_of(by_kind(ctx)["stem"])
    errors = note_errors(vocals, rate, melody)
    assert share_within(errors, 50.0) >= 0.9, errors


def test_the_vocal_stem_says_the_lyrics(folder: str, speech_models_dir: Path) -> None:
    vocals, rate = audio_of(by_kind(sung("female", folder))["stem"])
    mono = soxr.resample(vocals.mean(axis=1), rate, whisper.SAMPLE_RATE).astype(np.float32)
    model = whisper.load_model(speech_models_dir / BASE_MODEL)
    segments, _ = model.transcribe(mono, language="en", vad_filter=False, beam_size=1)
    heard = " ".join(s.text for s in segments)
    assert word_error_rate(WORDS, heard) <= 0.35, heard


def test_results_timings_and_levels(folder: str) -> None:
    ctx = sung("female", folder)
    results = by_kind(ctx)
    assert set(results) == {"audio", "stem", "midi"} and results["stem"]["stem"] == "vocals"
    song, rate = audio_of(results["audio"])
    vocals, _ = audio_of(results["stem"])
    assert rate == 44100 and song.shape == vocals.shape and song.shape[1] == 2
    assert song.shape[0] / rate == pytest.approx(12.0, abs=0.01) == results["audio"]["duration"]
    assert float(np.abs(song).max()) <= 10 ** (-0.9 / 20)  # the limiter's ceiling (-1 dBTP)
    meta = ctx.metadata
    words = meta["word_timings"]
    assert [w["word"] for w in words] == LYRICS.split("\n")[1].split() + LYRICS.split("\n")[3].split()
    assert all(0.0 <= w["start"] < w["end"] <= 12.0 for w in words)
    assert all(a["end"] <= b["start"] + 1e-3 for a, b in itertools.pairwise(words))
    assert words[0]["note"] == meta["melody"][0]["note"] and len(words[3]["notes"]) == 2  # "empty"
    sung_span = slice(int(words[0]["start"] * rate), int(words[-1]["end"] * rate))
    bed = song[sung_span] - vocals[sung_span]
    lift = integrated_loudness(vocals[sung_span], rate) - integrated_loudness(bed, rate)
    assert 0.5 <= lift <= 6.0  # the voice sits audibly above the instrumental
    assert meta["bpm"] == pytest.approx(111.5, rel=0.02) and meta["key"] in ("A major", "F# minor")
    assert [line["section"] for line in meta["lines"]] == ["verse", "chorus"]
    midi = mido.MidiFile(file=io.BytesIO(results["midi"]["data"]))
    messages = list(midi.tracks[0])
    assert sum(m.type == "note_on" for m in messages) == len(meta["melody"]) == results["midi"]["notes"]
    assert [m.text for m in messages if m.type == "lyrics"] == [w["word"] for w in words]
    assert ctx.fractions == sorted(ctx.fractions) and ctx.fractions[-1] == 1.0


def _inputs(seconds: float) -> TaskInputs:
    audio = InputAudio(
        path=Path("x.wav"),
        filename="x.wav",
        format="wav",
        duration=seconds,
        sample_rate=44100,
        channels=2,
        size_bytes=1000,
    )
    return TaskInputs(audio={"audio": audio})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "lyrics"),
        ({"lyrics": ""}, "lyrics"),
        ({"lyrics": "[Verse]\n[Chorus]\n!!!"}, "lyrics"),
        ({"lyrics": "la", "gender": "robot"}, "gender"),
        ({"lyrics": "la", "seed": -1}, "seed"),
        ({"lyrics": "la", "vocal_level_db": 40}, "vocal_level_db"),
        ({"lyrics": "la", "output_format": "xyz"}, "output_format"),
        ({"lyrics": "la", "surprise": 1}, "surprise"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SingParams(**fields)
    assert caught.value.errors()[0]["loc"][0] == field


@pytest.mark.parametrize(
    ("fields", "seconds", "field"),
    [
        ({"voice_id": "festival-nobody"}, 10.0, "voice_id"),
        ({"voice_id": "flite-rms"}, 10.0, "voice_id"),
        ({"voice_id": "festival-kal_diphone", "gender": "female"}, 10.0, "gender"),
        ({}, 2.0, "input_audio"),
    ],
)
def test_voices_that_cannot_sing_and_short_inputs_are_refused(
    fields: dict[str, Any], seconds: float, field: str
) -> None:
    require("festival")
    with pytest.raises(ValidationFailed) as caught:
        TASK.check_params(SingParams(lyrics="la la la", **fields), _inputs(seconds))
    assert caught.value.field == field


def test_the_prompt_can_choose_the_voice_and_the_style() -> None:
    require("festival")
    params = SingParams(lyrics="la la la", prompt="a slow ballad with a deep male voice, dry")
    assert params.voice().id == "festival-kal_diphone"
    style = params.style()
    assert style.long_notes and style.register_shift == -3 and style.reverb < 0.1
    assert SingParams(lyrics="la", vocal_level_db=-2).style().vocal_lift_db == -2
