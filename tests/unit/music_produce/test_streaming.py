"""Streaming: chunked mastering equals whole mastering; the forecast gain; files in bounded memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from mixdown.engines.music.produce import (
    MasterGains,
    StreamMaster,
    integrated_loudness,
    master_audio,
    predict_master_gain,
    produce,
    produce_to_files,
    render_chunks,
    stream_mastered,
    true_peak_db,
)
from mixdown.engines.music.score import MixSettings
from tests.unit.music_produce.scores import make_score


def test_stream_master_with_the_same_gains_gives_the_same_samples() -> None:
    sr = 22050
    rng = np.random.default_rng(3)
    premaster = (rng.standard_normal((sr * 5, 2)) * np.linspace(0.01, 0.08, sr * 5)[:, None]).astype(
        np.float32
    )
    whole = master_audio(premaster, MixSettings(), sr)
    stream = StreamMaster(MixSettings(), sr, whole.gains)
    pieces = [stream.process(premaster[a : a + 7001]) for a in range(0, premaster.shape[0], 7001)]
    streamed = np.concatenate([*pieces, stream.finish()])
    assert streamed.shape == premaster.shape
    assert streamed.tobytes() == whole.audio.tobytes()


def test_streamed_piece_with_predicted_gain_is_close_to_target() -> None:
    sr = 22050
    score = make_score(duration=6.0)
    gains = predict_master_gain(score, sample_rate=sr)
    stream = StreamMaster(score.mix, sr, gains)
    out = [stream.process(chunk.premaster) for chunk in render_chunks(score, sr)]
    mastered = np.concatenate([*out, stream.finish()])
    assert mastered.shape == (6 * sr, 2)
    assert np.concatenate(list(stream_mastered(score, sample_rate=sr))).tobytes() == mastered.tobytes()
    assert integrated_loudness(mastered, sr) == pytest.approx(-14.0, abs=1.0)
    assert true_peak_db(mastered) <= -1.0


def test_prediction_of_silence_is_no_gain() -> None:
    assert predict_master_gain(make_score(duration=1.0, parts=[]), sample_rate=22050) == MasterGains(0.0, 0.0)


def test_files_hold_the_same_samples_as_the_in_memory_production(tmp_path: Path) -> None:
    sr = 22050
    score = make_score(duration=3.0)
    files = produce_to_files(score, sample_rate=sr, directory=tmp_path)
    memory = produce(score, sample_rate=sr)
    mix, rate = soundfile.read(files.mix, dtype="float32", always_2d=True)
    assert rate == sr
    assert files.frames == mix.shape[0] == 3 * sr
    for stem, path in files.stems.items():
        assert (
            soundfile.read(path, dtype="float32", always_2d=True)[0].tobytes() == memory.stems[stem].tobytes()
        )
    np.testing.assert_allclose(mix, memory.mix, atol=1e-6)
    assert files.loudness_lufs == pytest.approx(memory.loudness_lufs, abs=0.01)
    assert files.true_peak_db <= -1.0
    assert not (tmp_path / ".bus.wav").exists()


def test_tapes_on_disk_give_the_same_mix_as_tapes_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mixdown.engines.music.produce import tape

    sr = 22050
    score = make_score(duration=3.0)
    in_memory = produce_to_files(score, sample_rate=sr, directory=tmp_path / "memory")
    monkeypatch.setattr(tape, "MEMORY_BYTES", 0)
    monkeypatch.setattr(tape, "STEMS_MEMORY_BYTES", 0)
    on_disk = produce_to_files(score, sample_rate=sr, directory=tmp_path / "disk")
    assert isinstance(on_disk.mix_audio(), Path) and isinstance(in_memory.mix_audio(), np.ndarray)
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["mix.wav", "stems"]
    assert soundfile.read(on_disk.mix)[0].tobytes() == soundfile.read(in_memory.mix)[0].tobytes()
    for stem, path in on_disk.stems.items():
        assert soundfile.read(path)[0].tobytes() == soundfile.read(in_memory.stems[stem])[0].tobytes()


def test_files_keep_memory_bounded_whatever_the_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from mixdown.engines.music.produce import tape

    # Tracks go to files once past their memory budget: a 120 s piece stands in for a long one.
    monkeypatch.setattr(tape, "MEMORY_BYTES", 0)
    monkeypatch.setattr(tape, "STEMS_MEMORY_BYTES", 0)
    sr = 22050
    score = make_score(duration=120.0)
    # Whole-length arrays would be 120 s x 22050 x 2 x 4 bytes = 21 MB each, about ten of them; the
    # bound leaves room for other threads' allocations in a full test run (tracemalloc sees them).
    tracemalloc.start()
    files = produce_to_files(score, sample_rate=sr, directory=tmp_path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert files.frames == 120 * sr
    assert peak < 64 * 2**20
