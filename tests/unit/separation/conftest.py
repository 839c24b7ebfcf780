"""Fixtures of the separation tests: a tiny random Demucs repository and test mixes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.unit.separation.material import Mix, flite_installed, make_mix

SIGNATURE = "0badc0de"


def save_tiny_demucs(models_dir: Path, *, name: str = "htdemucs", sources: tuple[str, ...] = ()) -> Path:
    """A randomly initialised HTDemucs (8 channels, depth 4) saved as demucs's repositories hold
    real weights: ``<models_dir>/demucs/<sig>-<sha256[:8]>.th`` and ``<name>.yaml``."""
    import torch
    from demucs.htdemucs import HTDemucs

    folder = models_dir / "demucs"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = HTDemucs(
        sources=list(sources or ("drums", "bass", "other", "vocals")),
        audio_channels=2,
        samplerate=44100,
        segment=4,
        channels=8,
        depth=4,
        nfft=4096,
        dconv_comp=4,
        t_layers=1,
        t_heads=2,
    )
    args, kwargs = model._init_args_kwargs
    package = {"klass": HTDemucs, "args": args, "kwargs": kwargs, "state": model.state_dict()}
    signature = hashlib.sha256(name.encode()).hexdigest()[:8]
    scratch = folder / f"{signature}.tmp"
    torch.save(package, scratch)
    digest = hashlib.sha256(scratch.read_bytes()).hexdigest()[:8]
    scratch.rename(folder / f"{signature}-{digest}.th")
    (folder / f"{name}.yaml").write_text(f"models: ['{signature}']\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_demucs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding a tiny ``htdemucs``."""
    root = tmp_path_factory.mktemp("models")
    save_tiny_demucs(root)
    return root


@pytest.fixture(scope="session")
def house_mix() -> Mix:
    """8 s of the house test piece with a sung TTS vocal (44.1 kHz stereo)."""
    if not flite_installed():
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail("flite must be installed in CI (apt-get install flite)")
        pytest.skip("flite not installed")
    return make_mix(2, seconds=8.0)
