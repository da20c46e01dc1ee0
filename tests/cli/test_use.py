"""``ember evaluate``, ``predict`` and ``summary`` on saved models, and the model-file rules."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from tests.cli.conftest import assert_one_line_error, make_gtsrb

from ember.cli.modelfile import load_model_file
from ember.serialization import ModelFileError, save_safetensors


def test_evaluate_iris(iris_model, tmp_path, ember_cli) -> None:
    result = ember_cli("evaluate", iris_model, "--out", tmp_path)
    assert result.code == 0, result.err
    assert "iris on the iris held-out split: accuracy" in result.out
    assert "versicolor" in result.out and "confusion matrix" in result.out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    trained = json.loads((iris_model.parent / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(trained["accuracy"])
    assert np.asarray(metrics["confusion_matrix"]).sum() == 15
    assert (tmp_path / "confusion.png").stat().st_size > 0


def test_predict_iris_values(iris_model, ember_cli) -> None:
    result = ember_cli("predict", iris_model, "--values", "6.6,3.0,4.4,1.4",
                       "--values", "5.1,3.5,1.4,0.2")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert lines[0].startswith("6.6,3.0,4.4,1.4: versicolor (1)")
    assert lines[1].startswith("5.1,3.5,1.4,0.2: setosa (0)")


@pytest.mark.parametrize("args, fragment", [
    (["--values", "1,2"], "expected 4 numbers, got 2"),
    (["--values", "a,b,c,d"], "comma-separated numbers"),
    ([], "takes feature values"),
])
def test_predict_iris_bad_values(iris_model, ember_cli, args, fragment) -> None:
    assert_one_line_error(ember_cli("predict", iris_model, *args), fragment)


def test_summary_keras_model(iris_model, ember_cli) -> None:
    result = ember_cli("summary", iris_model)
    assert result.code == 0, result.err
    assert "Hidden-Layer-1" in result.out and "17,539" in result.out
    assert "recipe iris" in result.out


def test_loaded_model_is_a_keras_model(iris_model) -> None:
    from ember import keras

    saved = load_model_file(iris_model)
    assert saved.record["class_names"] == ["setosa", "versicolor", "virginica"]
    assert isinstance(keras.load_model(str(iris_model)), keras.Model)  # Keras opens it too


def test_torch_model_predict_images_of_any_size_and_mode(tmp_path, ember_cli) -> None:
    from PIL import Image

    images = make_gtsrb(tmp_path / "data")
    out = tmp_path / "run"
    assert ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "2",
                     "--out", out).code == 0
    model = out / "model.safetensors"
    big = tmp_path / "big.png"
    Image.new("RGBA", (90, 61), (200, 10, 10, 255)).save(big)
    gray = tmp_path / "gray.jpg"
    Image.new("L", (20, 20), 128).save(gray)
    result = ember_cli("predict", model, big, gray, "--top", "2")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{big}: ")
    assert "Speed limit (20km/h) (0)" in result.out
    summary = ember_cli("summary", model)
    assert "Linear(in_features=3072, out_features=43" in summary.out
    assert "Total params: 132,139" in summary.out
    evaluate = ember_cli("evaluate", model, "--imdir", images, "--out", tmp_path / "eval")
    assert evaluate.code == 0, evaluate.err
    assert json.loads((tmp_path / "eval" / "metrics.json").read_text())["samples"] == 12
    validation = ember_cli("evaluate", model, "--imdir", images, "--validation",
                           "--out", tmp_path / "val")
    assert validation.code == 0 and "GTSRB validation tracks" in validation.out
    val_metrics = json.loads((tmp_path / "val" / "metrics.json").read_text())
    trained = json.loads((out / "metrics.json").read_text())
    assert val_metrics["samples"] == 6 and val_metrics["accuracy"] == trained["accuracy"]
    bad = ember_cli("predict", model, tmp_path / "nothere.png")
    assert_one_line_error(bad, "nothere.png", "no such file")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    assert_one_line_error(ember_cli("predict", model, text), "notes.png", "not a readable image")


def _not_model_files(tmp_path, iris_model):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00garbage" * 10)
    short = tmp_path / "short.keras"
    short.write_bytes(b"abc")
    bare = tmp_path / "bare.safetensors"
    save_safetensors({"w": np.zeros(3, np.float32)}, bare)
    zip_no_record = tmp_path / "plain.keras"
    with zipfile.ZipFile(iris_model) as source, zipfile.ZipFile(zip_no_record, "w") as target:
        for name in source.namelist():
            if name != "ember-cli.json":
                target.writestr(name, source.read(name))
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(iris_model.read_bytes()[:300])
    return [(junk, "not an ember model file"), (short, "not an ember model file"),
            (bare, "without an ember model record"), (zip_no_record, "without an ember-cli"),
            (truncated, "not an ember model file"), (tmp_path / "missing.keras", "no such file"),
            (tmp_path, "is a folder")]


@pytest.mark.parametrize("command", ["summary", "predict", "evaluate"])
def test_not_a_model_file_is_a_one_line_error(command, tmp_path, iris_model, ember_cli) -> None:
    for path, problem in _not_model_files(tmp_path, iris_model):
        with pytest.raises(ModelFileError, match=problem):
            load_model_file(path)
        assert_one_line_error(ember_cli(command, path), str(path), problem)
