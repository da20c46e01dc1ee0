"""The Keras book's first network on MNIST, with ``ember.keras``.

    EMBER_DATA=/path/to/data python examples/keras_mnist_mlp.py [--epochs 5]

Dense(512, relu) -> Dense(10, softmax), RMSprop, categorical cross-entropy, batch 128, pixels
scaled to [0, 1] and one-hot labels. Prints the test accuracy and the time per epoch.
"""

from __future__ import annotations

import argparse
import time

from ember import keras


def main(epochs: int = 5, batch_size: int = 128, seed: int = 0, verbose: int = 2) -> float:
    """Train and evaluate; returns the test accuracy."""
    keras.utils.set_random_seed(seed)
    (train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()
    train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    train_labels = keras.utils.to_categorical(train_labels)
    test_labels = keras.utils.to_categorical(test_labels)

    network = keras.Sequential([
        keras.layers.Dense(512, activation="relu", input_shape=(28 * 28,)),
        keras.layers.Dense(10, activation="softmax"),
    ])
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    network.summary()

    start = time.perf_counter()
    network.fit(train_images, train_labels, epochs=epochs, batch_size=batch_size,
                verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = network.evaluate(test_images, test_labels, verbose=0)
    print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
    if epochs:
        print(f"training time {seconds:.1f} s, {seconds / epochs:.2f} s per epoch")
    return float(test_accuracy)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.batch_size, args.seed)
