"""Choosing the soundfont: configured path or name, default order, fix-it errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixdown.engines.music.produce import SoundfontNotFound, find_soundfont
from mixdown.engines.music.produce.soundfont import CANDIDATES


def test_default_is_the_first_installed_candidate() -> None:
    installed = [Path(path) for _name, path, _pkg in CANDIDATES if Path(path).is_file()]
    assert find_soundfont() == installed[0]
    assert find_soundfont("") == installed[0]


def test_a_configured_path_wins(tmp_path: Path) -> None:
    custom = tmp_path / "my.sf2"
    custom.write_bytes(b"RIFF")
    assert find_soundfont(custom) == custom
    assert find_soundfont(str(custom)) == custom


def test_a_short_name_selects_a_candidate() -> None:
    name, path, _package = CANDIDATES[0]
    assert find_soundfont(name.upper()) == Path(path)


def test_missing_configured_file_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(SoundfontNotFound, match="fluidr3"):
        find_soundfont(tmp_path / "nope.sf2")


def test_missing_default_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import mixdown.engines.music.produce.soundfont as module

    monkeypatch.setattr(module, "CANDIDATES", (("fluidr3", str(tmp_path / "x.sf2"), "fluid-soundfont-gm"),))
    with pytest.raises(SoundfontNotFound, match="apt-get install fluid-soundfont-gm") as error:
        module.find_soundfont()
    assert error.value.status_code == 503
