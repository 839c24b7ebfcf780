"""The examples in the sfx engine's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dsp", "effects", "matching", "render", "recipes.base"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"mixdown.engines.sfx.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
