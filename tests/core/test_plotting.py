"""``ember.plotting``: every plot ember draws is a figure on its own Agg canvas, so drawing
leaves the caller's matplotlib backend and pyplot's figures alone."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ember import keras, plotting
from ember.cli import reports

PNG = b"\x89PNG"


@pytest.fixture
def svg_backend():
    """The caller chose another backend (svg) and has a pyplot figure open."""
    before = matplotlib.get_backend()
    matplotlib.use("svg")
    mine = plt.figure()
    yield mine
    plt.close("all")
    matplotlib.use(before)


def test_plots_leave_the_callers_backend_and_pyplot_figures_alone(svg_backend,
                                                                   tmp_path: Path) -> None:
    logs = {"loss": [0.9, 0.5], "accuracy": [0.5, 0.8], "val_loss": [1.0, 0.6]}
    history = [{"epoch": 1, "loss": 0.9, "val_loss": 1.0}, {"epoch": 2, "loss": 0.5}]
    keras.utils.plot_history(logs, tmp_path / "keras.png", title="run")
    reports.plot_curves(tmp_path / "curves.png", history, "run")
    reports.plot_confusion(tmp_path / "confusion.png", np.eye(3, dtype=np.int64),
                           ["a", "b", "c"], "run")
    for name in ("keras.png", "curves.png", "confusion.png"):
        assert (tmp_path / name).read_bytes()[:4] == PNG, name
    assert matplotlib.get_backend() == "svg"
    assert plt.get_fignums() == [svg_backend.number]


def test_plot_history_draws_each_quantity_against_its_validation_twin(tmp_path: Path) -> None:
    drawn: list[list[str]] = []
    real_save = plotting.save_png

    def spy(figure, path, **kwargs):
        drawn.extend([line.get_label() for line in axis.get_lines()] for axis in figure.axes)
        return real_save(figure, path, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plotting, "save_png", spy)
        path = plotting.plot_history({"loss": [3.0, 2.0], "val_loss": [3.5, None],
                                      "mae": [1.0, 0.5], "learning_rate": [0.1, 0.1]},
                                     tmp_path / "h.png")
    assert path.read_bytes()[:4] == PNG
    assert drawn == [["training loss", "validation loss"], ["training mae"]]


def test_plot_history_of_nothing_names_what_it_got(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no values to plot"):
        plotting.plot_history({"val_loss": []}, tmp_path / "h.png")
