"""keras.Model(inputs, outputs={"name": tensor, ...}): called and predicted as a dict, trained
and evaluated with targets, losses, loss weights and metrics keyed by the dict's names, and
logged as Keras 3 logs them ("alpha_loss", "zeta_accuracy", ...).

Keras 3 is the oracle, run on its PyTorch backend in a subprocess from the same weights and
data; those tests skip when keras (or torch) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.keras import layers

RNG = np.random.default_rng(0)
X = RNG.random((10, 4)).astype(np.float32)
Y = {"zeta": np.eye(3, dtype=np.float32)[RNG.integers(0, 3, 10)],
     "alpha": RNG.random((10, 1)).astype(np.float32)}
SAMPLE_WEIGHT = np.linspace(0.1, 1.0, 10).astype(np.float32)
BOTH = {"zeta": "categorical_crossentropy", "alpha": "mse"}

# Each case: compile()'s arguments, what to run, and which targets to give.
CASES: list[dict[str, Any]] = [
    {"compile": {"loss": BOTH, "metrics": {"zeta": ["accuracy"], "alpha": "mae"},
                 "loss_weights": {"alpha": 2.0, "zeta": 0.5}}, "run": "evaluate"},
    {"compile": {"loss": "mse"}, "run": "evaluate"},
    {"compile": {"loss": ["mse", "categorical_crossentropy"], "loss_weights": [0.3, 1.5],
                 "metrics": ["mae", ["accuracy", "mse"]]}, "run": "evaluate"},
    {"compile": {"loss": {"zeta": "categorical_crossentropy"}}, "run": "evaluate",
     "targets": ["zeta"]},
    {"compile": {"loss": BOTH, "metrics": {"alpha": "mae"},
                 "weighted_metrics": {"alpha": ["mae"], "zeta": "accuracy"}},
     "run": "evaluate", "sample_weight": True},
    {"compile": {"loss": BOTH, "metrics": {"zeta": "accuracy", "alpha": ["mae"]},
                 "loss_weights": {"zeta": 1.0, "alpha": 0.5}}, "run": "fit"},
    {"compile": {"loss": BOTH}, "run": "train_on_batch"},
]


def _model(module: Any) -> Any:
    """input -> Dense(8, relu) -> {"zeta": Dense(3, softmax), "alpha": Dense(1)}, in either
    library (the dict's own order is not the sorted one)."""
    inputs = module.Input((4,), name="x")
    hidden = module.layers.Dense(8, activation="relu", name="hidden")(inputs)
    return module.Model(inputs, {
        "zeta": module.layers.Dense(3, activation="softmax", name="cls")(hidden),
        "alpha": module.layers.Dense(1, name="reg")(hidden)})


def _run(module: Any, model: Any, case: dict[str, Any]) -> Any:
    """What the case returns: evaluate's dict and list, fit's history and predictions, or
    train_on_batch's list."""
    model.compile(module.optimizers.SGD(0.1), **case["compile"])
    y = {key: Y[key] for key in case.get("targets", Y)}
    weight = SAMPLE_WEIGHT if case.get("sample_weight") else None
    if case["run"] == "evaluate":
        return [model.evaluate(X, y, sample_weight=weight, verbose=0, return_dict=True),
                model.evaluate(X, y, sample_weight=weight, verbose=0)]
    if case["run"] == "fit":
        history = model.fit(X, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
        prediction = model.predict(X, verbose=0)
        return [history.history, {k: v.tolist() for k, v in prediction.items()}]
    return model.train_on_batch(X, y)


KERAS_SCRIPT = """
import json, sys
import numpy as np
import keras

folder = sys.argv[1]
namespace = {}
exec(open(f"{folder}/cases.py").read(), namespace)
results = {}
weights = {}
model = namespace["_model"](keras)
for layer in model.layers:
    weights[layer.name] = [w.tolist() for w in layer.get_weights()]
prediction = model.predict(namespace["X"], verbose=0)
results["predict"] = {"keys": list(prediction), **{k: v.tolist() for k, v in prediction.items()}}
results["call_keys"] = list(model(namespace["X"]))
results["cases"] = []
for case in namespace["CASES"]:
    fresh = namespace["_model"](keras)
    for layer in fresh.layers:
        layer.set_weights([np.array(w, dtype="float32") for w in weights[layer.name]])
    results["cases"].append(namespace["_run"](keras, fresh, case))
with open(f"{folder}/keras.json", "w") as handle:
    json.dump({"weights": weights, "results": results}, handle)
"""


@pytest.fixture(scope="module")
def keras_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Keras 3's weights for the model, and its results for every case."""
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("Keras 3 (the oracle) or PyTorch (its backend here) is not installed")
    folder = tmp_path_factory.mktemp("dict_outputs")
    source = Path(__file__).read_text()
    shared = source[source.index("RNG = "):source.index("KERAS_SCRIPT = ")]
    (folder / "cases.py").write_text("import numpy as np\nfrom typing import Any\n" + shared)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(KERAS_SCRIPT), str(folder)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((folder / "keras.json").read_text())


def _ember_model(weights: dict[str, list[Any]]) -> Any:
    model = _model(keras)
    for layer in model.layers:
        if weights.get(layer.name):
            layer.set_weights([np.array(w, dtype=np.float32) for w in weights[layer.name]])
    return model


def _close(ours: Any, theirs: Any, rtol: float = 1e-5) -> None:
    """Same structure (dict keys in order, list lengths), numbers equal to ``rtol``."""
    if isinstance(ours, dict):
        assert list(ours) == list(theirs)
        for key in ours:
            _close(ours[key], theirs[key], rtol)
    elif isinstance(ours, (list, tuple)):
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs):
            _close(mine, other, rtol)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-6)


def test_call_and_predict_return_dicts_as_keras(keras_results: dict[str, Any]) -> None:
    model = _ember_model(keras_results["weights"])
    expected = keras_results["results"]["predict"]
    prediction = model.predict(X, verbose=0)
    assert list(prediction) == expected["keys"] == ["alpha", "zeta"]  # sorted, as Keras
    assert list(model(X)) == keras_results["results"]["call_keys"]
    for key in expected["keys"]:
        np.testing.assert_allclose(prediction[key], expected[key], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_training_and_evaluation_match_keras(index: int, keras_results: dict[str, Any]) -> None:
    model = _ember_model(keras_results["weights"])
    theirs = keras_results["results"]["cases"][index]
    ours = _run(keras, model, CASES[index])
    if CASES[index]["run"] == "fit":
        history, prediction = ours
        assert sorted(history) == sorted(theirs[0])
        _close({k: history[k] for k in sorted(history)},
               {k: theirs[0][k] for k in sorted(theirs[0])}, rtol=1e-4)
        _close(prediction, theirs[1], rtol=1e-4)
    else:
        if isinstance(ours, list) and isinstance(ours[0], dict):  # Keras's dict is not sorted
            assert sorted(ours[0]) == sorted(theirs[0])
            ours[0] = {k: ours[0][k] for k in theirs[0]}
        _close(ours, theirs)


# ------------------------------------------------------------ behaviour without the oracle
def test_the_dict_names_the_outputs() -> None:
    model = _model(keras)
    assert list(model.output) == ["zeta", "alpha"]  # the dict as given
    assert [t.layer.name for t in model.outputs] == ["reg", "cls"]  # sorted keys' order
    model.compile("sgd", loss=BOTH, metrics={"zeta": "accuracy"})
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert sorted(logs) == ["alpha_loss", "loss", "zeta_accuracy", "zeta_loss"]
    np.testing.assert_allclose(logs["loss"], logs["alpha_loss"] + logs["zeta_loss"], rtol=1e-5)


def test_an_output_without_a_loss_needs_no_target() -> None:
    model = _model(keras)
    model.compile("sgd", loss={"zeta": "categorical_crossentropy"})
    history = model.fit(X, {"zeta": Y["zeta"]}, validation_split=0.2, epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    assert model.predict(X, verbose=0)["alpha"].shape == (10, 1)


def test_fit_takes_a_generator_of_dict_targets_and_validation_dicts() -> None:
    model = _model(keras)
    model.compile("adam", loss=BOTH)

    def batches() -> Any:
        while True:
            yield X, Y

    history = model.fit(batches(), steps_per_epoch=2, epochs=2, verbose=0,
                        validation_data=(X, Y))
    assert {"alpha_loss", "zeta_loss", "val_alpha_loss", "val_zeta_loss"} <= set(
        history.history)
    assert len(history.history["loss"]) == 2


def test_saved_and_loaded_models_keep_the_dict(tmp_path: Path) -> None:
    model = _model(keras)
    for save_format in ("ember", "keras3"):
        path = tmp_path / f"{save_format}.keras"
        model.save(path, save_format=save_format)
        loaded = keras.models.load_model(path)
        assert list(loaded.output) == ["zeta", "alpha"]
        prediction, expected = loaded.predict(X, verbose=0), model.predict(X, verbose=0)
        assert list(prediction) == ["alpha", "zeta"]
        for key in expected:
            np.testing.assert_allclose(prediction[key], expected[key], rtol=1e-6)


def test_a_keras3_file_with_a_dict_of_outputs_opens_in_keras(tmp_path: Path) -> None:
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("Keras 3 (the oracle) or PyTorch (its backend here) is not installed")
    pytest.importorskip("h5py")
    model = _model(keras)
    model.save(tmp_path / "m.keras", save_format="keras3")
    np.save(tmp_path / "x.npy", X)
    script = ("import sys, numpy as np, keras\n"
              "m = keras.models.load_model(sys.argv[1] + '/m.keras')\n"
              "p = m.predict(np.load(sys.argv[1] + '/x.npy'), verbose=0)\n"
              "np.savez(sys.argv[1] + '/p.npz', **p)\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-3000:]
    theirs, ours = np.load(tmp_path / "p.npz"), model.predict(X, verbose=0)
    assert sorted(theirs.files) == ["alpha", "zeta"]
    for key in ours:
        np.testing.assert_allclose(theirs[key], ours[key], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("arguments", "error", "match"), [
    ({"loss": {"zeta": "mse", "beta": "mse"}}, KeyError, r"unknown output name\(s\) \['beta'\]"),
    ({"loss": "mse", "metrics": {"beta": "mae"}}, ValueError, "beta"),
    ({"loss": "mse", "metrics": ["mae"]}, ValueError, "one entry per output"),
    ({"loss": "mse", "metrics": "mae"}, ValueError, "one entry per output"),
])
def test_compile_names_what_does_not_fit_the_outputs(arguments: dict[str, Any], error: type,
                                                      match: str) -> None:
    with pytest.raises(error, match=match):
        _model(keras).compile("sgd", **arguments)


def test_targets_that_do_not_fit_the_outputs_are_named() -> None:
    model = _model(keras)
    model.compile("sgd", loss=BOTH)
    with pytest.raises(NotImplementedError, match="sample_weight as a dict"):
        model.fit(X, Y, sample_weight={"zeta": SAMPLE_WEIGHT}, verbose=0)
    with pytest.raises(ValueError, match="no target for output 'alpha'"):
        model.evaluate(X, {"zeta": Y["zeta"]}, verbose=0)
    with pytest.raises(ValueError, match=r"unknown \['beta'\]"):
        model.fit(X, {**Y, "beta": Y["alpha"]}, verbose=0)


def test_outputs_dict_must_be_flat_and_keyed_by_strings() -> None:
    inputs = keras.Input((4,))
    out = layers.Dense(2)(inputs)
    with pytest.raises(NotImplementedError, match="nested"):
        keras.Model(inputs, {"a": [out, out]})
    with pytest.raises(TypeError, match="strings"):
        keras.Model(inputs, {1: out})
    with pytest.raises(ValueError, match="empty"):
        keras.Model(inputs, {})


@pytest.mark.parametrize("as_dict", [True, False])
def test_evaluate_lists_losses_then_metrics_by_name_as_keras(as_dict: bool) -> None:
    """Keras 3's order for several outputs (dict or list): the total, each output's loss in
    the loss's order, then the prefixed metrics sorted by name."""
    inputs = keras.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    heads = [layers.Dense(3, activation="softmax", name="cls")(hidden),
             layers.Dense(1, name="reg")(hidden)]
    outputs = {"zeta": heads[0], "alpha": heads[1]} if as_dict else heads
    model = keras.Model(inputs, outputs)
    names = ["zeta", "alpha"] if as_dict else ["cls", "reg"]
    model.compile("sgd", loss=dict(zip(names, ["categorical_crossentropy", "mse"])),
                  metrics=dict(zip(names, ["accuracy", "mae"])))
    y = dict(zip(names, [Y["zeta"], Y["alpha"]]))
    logs = model.evaluate(X, y, verbose=0, return_dict=True)
    order = ["loss", f"{names[0]}_loss", f"{names[1]}_loss"] + sorted(
        [f"{names[0]}_accuracy", f"{names[1]}_mae"])
    assert model.evaluate(X, y, verbose=0) == [logs[name] for name in order]
