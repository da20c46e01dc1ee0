"""Mistakes users make get errors that say what was received and what was expected."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.keras import layers


def classifier(loss: Any = "sparse_categorical_crossentropy",
               output: str = "softmax") -> keras.Sequential:
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.Dense(3, activation=output)])
    model.compile("adam", loss)
    return model


X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
Y = np.arange(20) % 3


def test_wrong_input_shape_names_the_layer_and_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"'dense' \(Dense\).*expected shape \(None, 4\), "
                                         r"got \(None, 5\)"):
        classifier().predict(np.zeros((2, 5), np.float32), verbose=0)
    layer = layers.Dense(2, name="head")
    layer(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"'head'.*\(None, 3\).*\(None, 7\)"):
        layer(np.zeros((1, 7), np.float32))
    with pytest.raises(ValueError, match=r"'dense_\d' \(Dense\).*expected shape"):
        classifier().fit(np.zeros((20, 6), np.float32), Y, verbose=0)


@pytest.mark.parametrize("output", ["softmax", "linear"])
def test_sparse_labels_out_of_range(output: str) -> None:
    model = classifier(output=output)
    with pytest.raises(ValueError, match=r"\[0, 3\).*got 3"):
        model.fit(X, np.full(20, 3), verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 3\).*got -1"):
        model.fit(X, np.full(20, -1), verbose=0)


def test_sparse_float_labels() -> None:
    with pytest.raises(ValueError, match="integer class indices, got a float label 0.5"):
        classifier().fit(X, np.full(20, 0.5, np.float32), verbose=0)


def test_one_hot_width_mismatch() -> None:
    with pytest.raises(ValueError, match=r"\(20, 4\).*\(20, 3\).*one column per model output"):
        classifier("categorical_crossentropy").fit(X, np.eye(4)[Y % 4], verbose=0)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        classifier("categorical_crossentropy").fit(X, Y, verbose=0)


def test_x_and_y_lengths_differ() -> None:
    with pytest.raises(ValueError, match="x has 20 samples but y has 19"):
        classifier().fit(X, Y[:19], verbose=0)
    with pytest.raises(ValueError, match="x has 20 samples but sample_weight has 3"):
        classifier().fit(X, Y, sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match="evaluate: x has 20 samples but y has 2"):
        classifier().evaluate(X, Y[:2], verbose=0)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, True])
def test_batch_size_must_be_positive(batch_size: Any) -> None:
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got "
                                         f"{batch_size!r}"):
        classifier().fit(X, Y, batch_size=batch_size, verbose=0)


def test_epochs_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match="epochs must be a non-negative integer, got -1"):
        classifier().fit(X, Y, epochs=-1, verbose=0)
    assert classifier().fit(X, Y, epochs=0, verbose=0).epoch == []


def test_empty_data() -> None:
    with pytest.raises(ValueError, match=r"x is empty \(0 samples\)"):
        classifier().fit(np.zeros((0, 4), np.float32), np.zeros(0, int), verbose=0)
    with pytest.raises(ValueError, match="x is empty"):
        classifier().predict(np.zeros((0, 4), np.float32), verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_range(split: float) -> None:
    with pytest.raises(ValueError, match=rf"validation_split must be in \[0, 1\), got {split}"):
        classifier().fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_that_leaves_nothing() -> None:
    with pytest.raises(ValueError, match="leaves no samples"):
        classifier().fit(X[:1], Y[:1], validation_split=0.5, verbose=0)


@pytest.mark.parametrize(("make", "family", "known"), [
    (lambda: classifier().compile("adamm", "mse"), "optimizer", "adam, adamw"),
    (lambda: classifier().compile("adam", "cross_entropy"), "loss", "binary_crossentropy"),
    (lambda: classifier().compile("adam", "mse", metrics=["accurcy"]), "metric", "accuracy"),
    (lambda: layers.Dense(3, activation="rellu"), "activation", "relu"),
    (lambda: layers.Dense(3, kernel_initializer="glorot"), "initializer", "glorot_uniform"),
])
def test_unknown_names_list_the_known_ones(make: Any, family: str, known: str) -> None:
    with pytest.raises(ValueError, match=rf"unknown {family} '\w+'; known {family}e?s: .*{known}"):
        make()


@pytest.mark.parametrize("column", ["x", "y"])
def test_nan_in_the_data_is_reported_when_fit_starts(column: str) -> None:
    x, y = X.copy(), np.eye(3, dtype=np.float32)[Y]
    (x if column == "x" else y)[4, 1] = np.nan
    (x if column == "x" else y)[9, 0] = np.inf
    model = classifier("categorical_crossentropy")
    with pytest.raises(ValueError, match=rf"fit: {column} contains NaN or infinite values in 2 "
                                         r"sample\(s\)"):
        model.fit(x, y, verbose=0)
    assert model.optimizer.iterations == 0


def test_fit_before_compile() -> None:
    model = keras.Sequential([layers.Dense(2, input_shape=(4,))])
    with pytest.raises(RuntimeError, match=r"compile\(\).*before fit"):
        model.fit(X, Y, verbose=0)
    with pytest.raises(RuntimeError, match="before evaluate"):
        model.evaluate(X, Y, verbose=0)


def test_non_numeric_inputs() -> None:
    with pytest.raises(TypeError, match="inputs must be numbers"):
        classifier().fit(np.array([["a"] * 4] * 20), Y, verbose=0)


def test_bad_layer_arguments() -> None:
    with pytest.raises(ValueError, match="units must be a positive integer, got 0"):
        layers.Dense(0)
    with pytest.raises(TypeError, match=r"unexpected arguments \['unitz'\]"):
        layers.Dense(3, unitz=4)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        layers.Conv2D(3, 3, padding="full")
    with pytest.raises(ValueError, match=r"expects images shaped \(None, height, width, "
                                         r"channels\), got \(None, 5\)"):
        layers.Conv2D(3, 3)(np.zeros((1, 5), np.float32))
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1.5"):
        layers.Dropout(1.5)


def test_duplicate_layer_names_in_sequential() -> None:
    with pytest.raises(ValueError, match="'a' is already in this model"):
        keras.Sequential([layers.Dense(2, name="a", input_shape=(3,)), layers.Dense(2, name="a")])
