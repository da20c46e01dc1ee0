"""The registry of ``ember train`` recipes, by name."""

from __future__ import annotations

from ember.cli.recipes.base import Prepared, Recipe
from ember.cli.recipes.regression import RegressionRecipe

__all__ = ["Prepared", "Recipe", "get_recipe", "recipe_names"]


def _all() -> dict[str, Recipe | RegressionRecipe]:
    from ember.cli.recipes.csv_table import CSV
    from ember.cli.recipes.diabetes import DIABETES
    from ember.cli.recipes.gtsrb import GTSRB_CNN, GTSRB_FFNN, GTSRB_LOGREG
    from ember.cli.recipes.image_folder import IMAGE_FOLDER
    from ember.cli.recipes.linreg import LINREG
    from ember.cli.recipes.mnist import MNIST_CNN, MNIST_MLP, MNIST_TORCH
    from ember.cli.recipes.toy import DIGITS, IRIS

    recipes = (IRIS, DIGITS, MNIST_MLP, MNIST_TORCH, MNIST_CNN, GTSRB_LOGREG, GTSRB_FFNN,
               GTSRB_CNN, LINREG, DIABETES, IMAGE_FOLDER, CSV)
    return {recipe.name: recipe for recipe in recipes}


def recipe_names() -> list[str]:
    """The recipes' names, in the order the help lists them."""
    return list(_all())


def get_recipe(name: str) -> Recipe | RegressionRecipe:
    """The recipe called ``name``; ``ValueError`` listing the known ones otherwise."""
    recipes = _all()
    if name not in recipes:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {', '.join(recipes)}")
    return recipes[name]
