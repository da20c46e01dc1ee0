"""Make the pictures the README shows, with ember's own drawing functions.

    python docs/make_images.py            # writes docs/images/*.png (under a minute on 2 cores)

Every picture is drawn from a model trained here, from a fixed seed, so rerunning gives the same
files up to matplotlib/Graphviz versions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, make_moons

import ember
import ember.nn.functional as F
from ember import keras, nn, viz

IMAGES = Path(__file__).resolve().parent / "images"


def backprop_circuit() -> None:
    """The seed lesson's circuit: d = tanh(a * b + 10), with values and gradients."""
    a = ember.tensor([2.0], requires_grad=True)
    b = ember.tensor([-3.0], requires_grad=True)
    c = a * b
    c.retain_grad()
    d = (c + 10).tanh()
    d.backward()
    viz.draw_graph(d).render(IMAGES / "draw_graph.png")


def moons() -> nn.Module:
    """An MLP trained on two moons: its decision boundary and its weights and gradients."""
    points, labels = make_moons(300, noise=0.2, random_state=0)
    x, y = ember.tensor(points.astype(np.float32)), ember.tensor(labels)
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 2))
    optimizer = ember.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(300):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    viz.plot_decision_boundary(model, points, labels, IMAGES / "decision_boundary.png")
    viz.plot_weight_histograms(model, IMAGES / "weight_histograms.png")  # last step's gradients
    return model


def digits_cnn() -> None:
    """A small CNN on scikit-learn's 8x8 digits: its filters and what each layer sees."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
    x, y = ember.tensor(images), ember.tensor(digits.target)
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    optimizer = ember.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(60):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    viz.plot_filters(model[0], IMAGES / "filters.png")
    viz.plot_activations(model, images[:1], IMAGES / "activations.png")


def keras_model_graph() -> None:
    """A two-input Keras model's layer graph, as keras.utils.plot_model draws it."""
    features, extra = keras.Input((16,), name="features"), keras.Input((4,), name="extra")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(features)
    joined = keras.layers.Concatenate(name="joined")([hidden, extra])
    model = keras.Model([features, extra], [keras.layers.Dense(1, name="score")(joined),
                                            keras.layers.Dense(3, activation="softmax",
                                                               name="kind")(joined)])
    keras.utils.plot_model(model, IMAGES / "plot_model.png", show_shapes=True,
                           show_layer_names=True, dpi=60)


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    backprop_circuit()
    moons()
    digits_cnn()
    keras_model_graph()
    for path in sorted(IMAGES.glob("*.png")):
        print(f"{path.relative_to(IMAGES.parent.parent)}  {path.stat().st_size // 1024} KB")
