"""Regression recipes (``linreg``, ``diabetes``): ``ember.models`` fits with their own run folder.

They do not fit the classification pipeline of ``ember train`` (labels, accuracy, confusion
matrix, one model file), so each brings a ``run(out, settings)`` that fits, plots and returns
its summary; ``run_regression`` wraps it with the command's options, logging and
``metrics.json``.
"""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ember.cli.log import log


@dataclass
class RegressionSettings:
    """The run's settings after the command line has overridden the recipe's defaults."""

    epochs: int
    lr: float
    optimizer: str
    batch_size: int | None  # None: full-batch gradient descent
    seed: int

    def fit_options(self) -> dict[str, Any]:
        """Keyword arguments for ``LinearRegression.fit`` and friends."""
        return {"epochs": self.epochs, "lr": self.lr, "optimizer": self.optimizer,
                "batch_size": self.batch_size, "seed": self.seed}


@dataclass(frozen=True)
class RegressionRecipe:
    """One ``ember train NAME`` regression workload: defaults and ``run(out, settings)``,
    which writes its plots into ``out`` and returns a JSON-ready summary."""

    name: str
    dataset: str
    description: str
    run: Callable[[Path, RegressionSettings], dict[str, Any]]
    epochs: int
    lr: float
    optimizer: str
    batch_size: int | None = None
    family: str = "models"

    def build(self, architecture: dict[str, Any]) -> Any:
        """Regression runs save no model file, so there is nothing to rebuild from one."""
        raise ValueError(f"recipe {self.name} writes no model file to load")


def settings_for(recipe: RegressionRecipe, args: argparse.Namespace) -> RegressionSettings:
    """The recipe's defaults overridden by ``--epochs``, ``--lr``, ``--optimizer``,
    ``--batch-size`` and ``--seed``; an unknown optimizer lists the known ones."""
    from ember.models.fitting import OPTIMIZERS

    optimizer = (getattr(args, "optimizer", None) or recipe.optimizer).lower()
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r} for recipe {recipe.name}; known: "
                         f"{', '.join(OPTIMIZERS)}")
    return RegressionSettings(epochs=getattr(args, "epochs", None) or recipe.epochs,
                              lr=getattr(args, "lr", None) or recipe.lr, optimizer=optimizer,
                              batch_size=getattr(args, "batch_size", None) or recipe.batch_size,
                              seed=getattr(args, "seed", 0) or 0)


def run_regression(recipe: RegressionRecipe, args: argparse.Namespace, out: Path) -> int:
    """``ember train linreg|diabetes``: fit, log the results, write plots and metrics.json."""
    from ember.cli.reports import write_json

    settings = settings_for(recipe, args)
    command = shlex.join(getattr(args, "command_line", ["ember", "train", recipe.name]))
    log.info("%s", command)
    log.info("recipe %s: %s", recipe.name, recipe.description)
    if getattr(args, "data_dir", None) or getattr(args, "imdir", None):
        log.warning("recipe %s makes or loads its own data: --data-dir/--imdir are ignored",
                    recipe.name)
    log.info("settings: epochs %d, %s, optimizer %s, learning rate %g, seed %d",
             settings.epochs, "full batch" if settings.batch_size is None else
             f"batch size {settings.batch_size}", settings.optimizer, settings.lr, settings.seed)
    log.info("writing to %s", out)
    started = time.perf_counter()
    summary = recipe.run(out, settings)
    summary = {"recipe": recipe.name, "command": command,
               "settings": {"epochs": settings.epochs, "batch_size": settings.batch_size,
                            "lr": settings.lr, "optimizer": settings.optimizer,
                            "seed": settings.seed},
               **summary, "seconds": round(time.perf_counter() - started, 3)}
    write_json(out / "metrics.json", summary)
    log.info("wrote fit.png, loss.png and metrics.json in %s", out)
    return 0


def plot_losses(path: Path, histories: dict[str, list[float]], title: str) -> None:
    """The loss at every step, one panel per fit (their losses are in different units)."""
    from ember.plotting import save_png, subplots

    figure, axes = subplots(1, len(histories), figsize=(5 * len(histories), 4), squeeze=False)
    for axis, (label, history) in zip(axes[0], histories.items()):
        axis.plot(range(1, len(history) + 1), history)
        axis.set_yscale("log" if min(history) > 0 else "linear")
        axis.set_xlabel("step")
        axis.set_ylabel("training loss")
        axis.set_title(label)
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    save_png(figure, path)
