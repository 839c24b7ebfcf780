"""Whisper model folders: the bundled base joined once and verified, others found by name."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mixdown.engines.speech import models
from mixdown.engines.speech.models import (
    BASE_MODEL,
    BASE_SHA256,
    BASE_SIZE,
    check_model,
    ensure_base_model,
    installed_models,
    missing_files,
    model_path,
)
from mixdown.engines.speech.whisper import LANGUAGES
from mixdown.errors import ValidationFailed

JOIN_SCRIPT = (
    "import sys; from pathlib import Path; from mixdown.engines.speech.models import ensure_base_model; "
    "ensure_base_model(Path(sys.argv[1]))"
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which folders this process already verified."""
    monkeypatch.setattr(models, "_verified", set())


def test_the_bundled_model_is_joined_verified_and_kept(tmp_path: Path, fresh: None) -> None:
    folder = ensure_base_model(tmp_path)
    model = folder / "model.bin"
    assert folder == (tmp_path / BASE_MODEL).resolve() and not missing_files(folder)
    assert model.stat().st_size == BASE_SIZE and sha256(model) == BASE_SHA256
    assert not list(folder.glob(".*tmp"))
    written = model.stat().st_mtime_ns
    models._verified.clear()
    assert ensure_base_model(tmp_path) == folder and model.stat().st_mtime_ns == written


def test_a_damaged_model_is_joined_again(tmp_path: Path, fresh: None) -> None:
    model = ensure_base_model(tmp_path) / "model.bin"
    with model.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0" * 16)
    models._verified.clear()
    ensure_base_model(tmp_path)
    assert sha256(model) == BASE_SHA256


def test_concurrent_workers_join_it_once_without_a_torn_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", JOIN_SCRIPT, str(tmp_path)], env=env, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    folder = tmp_path / BASE_MODEL
    assert sha256(folder / "model.bin") == BASE_SHA256
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.json",
    ]


def test_a_missing_model_is_refused_naming_the_field_and_listing_models(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as missing:
        check_model(tmp_path, "whisper-small")
    assert missing.value.field == "model"
    assert "whisper-small" in missing.value.message and "available: whisper-base" in missing.value.message
    (tmp_path / "whisper-small").mkdir()
    (tmp_path / "whisper-small" / "model.bin").write_bytes(b"x")
    with pytest.raises(ValidationFailed, match=r"lacks config\.json, tokenizer\.json, vocabulary\.json"):
        check_model(tmp_path, "whisper-small")
    assert installed_models(tmp_path) == [BASE_MODEL]


def test_a_model_folder_is_picked_up_by_name(tmp_path: Path, speech_models_dir: Path) -> None:
    custom = tmp_path / "whisper-custom"
    custom.mkdir()
    for file in (speech_models_dir / BASE_MODEL).iterdir():
        (custom / file.name).symlink_to(file)
    assert installed_models(tmp_path) == ["whisper-base", "whisper-custom"]
    assert model_path(tmp_path, "whisper-custom") == custom


def test_languages_match_faster_whisper() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    assert set(_LANGUAGE_CODES) == LANGUAGES
