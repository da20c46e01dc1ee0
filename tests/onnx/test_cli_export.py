"""``ember export MODEL --format onnx --out FILE`` on every recipe's model file: onnxruntime gives
what ember gives to 1e-5, for batches of 1 and 7."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ember
from ember.cli.commands.export import network_input_shape
from ember.cli.data import Split
from ember.cli.main import main
from ember.cli.modelfile import load_model_file, save_model_file
from ember.cli.recipes import get_recipe, recipe_names
from ember.cli.training import predict_proba

# Raw data of each data set's kind, enough for a recipe to fit its preprocessing record.
RAW = {"iris": lambda rng, arch: rng.normal(size=(20, 4)),
       "digits": lambda rng, arch: rng.integers(0, 17, size=(20, 8, 8)).astype(np.float64),
       "mnist": lambda rng, arch: rng.integers(0, 256, size=(20, 28, 28)).astype(np.uint8),
       "gtsrb": lambda rng, arch: rng.integers(0, 256, size=(20, 32, 32, 3)).astype(np.uint8),
       "image-folder": lambda rng, arch: rng.integers(
           0, 256, size=(20, arch["size"], arch["size"], 3)).astype(np.uint8)}
MODEL_RECIPES = [name for name in recipe_names()
                 if get_recipe(name).family != "models" and get_recipe(name).dataset in RAW]


def model_file(folder: Path, name: str) -> Path:
    """The recipe's network, untrained, saved as `ember train` saves it."""
    recipe = get_recipe(name)
    rng = np.random.default_rng(0)
    raw = RAW[recipe.dataset](rng, recipe.architecture)
    labels = np.arange(len(raw)) % 3
    split = Split(raw, labels, raw, labels, ["a", "b", "c"])
    ember.manual_seed(0)
    model = recipe.build(recipe.architecture)
    if recipe.family == "keras":
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = folder / ("model.keras" if recipe.family == "keras" else "model.safetensors")
    save_model_file(path, model, {"recipe": name, "family": recipe.family,
                                  "architecture": recipe.architecture,
                                  "preprocessing": recipe.preprocessing(split),
                                  "class_names": ["a", "b", "c"], "output": recipe.output})
    return path


@pytest.mark.parametrize("name", MODEL_RECIPES)
def test_every_recipe_model_exports_and_runs_the_same(name: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    path = model_file(tmp_path, name)
    out = tmp_path / "model.onnx"
    assert main(["export", str(path), "--format", "onnx", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    saved = load_model_file(path)
    shape = network_input_shape(saved.record, saved.model)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, *shape)).astype(np.float32)
        (got,) = session.run(None, {"input": x})
        if saved.family == "keras":
            expected = saved.model.predict(x, verbose=0)
        else:
            with ember.no_grad():
                expected = saved.model(ember.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)
        # and the class scores the CLI reports are the ones the ONNX output implies
        probs = predict_proba(saved.model, saved.family, saved.record["output"], x)
        assert (probs.argmax(axis=1) == got.argmax(axis=1)).all()


def test_the_default_output_path_and_a_bad_model_file(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnx")
    path = model_file(tmp_path, "iris")
    assert main(["export", str(path)]) == 0
    assert (tmp_path / "model.onnx").exists()
    (tmp_path / "junk.keras").write_bytes(b"not a model")
    assert main(["export", str(tmp_path / "junk.keras")]) == 2
    assert "junk.keras" in capsys.readouterr().err


def test_a_trained_model_exports_the_same(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    assert main(["train", "iris", "--out", str(tmp_path / "run"), "--epochs", "5"]) == 0
    model = tmp_path / "run" / "model.keras"
    assert main(["export", str(model), "--out", str(tmp_path / "iris.onnx")]) == 0
    saved = load_model_file(model)
    session = ort.InferenceSession(str(tmp_path / "iris.onnx"),
                                   providers=["CPUExecutionProvider"])
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, 4)).astype(np.float32) * 2
        (got,) = session.run(None, {"input": x})
        np.testing.assert_allclose(got, saved.model.predict(x, verbose=0), atol=1e-5, rtol=0)


def test_a_keras_model_with_another_kind_of_record_exports_at_its_built_shape(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnx")
    recipe = get_recipe("iris")
    arch = {**recipe.architecture, "inputs": 5}
    model = recipe.build(arch)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    save_model_file(tmp_path / "m.keras", model, {
        "recipe": "iris", "family": "keras", "architecture": arch,
        "preprocessing": {"kind": "table"}, "class_names": ["a", "b", "c"], "output": "probs"})
    assert main(["export", str(tmp_path / "m.keras"), "--out", str(tmp_path / "m.onnx")]) == 0
    assert "(batch, 5)" in capsys.readouterr().out
