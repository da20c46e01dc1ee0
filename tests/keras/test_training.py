"""fit / evaluate / predict and the on-batch methods: data forms, options, output, determinism."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.utils.data import DataLoader, TensorDataset


def classifier(optimizer: Any = "adam", metrics: Any = ("accuracy",)) -> keras.Sequential:
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=list(metrics))
    return model


def weights_equal(a: keras.Model, b: keras.Model) -> bool:
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def twin(model: keras.Model, **compile_args: Any) -> keras.Sequential:
    clone = classifier(**compile_args)
    clone.set_weights(model.get_weights())
    return clone


def test_fit_learns_separable_blobs(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


def test_validation_split_takes_the_last_fraction(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    steps = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            steps.append(batch)

    history = model.fit(x, y, epochs=1, batch_size=10, validation_split=0.25, verbose=0,
                        callbacks=[Count()])
    assert len(steps) == 9  # 90 training samples
    val_loss, val_acc = model.evaluate(x[90:], y[90:], verbose=0)
    assert history.history["val_loss"] == [pytest.approx(val_loss, rel=1e-6)]
    assert history.history["val_accuracy"] == [pytest.approx(val_acc)]


def test_validation_data_with_sample_weights(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    weights = np.where(y[:40] == 0, 1.0, 0.0).astype(np.float32)
    history = model.fit(x[40:], y[40:], epochs=1, verbose=0,
                        validation_data=(x[:40], y[:40], weights))
    expected = model.evaluate(x[:40], y[:40], sample_weight=weights, verbose=0)[0]
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-6)


def test_unshuffled_fit_equals_train_on_batch_in_order(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    manual = twin(model)
    model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    for start in range(0, len(x), 32):
        manual.train_on_batch(x[start:start + 32], y[start:start + 32])
    assert weights_equal(model, manual)
    shuffled = twin(manual)
    other = twin(manual)
    shuffled.fit(x, y, epochs=1, batch_size=32, shuffle=True, verbose=0)
    other.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    assert not weights_equal(shuffled, other)


def test_class_weight_equals_the_matching_sample_weight(blobs: Any) -> None:
    x, y = blobs
    a = classifier("sgd")
    b = twin(a, optimizer="sgd")
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    a.fit(x, y, epochs=1, shuffle=False, verbose=0, class_weight=class_weight)
    b.fit(x, y, epochs=1, shuffle=False, verbose=0,
          sample_weight=np.array([class_weight[c] for c in y], np.float32))
    assert weights_equal(a, b)
    c = twin(a, optimizer="sgd")
    c.fit(x, y, epochs=1, shuffle=False, verbose=0)
    assert not weights_equal(b, c)


def test_zero_sample_weight_ignores_samples(blobs: Any) -> None:
    x, y = blobs
    a = classifier("sgd")
    b = twin(a, optimizer="sgd")
    keep = np.ones(len(y), np.float32)
    keep[::2] = 0
    a.fit(x, y, sample_weight=keep, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    # The mean is over the whole batch, so the kept half weighs 2 to give the same update.
    b.fit(x[1::2], y[1::2], epochs=1, batch_size=len(x), shuffle=False, verbose=0,
          sample_weight=np.full(len(y) // 2, 0.5, np.float32))
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-7)


def test_initial_epoch(blobs: Any, capsys: Any) -> None:
    x, y = blobs
    history = classifier().fit(x, y, epochs=4, initial_epoch=2, verbose=2)
    assert history.epoch == [2, 3]
    out = capsys.readouterr().out
    assert "Epoch 3/4" in out and "Epoch 4/4" in out and "Epoch 1/4" not in out


def test_fit_on_dataloader_dataset_and_generator(blobs: Any) -> None:
    x, y = blobs
    base = classifier()
    loader_model, dataset_model, gen_model = twin(base), twin(base), twin(base)
    arrays = twin(base)
    arrays.fit(x, y, batch_size=20, epochs=1, shuffle=False, verbose=0)
    loader = DataLoader(TensorDataset(x, y), batch_size=20, shuffle=False)
    history = loader_model.fit(loader, epochs=2, verbose=0)
    assert len(history.epoch) == 2
    dataset_model.fit(TensorDataset(x, y), batch_size=20, epochs=1, shuffle=False, verbose=0)
    assert weights_equal(dataset_model, arrays)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        while True:
            for start in range(0, len(x), 20):
                yield x[start:start + 20], y[start:start + 20]

    seen = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seen.append(logs["loss"])

    gen_model.fit(batches(), steps_per_epoch=3, epochs=4, verbose=0, callbacks=[Count()])
    assert len(seen) == 4
    # The generator continues across epochs: 12 batches = two passes over the data.
    again = twin(base)
    again.fit(x, y, batch_size=20, epochs=2, shuffle=False, verbose=0)
    assert weights_equal(gen_model, again)
    assert loader_model.evaluate(loader, verbose=0)[0] == pytest.approx(
        loader_model.evaluate(x, y, verbose=0)[0], rel=1e-5)
    np.testing.assert_allclose(loader_model.predict(DataLoader(TensorDataset(x), batch_size=7),
                                                    verbose=0),
                               loader_model.predict(x, verbose=0), rtol=1e-6)


def test_verbose_output_formats(blobs: Any, capsys: Any) -> None:
    x, y = blobs
    model = classifier()
    model.fit(x, y, epochs=2, batch_size=40, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, batch_size=40, verbose=2, validation_split=0.25)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"3/3 - \d+s - \d+(ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}"
                        r" - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}", lines[1]), lines[1]
    model.fit(x, y, epochs=1, batch_size=40, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/1\n") and "3/3" in out and "loss:" in out
    model.evaluate(x, y, verbose=1)
    assert "accuracy:" in capsys.readouterr().out
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_return_forms(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {
        "accuracy": pytest.approx(accuracy), "loss": pytest.approx(loss)}
    plain = classifier(metrics=())
    assert isinstance(plain.evaluate(x, y, verbose=0), float)
    # The batch size changes nothing but rounding.
    assert model.evaluate(x, y, batch_size=7, verbose=0)[0] == pytest.approx(loss, rel=1e-5)


def test_predict_is_numpy_and_batched(blobs: Any) -> None:
    x, _ = blobs
    model = classifier()
    whole = model.predict(x, batch_size=len(x), verbose=0)
    assert isinstance(whole, np.ndarray) and whole.shape == (120, 3)
    assert whole.dtype == np.float32
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0), whole, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), whole[:5], rtol=1e-6)
    np.testing.assert_allclose(model(x[:5]).detach().numpy(), whole[:5], rtol=1e-6)


def test_on_batch_methods(blobs: Any) -> None:
    x, y = blobs
    model = classifier()
    before = model.test_on_batch(x, y)
    assert before == pytest.approx(model.evaluate(x, y, batch_size=len(x), verbose=0))
    train_logs = model.train_on_batch(x, y, return_dict=True)
    assert set(train_logs) == {"loss", "accuracy"}
    assert train_logs["loss"] == pytest.approx(before[0], rel=1e-6)  # loss before the update
    assert model.test_on_batch(x, y)[0] < before[0]


def test_set_random_seed_makes_fit_deterministic(blobs: Any) -> None:
    x, y = blobs
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(123)
        model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                  keras.layers.Dropout(0.3),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.2)
        runs.append((history.history, model.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(u, v) for u, v in zip(runs[0][1], runs[1][1]))


def test_model_builds_lazily_on_first_fit(blobs: Any) -> None:
    x, y = blobs
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    assert not model.built
    model.fit(x, y, epochs=1, verbose=0)
    assert model.built and model.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def test_regression_with_mse_and_one_output() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 1e-3 and "mae" in history.history
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], [1.0, -2.0, 0.5], atol=0.02)


def test_binary_classification_with_sigmoid(blobs: Any) -> None:
    x, y = blobs
    target = (y == 0).astype(np.float32)
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy",
                  metrics=["accuracy", "auc"])
    history = model.fit(x, target, epochs=20, verbose=0)
    assert history.history["accuracy"][-1] > 0.95 and history.history["auc"][-1] > 0.95


def test_real_mnist_subset_trains(mnist_root: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("EMBER_DATA", str(mnist_root))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train[:3000].reshape(-1, 784).astype("float32") / 255
    x_test = x_test[:1000].reshape(-1, 784).astype("float32") / 255
    model = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(784,)),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, keras.utils.to_categorical(y_train[:3000]), epochs=3, batch_size=64,
              verbose=0)
    _, accuracy = model.evaluate(x_test, keras.utils.to_categorical(y_test[:1000], 10),
                                 verbose=0)
    assert accuracy > 0.85


def test_kernel_regularizer_adds_its_penalty_to_the_loss(blobs: Any) -> None:
    x, y = blobs
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,),
                                                 kernel_regularizer=keras.regularizers.L2(0.1))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    kernel, bias = model.get_weights()
    logits = x @ kernel + bias
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -log_probs[np.arange(len(y)), y].mean() + 0.1 * (kernel**2).sum()
    assert model.test_on_batch(x, y) == pytest.approx(expected, rel=1e-5)
    plain = classifier(metrics=())
    assert not plain.losses
