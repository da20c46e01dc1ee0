"""Traffic signs (GTSRB) with a small ``keras.Sequential`` network.

    EMBER_DATA=/path/to/data python examples/keras_gtsrb.py [--epochs 5] [--size 32]

Flatten -> Dense(128, relu) -> Dense(43) logits, trained with Adam on
``SparseCategoricalCrossentropy(from_logits=True)``. The validation set holds whole tracks
(GTSRB photographs each sign ~30 times along one track), so near-duplicates of a training image
never appear in validation and the accuracy is honest.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ember import keras
from ember.datasets import GTSRB_CLASSES, load_gtsrb, split_by_track


def main(epochs: int = 5, size: int = 32, batch_size: int = 64, seed: int = 0,
         verbose: int = 2, limit: int | None = None) -> float:
    """Train and return the validation accuracy on held-out tracks."""
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    images, labels, tracks = load_gtsrb(split="train", size=size)
    if limit is not None:  # a quick run on a random subset of tracks' images
        keep = np.sort(np.random.default_rng(seed).permutation(len(images))[:limit])
        images, labels, tracks = images[keep], labels[keep], tracks[keep]
    train, val = split_by_track(tracks, val_fraction=0.2, seed=seed, labels=labels)
    print(f"loaded {len(images)} images of {size}x{size} in {time.perf_counter() - start:.1f} s:"
          f" {len(train)} for training, {len(val)} for validation (whole tracks held out)")
    x = images.astype("float32") / 255

    model = keras.Sequential([
        keras.Input(shape=(size, size, 3)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(len(GTSRB_CLASSES)),
    ], name="gtsrb_mlp")
    model.summary()
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x[train], labels[train], epochs=epochs, batch_size=batch_size,
                        validation_data=(x[val], labels[val]), verbose=verbose)
    seconds = time.perf_counter() - start
    accuracy = history.history["val_accuracy"][-1] if epochs else \
        model.evaluate(x[val], labels[val], verbose=0)[1]
    print(f"validation accuracy on held-out tracks: {accuracy:.4f} "
          f"({seconds:.1f} s of training, {seconds / max(epochs, 1):.1f} s per epoch)")
    return float(accuracy)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="use only this many images")
    args = parser.parse_args()
    main(args.epochs, args.size, args.batch_size, args.seed, limit=args.limit)
