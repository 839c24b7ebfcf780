"""Text-to-music with lyrics, the pure parts: the request, the backing, the overdub, the record."""

from __future__ import annotations

import doctest
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.music import overdub as overdub_module
from mixdown.engines.music import sung
from mixdown.engines.music.compose import compose
from mixdown.engines.music.composer_engine import (
    _WARM_UP_REQUEST,
    ComposerEngine,
    ComposerPlan,
    generation_hash,
)
from mixdown.engines.music.overdub import overdub, reference_lufs
from mixdown.engines.music.produce.loudness import integrated_loudness
from mixdown.engines.music.produce.master import GRID, loudness_of
from mixdown.engines.music.produce.tape import Tape, new_tape
from mixdown.engines.music.score import Stem
from mixdown.engines.music.spec import MusicSpec, StyleWeight
from mixdown.engines.music.style import load_styles
from mixdown.engines.music.sung import VocalRequest, backing_score, melody_part
from mixdown.engines.singing.mix import pocket, vocal_envelope, vocal_gain_db
from mixdown.errors import TaskError
from mixdown.tasks.testing import MemoryTaskContext

LYRICS = "[Verse]\nHold me close tonight\n[Chorus]\nNever let me go"
RATE = 22050


def pop_spec(*, instrumental: bool) -> MusicSpec:
    profile = load_styles()["pop"]
    return MusicSpec(
        prompt="pop",
        styles=(StyleWeight("pop", 1.0),),
        bpm=profile.default_tempo,
        key_tonic=9,
        mode="major",
        meter=profile.meter,
        duration=12.0,
        sample_rate=RATE,
        instrumental=instrumental,
    )


def test_the_prompt_steers_the_singing_but_not_through_band_words() -> None:
    band = VocalRequest(LYRICS, prompt="Deep house with heavy bass, bright synths, male vocals").style()
    assert band.register_shift == 0 and band.gender == "male"
    assert band.vocal_lift_db == 5.0  # the sing task's 3 dB plus 2 for the bus compressor
    assert VocalRequest(LYRICS, prompt="pop with loud vocals").style().vocal_lift_db == 7.0
    ballad = VocalRequest(LYRICS, prompt="a low, slow ballad", vocal_level_db=-2.0).style()
    assert ballad.register_shift == -3 and ballad.long_notes and ballad.vocal_lift_db == -2.0


def test_the_request_round_trips_and_changes_the_hash() -> None:
    request = VocalRequest(LYRICS, gender="male", prompt="pop", vocal_level_db=4.0)
    assert VocalRequest.from_dict(request.to_dict()) == request
    plan = ComposerPlan(pop_spec(instrumental=False), "wav", True, False, None)
    plain = generation_hash(plan, 3)
    assert plain == plan.spec.hash(3)  # instrumental generations keep their hashes
    sung_hashes = {
        generation_hash(replace(plan, vocal=v), 3)
        for v in (request, replace(request, gender="female"), replace(request, lyrics="la la"))
    }
    assert len(sung_hashes) == 3 and plain not in sung_hashes


def test_from_hash_sings_the_recorded_lyrics_again_and_streams_are_refused() -> None:
    engine, ctx = ComposerEngine(), MemoryTaskContext(work_dir=Path("."))
    spec, vocal = pop_spec(instrumental=False), VocalRequest(LYRICS, gender="female")
    ctx.remember("music", "h1", {"spec": spec.to_dict(), "seed": 3, "vocal": vocal.to_dict()})
    plan, seed = engine.resolve(_WARM_UP_REQUEST, ctx, "h1", "exact", 0)
    assert plan.vocal == vocal and seed == 3
    streamed = replace(_WARM_UP_REQUEST, stream=True)
    with pytest.raises(TaskError, match="not streamed"):
        engine.resolve(streamed, ctx, "h1", "exact", 0)


def test_the_backing_leaves_out_only_the_wordless_vocal_line() -> None:
    score = compose(pop_spec(instrumental=False), 4)
    vocal_parts = [p for p in score.parts if p.stem is Stem.VOCALS]
    assert vocal_parts and any(p.notes for p in vocal_parts)  # the composer wrote a wordless line
    backing = backing_score(score)
    assert [p.name for p in backing.parts] == [p.name for p in score.parts if p.stem is not Stem.VOCALS]
    assert backing.chords == score.chords and backing.sections == score.sections
    assert len(score.parts) == len(vocal_parts) + len(backing.parts)  # the score itself is unchanged


def _tone(hz: float, seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.stack([level * np.sin(2 * np.pi * hz * t)] * 2, axis=1).astype(np.float32)


def _tape(audio: np.ndarray, folder: Path, name: str) -> Tape:
    tape = new_tape(folder / f"{name}.wav", RATE, audio.shape[0], budget=0)  # a file, as long pieces
    for start in range(0, audio.shape[0], GRID):
        tape.write(audio[start : start + GRID])
    tape.close()
    return tape


def _read(tape: Tape) -> np.ndarray:
    source = tape.source()
    return source if isinstance(source, np.ndarray) else sf.read(str(source), dtype="float32")[0]


def test_the_overdub_pockets_every_stem_and_adds_the_vocal_stem(tmp_path: Path) -> None:
    # Given two stems on tapes (files) and a vocal that sings only after 2 s
    stems = {Stem.BASS: _tone(110, 4, 0.2), Stem.CHORDS: _tone(2500, 4, 0.05)}
    vocal = _tone(440, 4, 0.3)
    vocal[: 2 * RATE] = 0.0
    tapes = {stem: _tape(audio, tmp_path, stem.value) for stem, audio in stems.items()}
    # When it is overdubbed
    out, premaster = overdub(tapes, vocal, RATE, tmp_path / "out")
    audio = {stem: _read(tape) for stem, tape in out.items()}
    # Then the stems are untouched where the voice rests and dipped 3 dB where it sings
    assert set(out) == {Stem.BASS, Stem.CHORDS, Stem.VOCALS}
    np.testing.assert_allclose(audio[Stem.CHORDS][:RATE], stems[Stem.CHORDS][:RATE], atol=1e-6)
    singing = slice(3 * RATE, 3 * RATE + RATE // 2)  # (the envelope fades over the last 25 ms)
    dip = np.abs(audio[Stem.CHORDS][singing]).max() / np.abs(stems[Stem.CHORDS][singing]).max()
    assert 20 * np.log10(dip) == pytest.approx(-3.0, abs=0.3)
    # and, block by block, they are the whole pocketed backing (the dip is linear), the vocal added
    backing = pocket(stems[Stem.BASS] + stems[Stem.CHORDS], vocal_envelope(vocal, RATE), RATE)
    np.testing.assert_allclose(audio[Stem.BASS] + audio[Stem.CHORDS], backing, atol=1e-5)
    np.testing.assert_allclose(_read(premaster), backing + vocal, atol=1e-5)
    assert np.array_equal(audio[Stem.VOCALS], vocal)
    assert not any(Path(str(tape.source())).exists() for tape in tapes.values())  # rendered: discarded


def test_the_vocal_is_set_against_the_backing_loudness() -> None:
    backing, voice = _tone(110, 4, 0.2), _tone(440, 4, 0.3)
    gain = vocal_gain_db(reference_lufs(loudness_of(backing, RATE)), voice, RATE, lift_db=3.0)
    lifted = integrated_loudness(voice * 10 ** (gain / 20), RATE) - integrated_loudness(backing, RATE)
    assert lifted == pytest.approx(3.0, abs=0.05)
    assert reference_lufs(float("-inf")) == reference_lufs(-80.0) == -16.0  # a silent backing


def test_the_sung_melody_is_a_part_for_the_midi_file() -> None:
    from mixdown.engines.singing.melody import SungNote
    from mixdown.engines.singing.syllables import syllabify
    from mixdown.engines.tts.voices import Voice

    la = syllabify("la")[0]
    notes = (SungNote(0.5, 1.0, 64, 0, 0, la, True), SungNote(1.0, 2.25, 67, 0, 1, la, False))
    voice = Voice(
        id="festival-x", engine="festival", engine_voice="x", name="x", language="en", gender="male"
    )
    part = melody_part(notes, voice)
    assert part.stem is Stem.VOCALS and part.instrument == "sung vocal (festival-x)"
    assert [(n.start, n.duration, n.pitch) for n in part.notes] == [(0.5, 0.5, 64), (1.0, 1.25, 67)]


@pytest.mark.parametrize("module", [sung, overdub_module])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted and not result.failed
