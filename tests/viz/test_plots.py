"""plot_filters, plot_activations, plot_decision_boundary, plot_weight_histograms: each picture is
a PNG of its figure's size, and shows what the model holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ember
from ember import keras, nn
from ember.viz import plot_activations, plot_decision_boundary, plot_filters, plot_weight_histograms


def _small_cnn() -> nn.Module:
    ember.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))


def _keras_cnn() -> Any:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                             keras.layers.Flatten(), keras.layers.Dense(2)])


def test_colour_filters_are_one_rgb_picture_each(tmp_path: Path, check_png: Any) -> None:
    conv = nn.Conv2d(3, 8, 5)
    figure = plot_filters(conv, tmp_path / "filters.png")
    check_png(figure, tmp_path / "filters.png")
    mosaic = figure.axes[0].images[0].get_array()
    assert mosaic.shape == (3 * 6 - 1, 3 * 6 - 1, 3)  # 8 filters on a 3x3 grid, 1-pixel gaps
    first = conv.weight.detach().numpy()[0].transpose(1, 2, 0)
    scaled = (first - first.min()) / (first.max() - first.min())
    np.testing.assert_allclose(mosaic[:5, :5], scaled, atol=1e-6)


def test_grey_filters_are_rows_of_input_channels_on_one_scale(tmp_path: Path,
                                                              check_png: Any) -> None:
    conv = nn.Conv2d(4, 6, 3)
    figure = plot_filters(conv, tmp_path / "filters.png", max_channels=2)
    check_png(figure, tmp_path / "filters.png")
    image = figure.axes[0].images[0]
    assert image.get_array().shape == (6 * 4 - 1, 2 * 4 - 1)
    weight = conv.weight.detach().numpy()
    np.testing.assert_allclose(np.asarray(image.get_array())[4:7, 4:7], weight[1, 1])
    assert image.get_clim() == pytest.approx((-np.abs(weight[:, :2]).max(),
                                              np.abs(weight[:, :2]).max()))


def test_one_channel_filters_are_a_grid(tmp_path: Path, check_png: Any) -> None:
    conv = nn.Conv2d(1, 5, 3)
    figure = plot_filters(conv, tmp_path / "filters.png")
    check_png(figure, tmp_path / "filters.png")
    mosaic = np.asarray(figure.axes[0].images[0].get_array())
    assert mosaic.shape == (2 * 4 - 1, 3 * 4 - 1)  # 5 filters on a 3-wide grid
    np.testing.assert_allclose(mosaic[4:7, 0:3], conv.weight.detach().numpy()[3, 0])
    assert np.isnan(mosaic[4:7, 8:11]).all()  # the empty sixth cell


def test_keras_conv2d_filters_are_its_kernel() -> None:
    model = _keras_cnn()
    figure = plot_filters(model.layers[0])
    kernel = model.layers[0].get_weights()[0]  # (kh, kw, in, out)
    np.testing.assert_allclose(np.asarray(figure.axes[0].images[0].get_array())[:3, :3],
                               kernel[:, :, 0, 0], rtol=1e-6)


def test_filters_of_something_else_are_refused() -> None:
    with pytest.raises(TypeError, match="Conv2d"):
        plot_filters(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="no weights yet"):
        plot_filters(keras.layers.Conv2D(2, 3))


def test_activations_of_a_module_are_one_row_per_leaf(tmp_path: Path, check_png: Any) -> None:
    model = _small_cnn()
    x = np.random.default_rng(0).random((2, 1, 8, 8), dtype=np.float32)
    figure = plot_activations(model, x, tmp_path / "act.png", sample=1)
    check_png(figure, tmp_path / "act.png")
    titles = [axis.get_title(loc="left") for axis in figure.axes]
    assert titles == ["0 (Conv2d)  (4, 6, 6)", "1 (ReLU)  (4, 6, 6)", "2 (Flatten)  (144,)",
                      "3 (Linear)  (3,)"]
    expected = model(ember.tensor(x)).detach().numpy()[1]
    np.testing.assert_allclose(figure.axes[3].images[0].get_array()[0], expected, rtol=1e-5)
    assert model.training  # its mode is put back


def test_activations_of_a_keras_model_are_drawn_channel_by_channel(tmp_path: Path,
                                                                   check_png: Any) -> None:
    model = _keras_cnn()
    x = np.random.default_rng(1).random((1, 8, 8, 1), dtype=np.float32)
    figure = plot_activations(model, x, tmp_path / "act.png", layers=[model.layers[0].name])
    check_png(figure, tmp_path / "act.png")
    conv = model.layers[0](ember.tensor(x)).detach().numpy()[0]  # (6, 6, 4)
    mosaic = np.asarray(figure.axes[0].images[0].get_array())
    np.testing.assert_allclose(mosaic[:, 7:13], conv[:, :, 1], rtol=1e-5)  # second channel
    with pytest.raises(ValueError, match="no layer named"):
        plot_activations(model, x, layers=["dense_7"])


def _xor_points() -> tuple[np.ndarray, np.ndarray]:
    points = np.random.default_rng(0).uniform(-1, 1, (200, 2)).astype(np.float32)
    return points, (points[:, 0] * points[:, 1] > 0).astype(np.int64)


def test_decision_boundary_of_a_trained_module(tmp_path: Path, check_png: Any) -> None:
    points, labels = _xor_points()
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    optimizer = ember.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(ember.tensor(points)), ember.tensor(labels)).backward()
        optimizer.step()
    figure = plot_decision_boundary(model, points, labels, tmp_path / "boundary.png",
                                    resolution=50)
    check_png(figure, tmp_path / "boundary.png")
    accuracy = float(figure.axes[0].get_title().split()[-1].strip("%)")) / 100
    predicted = model(ember.tensor(points)).detach().numpy().argmax(1)
    assert accuracy == pytest.approx(np.mean(predicted == labels)) and accuracy > 0.9


def test_one_output_column_is_a_logit_for_modules_and_a_probability_for_keras() -> None:
    points, _ = _xor_points()
    labels = (points[:, 0] > 0).astype(np.int64)
    module = nn.Linear(2, 1)
    with ember.no_grad():
        module.weight.copy_(ember.tensor([[1.0, 0.0]]))
        module.bias.zero_()
    title = plot_decision_boundary(module, points, labels).axes[0].get_title()
    assert title.endswith("100.0%)")  # logit > 0
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([np.array([[5.0], [0.0]]), np.zeros(1)])
    assert plot_decision_boundary(model, points, labels).axes[0].get_title().endswith("100.0%)")


def test_decision_boundary_checks_its_data() -> None:
    with pytest.raises(ValueError, match=r"X must be \(N, 2\)"):
        plot_decision_boundary(nn.Linear(3, 2), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="y must be"):
        plot_decision_boundary(nn.Linear(2, 2), np.zeros((4, 2)), np.zeros(3))


def test_histograms_show_weights_and_gradients_per_parameter(tmp_path: Path,
                                                             check_png: Any) -> None:
    model = _small_cnn()
    with pytest.raises(ValueError, match="backward"):
        plot_weight_histograms(model, grads=True)
    assert len(plot_weight_histograms(model).axes) == 4  # no gradients yet: weights only
    model(ember.randn(2, 1, 8, 8)).sum().backward()
    figure = plot_weight_histograms(model, tmp_path / "hist.png")
    check_png(figure, tmp_path / "hist.png")
    titles = [axis.get_title() for axis in figure.axes]
    assert titles[0].startswith("0.weight (4, 1, 3, 3)")
    assert titles[1].startswith("0.weight.grad")
    counts = sum(patch.get_height() for patch in figure.axes[4].patches)
    assert counts == 3 * 144  # every element of 3.weight in its histogram


def test_pictures_leave_pyplot_alone(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_weight_histograms(_keras_cnn(), tmp_path / "keras.png")
    assert plt.get_fignums() == before


def test_activations_of_a_functional_keras_model_follow_its_graph() -> None:
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
    joined = keras.layers.Concatenate(name="joined")([hidden, inputs])
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(joined))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    figure = plot_activations(model, x)
    assert [axis.get_title(loc="left") for axis in figure.axes] == [
        "hidden (Dense)  (4,)", "joined (Concatenate)  (7,)", "out (Dense)  (2,)"]
    np.testing.assert_allclose(figure.axes[2].images[0].get_array()[0], model.predict(x)[0],
                               rtol=1e-5)
