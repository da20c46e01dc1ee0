"""Keras's extension points: subclassed layers and models, one forward path for fit/evaluate/
predict, train_step/test_step/predict_step overrides (the guide "customizing what happens in
fit", torch-backend flavour), add_weight, get_config/from_config with custom_objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ember
from ember import keras


def regression_data(n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], np.float32) + 0.3)


class CountingDense(keras.layers.Dense):
    """A Dense whose overridden call counts its runs and the training flags it saw."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[Any] = []

    def call(self, inputs: ember.Tensor, training: bool | None = None) -> ember.Tensor:
        self.seen.append(training)
        return super().call(inputs) * 1.0


class Scale(keras.layers.Layer):
    """A layer whose call takes no training argument (as most custom layers)."""

    def __init__(self, factor: float = 2.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs: ember.Tensor) -> ember.Tensor:
        return inputs * self.factor

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


class Linear(keras.layers.Layer):
    """The Keras guide's custom layer: weights made in build() with add_weight."""

    def __init__(self, units: int = 32, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs: ember.Tensor) -> ember.Tensor:
        return inputs @ self.w + self.b

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


def test_fit_evaluate_and_predict_run_an_overridden_call(blobs: Any) -> None:
    x, y = blobs
    last = CountingDense(3, activation="softmax")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), last])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    last.seen.clear()
    model.fit(x, y, batch_size=40, epochs=1, verbose=0)
    assert last.seen == [True, True, True]
    last.seen.clear()
    model.evaluate(x, y, batch_size=60, verbose=0)
    model.predict(x, batch_size=120, verbose=0)
    model.train_on_batch(x, y)
    assert last.seen == [False, False, False, True]


def test_a_call_without_training_runs_in_fit(blobs: Any) -> None:
    x, y = blobs
    model = keras.Sequential([keras.Input((4,)), Scale(0.5), keras.layers.Dense(3,
                                                                              activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x[:5], verbose=0),
                               model.layers[1](x[:5] * 0.5).detach().numpy(), rtol=1e-6)


def test_nested_layers_inherit_training_from_the_outer_call() -> None:
    recorder = CountingDense(2)

    class Outer(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.inner = recorder

        def call(self, inputs: ember.Tensor) -> ember.Tensor:  # passes no training on
            return self.inner(inputs)

    model = Outer()
    x = np.ones((4, 3), np.float32)
    model(x, training=True)
    model(x)
    model(x, training=False)
    assert recorder.seen == [True, None, False]


def test_a_subclassed_model_trains(blobs: Any) -> None:
    class Classifier(keras.Model):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(16, activation="relu")
            self.dropout = keras.layers.Dropout(0.1)
            self.classes = keras.layers.Dense(3, activation="softmax")

        def call(self, inputs: ember.Tensor, training: bool = False) -> ember.Tensor:
            return self.classes(self.dropout(self.hidden(inputs), training=training))

    x, y = blobs
    model = Classifier(name="classifier")
    model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert len(model.trainable_weights) == 4 and model.layers[0].kernel.shape == (4, 16)


class GuideModel(keras.Model):
    """``train_step``/``test_step`` as Keras's guide writes them for the torch backend."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1)
        self.steps_seen = {"train": 0, "test": 0, "predict": 0}

    def call(self, inputs: ember.Tensor) -> ember.Tensor:
        return self.dense(inputs)

    def train_step(self, data: Any) -> dict[str, Any]:
        x, y = data
        self.steps_seen["train"] += 1
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [v.value.grad for v in trainable_weights]
        with ember.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data: Any) -> dict[str, Any]:
        x, y = data
        self.steps_seen["test"] += 1
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def predict_step(self, data: Any) -> ember.Tensor:
        self.steps_seen["predict"] += 1
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self(x, training=False) + 100.0


def test_the_guides_train_step_test_step_and_predict_step_are_the_ones_used() -> None:
    x, y = regression_data()
    model = GuideModel()
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert model.steps_seen["train"] == 80
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.01 < history.history["loss"][0]
    loss, mae = model.evaluate(x, y, batch_size=64, verbose=0)
    assert model.steps_seen["test"] == 2 and loss < 0.01 and mae < 0.1
    predictions = model.predict(x, batch_size=64, verbose=0)
    assert model.steps_seen["predict"] == 2
    np.testing.assert_allclose(predictions, y + 100.0, atol=0.3)


def test_the_guides_low_level_train_step_with_its_own_loss_and_metric_trackers() -> None:
    class LowLevel(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def call(self, inputs: ember.Tensor) -> ember.Tensor:
            return self.dense(inputs)

        def train_step(self, data: Any) -> dict[str, Any]:
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            weights = list(self.trainable_weights)
            with ember.no_grad():
                self.optimizer.apply([w.value.grad for w in weights], weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self) -> list[Any]:  # reset by fit at the start of each epoch
            return [self.loss_tracker, self.mae_metric]

    x, y = regression_data()
    model = LowLevel()
    model.compile(optimizer=keras.optimizers.SGD(0.05))  # no loss: train_step has its own
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.05 < history.history["loss"][0]
    assert model.loss_tracker.count == 4  # reset each epoch: this epoch's four batches


def test_optimizer_apply_updates_only_the_weights_it_is_given() -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model._ensure_ready(ember.ones(1, 3))
    before = model.get_weights()
    loss = (model(np.ones((4, 3), np.float32)) ** 2).mean()
    loss.backward()
    first = model.layers[0].trainable_weights
    model.optimizer.apply([w.value.grad for w in first], first)
    after = model.get_weights()
    assert not np.array_equal(before[0], after[0]) and not np.array_equal(before[1], after[1])
    assert np.array_equal(before[2], after[2]) and np.array_equal(before[3], after[3])


def test_a_custom_layer_with_add_weight_trains_and_loads_with_custom_objects(
        tmp_path: Path) -> None:
    x, y = regression_data()
    model = keras.Sequential([keras.Input((4,)), Linear(1)])
    assert [w.shape for w in model.weights] == [(4, 1), (1,)]
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(x, y, epochs=30, verbose=0)
    np.testing.assert_allclose(model.layers[0].w.detach().numpy().ravel(), [1, -2, 0.5, 0],
                               atol=0.05)
    model.save(tmp_path / "linear.keras")
    with pytest.raises(ember.ModelFileError, match="custom_objects"):
        keras.models.load_model(tmp_path / "linear.keras")
    loaded = keras.models.load_model(tmp_path / "linear.keras",
                                     custom_objects={"Linear": Linear})
    assert isinstance(loaded.layers[0], Linear) and loaded.layers[0].units == 1
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_subclassed_model_round_trips_through_get_config(tmp_path: Path) -> None:
    class TwoLayer(keras.Model):
        def __init__(self, hidden: int = 8, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.hidden = hidden
            self.first = keras.layers.Dense(hidden, activation="tanh")
            self.scale = Scale(3.0)
            self.last = keras.layers.Dense(1)

        def call(self, inputs: ember.Tensor) -> ember.Tensor:
            return self.last(self.scale(self.first(inputs)))

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "hidden": self.hidden}

    x, y = regression_data()
    model = TwoLayer(hidden=5)
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "two.keras")
    loaded = keras.models.load_model(tmp_path / "two.keras",
                                     custom_objects={"TwoLayer": TwoLayer, "Scale": Scale})
    assert isinstance(loaded, TwoLayer) and loaded.hidden == 5
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_layers_expose_kernel_and_bias_in_keras_layout() -> None:
    dense = keras.layers.Dense(3)
    dense(np.ones((2, 5), np.float32))
    assert dense.kernel.shape == (5, 3) and dense.bias.shape == (3,)
    dense.kernel.assign(np.arange(15, dtype=np.float32).reshape(5, 3))
    np.testing.assert_array_equal(dense(np.eye(5, dtype=np.float32)).detach().numpy(),
                                  np.arange(15).reshape(5, 3))
    conv = keras.layers.Conv2D(4, 3)
    conv(np.ones((1, 6, 6, 2), np.float32))
    assert conv.kernel.shape == (3, 3, 2, 4) and np.asarray(conv.bias).shape == (4,)


def test_add_weight_variables_assign_like_keras() -> None:
    class ComputeSum(keras.layers.Layer):  # the guide's non-trainable weight
        def __init__(self, input_dim: int) -> None:
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs: ember.Tensor) -> ember.Tensor:
            self.total.assign_add(inputs.sum(dim=0))
            return self.total

    layer = ComputeSum(2)
    layer(np.ones((2, 2), np.float32))
    out = layer(np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(out.detach().numpy(), [4.0, 4.0])
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1


def test_add_loss_and_activity_regularizer_join_the_training_loss(blobs: Any) -> None:
    x, y = blobs
    dense = keras.layers.Dense(3, activation="softmax",
                               activity_regularizer=keras.regularizers.L2(0.01))
    model = keras.Sequential([keras.Input((4,)), dense])
    model.compile("sgd", "sparse_categorical_crossentropy")
    kernel, bias = dense.get_weights()
    logits = x @ kernel + bias
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    crossentropy = -np.log(probs[np.arange(len(y)), y]).mean()
    activity = 0.01 * (probs**2).sum() / len(x)  # Keras divides by the batch size
    assert model.test_on_batch(x, y) == pytest.approx(crossentropy + activity, rel=1e-5)
    assert len(model.losses) == 1


def test_a_mask_from_embedding_reaches_the_loss() -> None:
    ids = np.array([[3, 1, 0, 0], [2, 2, 4, 0]])
    targets = np.array([[1, 0, 0, 0], [0, 1, 1, 0]])
    model = keras.Sequential([keras.Input((4,), dtype="int64"),
                              keras.layers.Embedding(5, 3, mask_zero=True),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    probs = model.predict(ids, verbose=0)
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    expected = -np.log(picked[ids != 0]).mean()  # padding steps count for nothing
    assert model.test_on_batch(ids, targets) == pytest.approx(expected, rel=1e-5)


def test_mask_reaches_a_call_that_declares_it() -> None:
    class MaskedMean(keras.layers.Layer):
        def call(self, inputs: ember.Tensor, mask: Any = None) -> ember.Tensor:
            weights = mask.float().unsqueeze(-1)
            return (inputs * weights).sum(dim=1) / weights.sum(dim=1)

    ids = np.array([[3, 1, 0, 0], [2, 2, 4, 1]])
    embedding = keras.layers.Embedding(5, 2, mask_zero=True)
    vectors = embedding(ids).detach().numpy()
    pooled = MaskedMean()(embedding(ids)).detach().numpy()
    np.testing.assert_allclose(pooled, [vectors[0, :2].mean(0), vectors[1].mean(0)], rtol=1e-6)


def test_model_rejects_unknown_constructor_arguments() -> None:
    with pytest.raises(TypeError, match="colour"):
        keras.Model(colour="red")
