"""``ember train image-folder`` and ``ember train csv`` on the user's own data, and the rule
that ``--out`` never silently replaces an earlier run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from .conftest import assert_one_line_error

COLORS = {"apple": (200, 30, 30), "leaf": (30, 190, 40), "sky": (40, 60, 210)}


def make_image_folder(root: Path, per_class: int = 12, size: tuple[int, int] = (16, 16),
                      colors: dict[str, tuple[int, int, int]] = COLORS) -> Path:
    """Noisy single-colour PNG/JPEG images, one folder per class."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, color in colors.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = np.clip(rng.normal(0, 30, (size[1], size[0], 3)) + color, 0, 255)
            suffix = ".png" if i % 2 else ".jpg"
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i:03d}{suffix}")
    return root


def test_image_folder_trains_evaluates_and_predicts(tmp_path, ember_cli) -> None:
    images = make_image_folder(tmp_path / "photos")
    (images / "leaf" / "notes.txt").write_text("not an image, not counted")
    (images / "sky" / "broken.png").write_bytes(b"\x89PNG broken")
    out = tmp_path / "run"
    result = ember_cli("train", "image-folder", "--imdir", images, "--epochs", "3", "--out", out)
    assert result.code == 0, result.err
    assert "all images are 16x16; training at 16x16" in result.out
    assert "skipped 1 of 37 unreadable images" in result.out and "broken.png" in result.out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["validation"]["samples"] == 6  # a stratified 20% of 12 per class: 2
    assert metrics["accuracy"] >= 0.8
    model = out / "model.safetensors"
    predicted = ember_cli("predict", model, images / "sky" / "001.png", "--top", "1")
    assert predicted.code == 0 and predicted.out.startswith(f"{images / 'sky' / '001.png'}: sky")
    again = ember_cli("evaluate", model, "--imdir", images, "--validation")
    assert again.code == 0, again.err
    assert f"accuracy {metrics['accuracy']:.4f} on 6 samples" in again.out
    every = ember_cli("evaluate", model, "--imdir", images)
    assert every.code == 0 and "on 36 samples" in every.out


def test_image_folder_size_val_dir_and_mixed_sizes(tmp_path, ember_cli) -> None:
    train = make_image_folder(tmp_path / "train", per_class=6, size=(20, 12))
    val = make_image_folder(tmp_path / "val", per_class=2, size=(9, 9))
    result = ember_cli("train", "image-folder", "--imdir", train, "--val-dir", val,
                       "--epochs", "1", "--out", tmp_path / "a")
    assert result.code == 0, result.err
    assert "all images are 20x12: resized (--size to choose); training at 32x32" in result.out
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["validation"]["samples"] == 6
    sized = ember_cli("train", "image-folder", "--imdir", train, "--size", "8", "--epochs", "1",
                      "--out", tmp_path / "b")
    assert sized.code == 0, sized.err
    record = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert record["epochs_finished"] == 1
    assert "decoded at 8x8" in sized.out


def test_image_folder_bad_trees_name_the_folder(tmp_path, ember_cli) -> None:
    one = make_image_folder(tmp_path / "one", per_class=2, colors={"only": (1, 2, 3)})
    assert_one_line_error(ember_cli("train", "image-folder", "--imdir", one), str(one),
                          "only one class folder")
    empty = make_image_folder(tmp_path / "empty", per_class=2)
    (empty / "nothing").mkdir()
    assert_one_line_error(ember_cli("train", "image-folder", "--imdir", empty), str(empty),
                          "nothing")
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "a.png").write_bytes(b"")
    assert_one_line_error(ember_cli("train", "image-folder", "--imdir", flat), str(flat),
                          "no class folders")
    assert_one_line_error(ember_cli("train", "image-folder"), "needs --imdir")
    train = make_image_folder(tmp_path / "train", per_class=2)
    other = make_image_folder(tmp_path / "other", per_class=2, colors={"night": (0, 0, 0)})
    assert_one_line_error(ember_cli("train", "image-folder", "--imdir", train, "--val-dir",
                                    other), "night", "not among the 3 classes")


def write_iris_csv(path: Path) -> Path:
    from sklearn.datasets import load_iris

    iris = load_iris()
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*iris.feature_names, "species"])
        for row, target in zip(iris.data, iris.target):
            writer.writerow([*row, iris.target_names[target]])
    return path


def test_csv_on_iris_reaches_93_percent(tmp_path, ember_cli) -> None:
    table = write_iris_csv(tmp_path / "iris.csv")
    out = tmp_path / "run"
    result = ember_cli("train", "csv", "--file", table, "--target", "species", "--out", out)
    assert result.code == 0, result.err
    assert "target 'species' with 3 classes; 4 numeric and 0 categorical" in result.out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["validation"]["samples"] == 30 and metrics["accuracy"] >= 0.93
    model = out / "model.keras"
    predicted = ember_cli("predict", model, "--values", "6.6,3.0,4.4,1.4", "--top", "1")
    assert predicted.code == 0 and "versicolor (1)" in predicted.out
    again = ember_cli("evaluate", model, "--file", table, "--validation")
    assert again.code == 0 and f"accuracy {metrics['accuracy']:.4f} on 30" in again.out


def test_csv_one_hot_encodes_text_columns(tmp_path, ember_cli) -> None:
    rng = np.random.default_rng(0)
    table = tmp_path / "pets.csv"
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["colour", "weight", "kind"])
        for _ in range(80):
            colour = str(rng.choice(["red", "blue", "green"]))
            weight = rng.normal(10, 1)
            writer.writerow([colour, f"{weight:.2f}", "cat" if colour == "red" else "dog"])
    out = tmp_path / "run"
    result = ember_cli("train", "csv", "--file", table, "--target", "kind", "--epochs", "30",
                       "--out", out)
    assert result.code == 0, result.err
    assert "1 numeric and 1 categorical" in result.out
    assert json.loads((out / "metrics.json").read_text())["accuracy"] == 1.0
    predicted = ember_cli("predict", out / "model.keras", "--values", "red,9.5", "--top", "1")
    assert predicted.code == 0 and "cat (0)" in predicted.out, predicted.err


def test_csv_errors_name_the_file_and_column(tmp_path, ember_cli) -> None:
    table = write_iris_csv(tmp_path / "iris.csv")
    assert_one_line_error(ember_cli("train", "csv", "--file", table, "--target", "colour"),
                          str(table), "no column 'colour'", "species")
    assert_one_line_error(ember_cli("train", "csv", "--file", tmp_path / "none.csv",
                                    "--target", "x"), "none.csv", "no such file")
    assert_one_line_error(ember_cli("train", "csv", "--file", table), "--target COLUMN")
    single = tmp_path / "single.csv"
    single.write_text("a,b\n1,x\n2,x\n")
    assert_one_line_error(ember_cli("train", "csv", "--file", single, "--target", "b"),
                          "single.csv", "single value")


@pytest.mark.parametrize("extra", [[], ["--overwrite"]])
def test_out_holding_a_run_is_kept_unless_overwrite(tmp_path, ember_cli, extra) -> None:
    out = tmp_path / "run"
    assert ember_cli("train", "iris", "--epochs", "1", "--out", out).code == 0
    before = (out / "metrics.json").read_text()
    again = ember_cli("train", "iris", "--epochs", "2", "--out", out, *extra)
    if not extra:
        assert_one_line_error(again, str(out), "holds an earlier run", "--overwrite", "--resume")
        assert (out / "metrics.json").read_text() == before
    else:
        assert again.code == 0, again.err
        assert json.loads((out / "metrics.json").read_text())["epochs_finished"] == 2


def test_csv_with_a_measured_target_trains_a_regressor(tmp_path, ember_cli) -> None:
    rng = np.random.default_rng(0)
    table = tmp_path / "houses.csv"
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rooms", "area", "town", "price"])
        for _ in range(300):
            rooms, area = rng.integers(1, 6), rng.uniform(20, 200)
            town = str(rng.choice(["north", "south"]))
            price = 10 * rooms + 2.5 * area + (40 if town == "north" else 0) + rng.normal(0, 5)
            writer.writerow([rooms, f"{area:.1f}", town, f"{price:.2f}"])
    out = tmp_path / "run"
    result = ember_cli("train", "csv", "--file", table, "--target", "price", "--epochs", "60",
                       "--out", out)
    assert result.code == 0, result.err
    assert "target 'price' regressed" in result.out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["mlp"]["r2"] > 0.95 and metrics["mean_baseline"]["r2"] < 0.01
    assert (out / "fit.png").is_file() and (out / "loss.png").is_file()


def test_image_folder_resume_ends_as_the_uninterrupted_run(tmp_path, ember_cli) -> None:
    images = make_image_folder(tmp_path / "photos", per_class=6)
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert ember_cli("train", "image-folder", "--imdir", images, "--epochs", "2",
                     "--out", straight).code == 0
    assert ember_cli("train", "image-folder", "--imdir", images, "--epochs", "1",
                     "--out", split).code == 0
    resumed = ember_cli("train", "image-folder", "--imdir", images, "--epochs", "2",
                        "--out", split, "--resume")
    assert resumed.code == 0, resumed.err
    history = [json.loads((folder / "metrics.json").read_text())["history"]
               for folder in (straight, split)]
    assert [row["loss"] for row in history[0]] == [row["loss"] for row in history[1]]
