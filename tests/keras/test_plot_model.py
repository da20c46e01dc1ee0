"""keras.utils.plot_model: the layer graph as a real picture, drawn by Graphviz as Keras draws it,
or by matplotlib where Graphviz is missing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ember import keras
from ember.keras.utils import model_visualization


def _mlp() -> Any:
    return keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dropout(0.2),
                             keras.layers.Dense(10, activation="softmax")])


def _two_inputs_two_outputs() -> Any:
    features, extra = keras.Input((16,), name="features"), keras.Input((4,), name="extra")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(features)
    joined = keras.layers.Concatenate(name="joined")([hidden, extra])
    return keras.Model([features, extra], [keras.layers.Dense(1, name="score")(joined),
                                           keras.layers.Dense(3, name="kind")(joined)])


def _png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(path) as image:
        return image.size


def _needs_graphviz() -> None:
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")


def test_graphviz_draws_a_png_whose_size_follows_dpi_and_direction(tmp_path: Path) -> None:
    _needs_graphviz()
    model = _mlp()
    sizes = {}
    for name, rankdir, dpi in (("tb100", "TB", 100), ("tb200", "TB", 200), ("lr", "LR", 100)):
        keras.utils.plot_model(model, tmp_path / f"{name}.png", show_shapes=True, dpi=dpi,
                               rankdir=rankdir)
        sizes[name] = _png_size(tmp_path / f"{name}.png")
    (w100, h100), (w200, h200), (w_lr, h_lr) = sizes["tb100"], sizes["tb200"], sizes["lr"]
    assert w200 == pytest.approx(2 * w100, rel=0.02) and h200 == pytest.approx(2 * h100, rel=0.02)
    assert h100 > w100 / 2 and w_lr > 2 * h_lr  # three boxes stacked, then side by side
    assert h_lr < h100 and w_lr > w100


def test_no_extension_writes_png_and_svg_is_svg(tmp_path: Path) -> None:
    _needs_graphviz()
    keras.utils.plot_model(_mlp(), tmp_path / "model")
    assert _png_size(tmp_path / "model")[0] > 0
    keras.utils.plot_model(_mlp(), tmp_path / "model.svg")
    assert "<svg" in (tmp_path / "model.svg").read_text()
    with pytest.raises(ValueError, match="cannot write a 'xyz' file"):
        keras.utils.plot_model(_mlp(), tmp_path / "model.xyz")


def test_the_graph_has_keras_boxes_and_the_model_edges(tmp_path: Path) -> None:
    keras.utils.plot_model(_two_inputs_two_outputs(), tmp_path / "model.dot", show_shapes=True,
                           show_layer_names=True, show_trainable=True)
    source = (tmp_path / "model.dot").read_text()
    names = {number: name for number, name in re.findall(r"n(\d+) \[label=<.*?<b>(\w+)</b>",
                                                          source)}
    edges = {(names[a], names[b]) for a, b in re.findall(r"n(\d+) -> n(\d+)", source)}
    assert edges == {("features", "hidden"), ("hidden", "joined"), ("extra", "joined"),
                     ("joined", "score"), ("joined", "kind")}
    assert "Input shape: <b>[(None, 8), (None, 4)]</b>" in source
    assert "Output shape: <b>(None, 12)</b>" in source
    assert source.count("<b>Trainable</b>") == 3  # the Dense layers; inputs have no weights
    assert "rankdir=TB;" in source and 'splines="ortho";' in source


def test_keras_defaults_show_only_the_layer_classes(tmp_path: Path) -> None:
    keras.utils.plot_model(_mlp(), tmp_path / "model.dot")
    source = (tmp_path / "model.dot").read_text()
    assert re.findall(r"<b>(\w+)</b>", source) == ["Dense", "Dropout", "Dense"]
    assert "Output shape" not in source and "Activation" not in source


def test_without_graphviz_matplotlib_draws_the_same_graph(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(model_visualization, "_graphviz_ready", lambda: False)
    model = _two_inputs_two_outputs()
    for dpi in (50, 100):
        keras.utils.plot_model(model, tmp_path / f"model{dpi}.png", show_shapes=True, dpi=dpi)
    (w50, h50), (w100, h100) = _png_size(tmp_path / "model50.png"), _png_size(
        tmp_path / "model100.png")
    assert (w100, h100) == pytest.approx((2 * w50, 2 * h50), abs=1)
    keras.utils.plot_model(_mlp(), tmp_path / "lr.png", rankdir="LR", dpi=50)
    width, height = _png_size(tmp_path / "lr.png")
    assert width > 3 * height  # three boxes in a row
    with pytest.raises(ValueError, match="without Graphviz"):
        keras.utils.plot_model(model, tmp_path / "model.gif")


def test_what_cannot_be_drawn_says_why(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not yet been built"):
        keras.utils.plot_model(keras.Sequential([keras.layers.Dense(2)]), tmp_path / "m.dot")
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        keras.utils.plot_model(_mlp(), tmp_path / "m.dot", show_colours=True)
    with pytest.raises(ValueError, match="layer_range"):
        keras.utils.plot_model(_mlp(), tmp_path / "m.dot", layer_range=["dense", "dense_1"])
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.plot_model(_mlp(), tmp_path / "m.dot", rankdir="XY")
    nested = keras.Sequential([keras.Input((2,)), keras.Sequential([keras.layers.Dense(1)])])
    with pytest.raises(NotImplementedError, match="expand_nested"):
        keras.utils.plot_model(nested, tmp_path / "m.dot", expand_nested=True)
    assert not (tmp_path / "m.dot").exists()
