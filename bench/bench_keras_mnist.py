"""The Keras book's MNIST program (Dense 512 relu, Dense 10 softmax, RMSprop, categorical
cross-entropy, batch 128) with ``model.fit``: seconds per epoch on ember.keras and, in the same
process, on TensorFlow's Keras (CPU) when ``tensorflow`` is importable.

    EMBER_DATA=../shared/data python bench/bench_keras_mnist.py [--epochs 3] [--skip-tf]

Each side trains ``--epochs`` epochs from its own initial weights; the best epoch time is reported
(TensorFlow's first epoch includes tracing the graph). TensorFlow is an oracle here, never a
dependency of ember.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

from _common import mnist_flat

EPOCHS, BATCH = 3, 128


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[labels]


def epoch_timer(base: type) -> Any:
    """A callback class (subclassing the framework's ``base``) that records each epoch's time."""

    class EpochTimer(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.seconds.append(time.perf_counter() - self.start)

    return EpochTimer()


def run(keras: Any, data: tuple[np.ndarray, ...], epochs: int) -> tuple[float, float]:
    """Train the book's network with ``keras``; returns (best seconds per epoch, test accuracy)."""
    x_train, y_train, x_test, y_test = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)),
                              keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    timer = epoch_timer(keras.callbacks.Callback)
    model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH, verbose=0, callbacks=[timer])
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return min(timer.seconds), float(accuracy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs per framework")
    parser.add_argument("--skip-tf", action="store_true", help="time ember only")
    args = parser.parse_args()
    x_train, y_train, x_test, y_test = mnist_flat()
    data = (x_train, one_hot(y_train), x_test, one_hot(y_test))
    steps = -(-len(x_train) // BATCH)

    from ember import keras as ember_keras

    results = {"ember": run(ember_keras, data, args.epochs)}
    tf_keras = None
    if not args.skip_tf:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
        try:
            import tensorflow as tf  # noqa: F401  (the backend Keras 3 runs on)
            from tensorflow import keras as tf_keras
        except ImportError:
            print("tensorflow is not importable: skipping the TensorFlow side "
                  "(pip install tensorflow-cpu to compare)")
    if tf_keras is not None:
        results["tensorflow"] = run(tf_keras, data, args.epochs)
    for name, (seconds, accuracy) in results.items():
        print(f"{name:10s} {seconds:6.2f} s/epoch ({1000 * seconds / steps:5.2f} ms/step)   "
              f"test accuracy after {args.epochs} epochs {accuracy:.4f}")
    if "tensorflow" in results:
        ratio = results["ember"][0] / results["tensorflow"][0]
        print(f"ratio ember/tensorflow: {ratio:.2f}x (target <= 0.6x)")


if __name__ == "__main__":
    main()
