"""model.summary(): Keras's table, and a clear error before the model is built."""

from __future__ import annotations

from typing import Any

import pytest

from ember import keras
from ember.keras import layers

EXPECTED = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 512)            │       401,920 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         5,130 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 407,050 (1.55 MB)
 Trainable params: 407,050 (1.55 MB)
 Non-trainable params: 0 (0.00 B)"""


def test_summary_matches_keras_text_for_the_mnist_network() -> None:
    """The text TensorFlow's Keras 3 prints for the same network."""
    model = keras.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                              layers.Dense(10, activation="softmax")])
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines) == EXPECTED


def test_summary_prints_to_stdout(capsys: Any) -> None:
    model = keras.Sequential([keras.Input((784,)), layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.summary()
    assert capsys.readouterr().out.strip() == EXPECTED


def test_summary_of_a_conv_model_with_non_trainable_params() -> None:
    model = keras.Sequential([layers.Conv2D(8, 3, padding="same", input_shape=(28, 28, 1),
                                            name="conv"),
                              layers.BatchNormalization(name="bn"),
                              layers.MaxPooling2D(name="pool"), layers.Flatten(name="flat"),
                              layers.Dense(10, name="out")], name="cnn")
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert text.startswith('Model: "cnn"')
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:4]]
            for line in text.splitlines() if line.startswith("│")}
    assert rows == {"conv (Conv2D)": ["(None, 28, 28, 8)", "80"],
                    "bn (BatchNormalization)": ["(None, 28, 28, 8)", "32"],
                    "pool (MaxPooling2D)": ["(None, 14, 14, 8)", "0"],
                    "flat (Flatten)": ["(None, 1568)", "0"],
                    "out (Dense)": ["(None, 10)", "15,690"]}
    assert " Total params: 15,802 (61.73 KB)" in text
    assert " Trainable params: 15,786 (61.66 KB)" in text
    assert " Non-trainable params: 16 (64.00 B)" in text


def test_summary_before_build_is_a_clear_error() -> None:
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    with pytest.raises(ValueError, match="not been built.*input_shape"):
        model.summary()
