"""The Keras book's MNIST program (Dense 512 relu, Dense 10 softmax, RMSprop, categorical
cross-entropy, batch 128) with ``model.fit``: seconds per epoch on ember.keras and, in the same
process, on TensorFlow's Keras (CPU) when ``tensorflow`` is importable.

    EMBER_DATA=../shared/data python bench/bench_keras_mnist.py [--epochs 5] [--skip-tf]

The two frameworks take turns, one epoch each, so that a machine that speeds up or slows down
during the run (shared CPUs do) affects both alike. TensorFlow's first epoch includes tracing the
graph, so the ratio compares the epochs after the first: the median of the per-turn ratios, and
the ratio of each side's fastest epoch. A third turn trains the same network written by hand in
plain NumPy (``_mlp_models.NumpyMLP``): the floor under any NumPy framework on this machine.
TensorFlow is an oracle here, never a dependency of ember.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np

from _common import cpu_model, mnist_flat
from _mlp_models import NumpyMLP, initial_weights

EPOCHS, BATCH = 5, 128


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[labels]


class Trainer:
    """The book's network on one framework, trained an epoch at a time and timed per epoch."""

    def __init__(self, keras: Any, data: tuple[np.ndarray, ...]) -> None:
        self.data, self.seconds = data, []
        keras.utils.set_random_seed(0)
        self.model = keras.Sequential([keras.Input(shape=(784,)),
                                       keras.layers.Dense(512, activation="relu"),
                                       keras.layers.Dense(10, activation="softmax")])
        self.model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                           metrics=["accuracy"])

    def epoch(self) -> None:
        x_train, y_train = self.data[:2]
        start = time.perf_counter()
        self.model.fit(x_train, y_train, epochs=1, batch_size=BATCH, verbose=0)
        self.seconds.append(time.perf_counter() - start)

    def accuracy(self) -> float:
        x_test, y_test = self.data[2:]
        return float(self.model.evaluate(x_test, y_test, verbose=0)[1])


class NumpyTrainer:
    """The same network, loss and RMSprop by hand in NumPy, shuffled each epoch like ``fit``."""

    def __init__(self, data: tuple[np.ndarray, ...]) -> None:
        self.data, self.seconds = data, []
        self.labels = data[1].argmax(axis=1)
        self.net = NumpyMLP(initial_weights(0))
        self.rng = np.random.default_rng(0)

    def epoch(self) -> None:
        x_train = self.data[0]
        start = time.perf_counter()
        order = self.rng.permutation(len(x_train))
        for first in range(0, len(order), BATCH):
            index = np.sort(order[first:first + BATCH])
            self.net.step(x_train[index], self.labels[index])
        self.seconds.append(time.perf_counter() - start)

    def accuracy(self) -> float:
        return self.net.accuracy(self.data[2], self.data[3].argmax(axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs per framework (>= 2)")
    parser.add_argument("--skip-tf", action="store_true", help="time ember only")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    x_train, y_train, x_test, y_test = mnist_flat()
    data = (x_train, one_hot(y_train), x_test, one_hot(y_test))
    steps = -(-len(x_train) // BATCH)

    from ember import keras as ember_keras

    trainers: dict[str, Any] = {"ember": Trainer(ember_keras, data),
                                "plain-numpy": NumpyTrainer(data)}
    if not args.skip_tf:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
        try:
            import tensorflow as tf  # noqa: F401  (the backend Keras 3 runs on)
            from tensorflow import keras as tf_keras

            trainers["tensorflow"] = Trainer(tf_keras, data)
        except ImportError:
            print("tensorflow is not importable: skipping the TensorFlow side "
                  "(pip install tensorflow-cpu to compare)")
    for _ in range(max(2, args.epochs)):
        for trainer in trainers.values():
            trainer.epoch()
    for name, trainer in trainers.items():
        timed = trainer.seconds[1:]
        print(f"{name:11s} {min(timed):6.2f} s/epoch fastest, {statistics.median(timed):6.2f} "
              f"median ({1000 * min(timed) / steps:5.2f} ms/step)   test accuracy after "
              f"{len(trainer.seconds)} epochs {trainer.accuracy():.4f}")
    if "tensorflow" in trainers:
        ours, theirs = trainers["ember"].seconds[1:], trainers["tensorflow"].seconds[1:]
        turns = [a / b for a, b in zip(ours, theirs)]
        print(f"ratio ember/tensorflow: {statistics.median(turns):.2f}x median of turns "
              f"({', '.join(f'{r:.2f}' for r in turns)}), {min(ours) / min(theirs):.2f}x "
              f"fastest epochs (target <= 0.6x)")
        floor = trainers["plain-numpy"].seconds[1:]
        floor_turns = statistics.median(a / b for a, b in zip(floor, theirs))
        print(f"ratio plain-numpy/tensorflow: {floor_turns:.2f}x median of turns, "
              f"{min(floor) / min(theirs):.2f}x fastest epochs")


if __name__ == "__main__":
    main()
