"""The Iris walkthrough with ``ember.keras``: a small classifier from data to saved model.

    python examples/keras_iris.py [--epochs 60] [--out-dir iris_output]

Loads Fisher's iris, holds out 10% for testing, standardises the features with statistics of the
training part only, trains a 4-128-128-3 network with a validation split, plots the history,
evaluates on the held-out flowers, saves and reloads the model and classifies one new flower.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ember import keras
from ember.datasets import Standardizer, load_iris

NEW_FLOWER = [6.6, 3.0, 4.4, 1.4]  # sepal length, sepal width, petal length, petal width (cm)
TARGET_ACCURACY = 0.93


def build_model() -> keras.Sequential:
    return keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(128, activation="relu", name="hidden_1"),
        keras.layers.Dense(128, activation="relu", name="hidden_2"),
        keras.layers.Dense(3, activation="softmax", name="species"),
    ], name="iris_classifier")


def main(epochs: int = 60, seed: int = 42, out_dir: str | Path = "iris_output",
         verbose: int = 0) -> dict[str, object]:
    """Run the walkthrough; returns the held-out accuracy and the new flower's class name."""
    keras.utils.set_random_seed(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    x, y, class_names = load_iris()
    # Hold out 10% of each species (5 flowers each), so the test set is balanced.
    rng = np.random.default_rng(seed)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:len(x) // 30]
                           for c in range(3)])
    train = rng.permutation(np.setdiff1d(np.arange(len(x)), test))
    n_test = len(test)
    scaler = Standardizer().fit(x[train])
    x_train, x_test = scaler.transform(x[train]), scaler.transform(x[test])
    y_train = keras.utils.to_categorical(y[train], num_classes=3)
    y_test = keras.utils.to_categorical(y[test], num_classes=3)

    model = build_model()
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=16, validation_split=0.2,
                        verbose=verbose)
    last = {k: round(v[-1], 4) for k, v in history.history.items()}
    print(f"after {epochs} epochs: {last}")
    plot = keras.utils.plot_history(history, out / "iris_history.png", title="Iris")
    print(f"training curves written to {plot}")

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"held-out accuracy: {test_accuracy:.4f} on {n_test} flowers (loss {test_loss:.4f}); "
          f"target >= {TARGET_ACCURACY}: {'met' if test_accuracy >= TARGET_ACCURACY else 'MISSED'}")

    path = out / "iris.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    same = np.array_equal(restored.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"saved to {path} and reloaded; identical predictions: {same}")

    probabilities = restored.predict(scaler.transform(np.array([NEW_FLOWER], np.float32)),
                                     verbose=0)[0]
    species = class_names[int(probabilities.argmax())]
    print(f"prediction for {NEW_FLOWER}: {species} "
          f"(p = {', '.join(f'{p:.3f}' for p in probabilities)})")
    return {"accuracy": float(test_accuracy), "species": species, "identical": same}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out-dir", default="iris_output")
    parser.add_argument("--verbose", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.seed, args.out_dir, args.verbose)
