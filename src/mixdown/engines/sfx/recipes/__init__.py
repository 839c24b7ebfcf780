"""The recipe table: every procedural sound the generator knows, by name.

Adding a recipe = one decorated function in a family module, listed in that
module's ``RECIPES`` (the test that renders every recipe picks it up).
"""

from __future__ import annotations

from collections.abc import Mapping

from mixdown.engines.sfx.recipes import ambience, foley, game, impacts, interface, machines, nature
from mixdown.engines.sfx.recipes.base import Recipe, Traits, recipe

RECIPES: Mapping[str, Recipe] = {
    r.name: r
    for module in (nature, foley, impacts, game, interface, machines, ambience)
    for r in module.RECIPES
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown sound recipe {name!r}; known: {', '.join(sorted(RECIPES))}") from None


__all__ = ["RECIPES", "Recipe", "Traits", "get_recipe", "recipe"]
