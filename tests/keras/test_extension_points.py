"""Keras's extension points as its guides use them: callbacks' logs, Loss.call, Metric state."""

import numpy as np
import pytest

import ember.keras as keras
from ember.keras import ops


def _model(units=1, activation=None, loss="mse", metrics=None):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation=activation)])
    model.compile("sgd", loss, metrics=metrics)
    return model


class RecordLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = {}

    def __getattribute__(self, name):
        if name.startswith("on_"):
            def hook(*args):
                self.seen.setdefault(name, []).append(args[-1])
            return hook
        return super().__getattribute__(name)


def test_every_hook_gets_a_dict_of_logs():
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    model, record = _model(), RecordLogs()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), callbacks=[record], verbose=0)
    model.evaluate(x, y, callbacks=[record], verbose=0)
    model.predict(x, callbacks=[record], verbose=0)
    for hook, logs in record.seen.items():
        assert all(isinstance(entry, dict) for entry in logs), hook
    assert {"on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_test_begin",
            "on_predict_begin", "on_predict_end", "on_train_end"} <= set(record.seen)
    # As Keras: on_train_end receives the last epoch's logs.
    assert set(record.seen["on_train_end"][0]) == {"loss", "val_loss"}


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


def test_loss_subclass_call_is_reduced_and_weighted():
    y_true = np.array([[0, 1], [1, 1]])  # integers: cast to the predictions' float dtype
    y_pred = np.array([[0.2, 0.7], [0.9, 0.1]], "float32")
    per_sample = ((y_true - y_pred) ** 2).mean(-1) + 0.1 * ((0.5 - y_pred) ** 2).mean(-1)
    np.testing.assert_allclose(float(CustomMSE()(y_true, y_pred)), per_sample.mean(), rtol=1e-6)
    weighted = CustomMSE()(y_true, y_pred, sample_weight=np.array([1.0, 0.0]))
    np.testing.assert_allclose(float(weighted), per_sample[0] / 2, rtol=1e-6)


def test_loss_subclass_trains_in_fit():
    model = _model(units=2, loss=CustomMSE())
    history = model.fit(np.ones((8, 3), "float32"), np.zeros((8, 2), "float32"), epochs=2,
                        verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(ops.cast(y_true, "int32") == ops.cast(y_pred, "int32"), "float32")
        if sample_weight is not None:
            values = ops.multiply(values, ops.cast(sample_weight, "float32"))
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


def test_metric_state_from_add_variable():
    metric = CategoricalTruePositives()
    metric.update_state(np.array([[0], [1], [1]]), np.array([[.9, .1], [.2, .8], [.6, .4]]))
    assert float(metric.result()) == 2.0
    assert len(metric.variables) == 1 and not metric.variables[0].requires_grad
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_metric_add_weight_and_default_reset_to_zeros():
    class Total(keras.metrics.Metric):
        def __init__(self):
            super().__init__(name="total")
            self.sum = self.add_weight(name="sum", shape=(2,), initializer="ones")

        def update_state(self, values, sample_weight=None):
            self.sum.assign_add(values)

        def result(self):
            return self.sum

    metric = Total()
    np.testing.assert_array_equal(metric.result().numpy(), [1, 1])
    metric.update_state(np.array([2.0, 3.0]))
    np.testing.assert_array_equal(metric.result().numpy(), [3, 4])
    metric.reset_state()  # Keras's base reset_state: every variable to zeros
    np.testing.assert_array_equal(metric.result().numpy(), [0, 0])


def test_custom_metric_is_logged_and_reset_each_epoch_in_fit():
    model = _model(units=2, activation="softmax", loss="sparse_categorical_crossentropy",
                   metrics=[CategoricalTruePositives()])
    x, y = np.random.rand(16, 3).astype("float32"), np.random.randint(0, 2, (16, 1))
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    counts = history.history["categorical_true_positives"]
    assert len(counts) == 2 and all(0 <= c <= 16 for c in counts)


def test_metric_variable_dtype_other_than_float32_is_refused():
    class Bad(keras.metrics.Metric):
        def __init__(self):
            super().__init__()
            self.count = self.add_variable(shape=(), dtype="int64")

    with pytest.raises(NotImplementedError, match="dtype"):
        Bad()


def test_mean_absolute_percentage_error_metric():
    metric = keras.metrics.MeanAbsolutePercentageError()
    metric.update_state(np.array([[1.0, 2.0], [4.0, 0.0]]), np.array([[1.5, 2.0], [3.0, 1e-7]]))
    # Per sample: mean(50, 0) = 25 and mean(25, 100 * 1e-7 / 1e-7) = 62.5, as Keras.
    np.testing.assert_allclose(metric.result(), (25.0 + 62.5) / 2, rtol=1e-6)


def test_on_batch_end_is_the_old_name_of_on_train_batch_end():
    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    history = LossHistory()
    _model().fit(np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), batch_size=2,
                 callbacks=[history], verbose=0)
    assert len(history.per_batch_losses) == 4
