"""Bad input gives one line naming the file and the problem (exit 2) or a warning and a skip."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
from tests.cli.conftest import assert_one_line_error, make_gtsrb, make_mnist, write_idx


def test_missing_data_folder(tmp_path, ember_cli) -> None:
    missing = tmp_path / "nowhere"
    assert_one_line_error(ember_cli("train", "mnist-mlp", "--data-dir", missing),
                          str(missing), "no such folder")
    assert_one_line_error(ember_cli("train", "gtsrb-ffnn", "--imdir", missing),
                          str(missing), "no such folder")


def test_empty_data_folder(tmp_path, ember_cli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(ember_cli("train", "mnist-cnn", "--data-dir", empty),
                          str(empty), "empty")
    assert_one_line_error(ember_cli("train", "gtsrb-cnn", "--imdir", empty), str(empty), "empty")


def test_mnist_folder_without_idx_files(tmp_path, ember_cli) -> None:
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "readme.txt").write_text("nothing here")
    result = ember_cli("train", "mnist-mlp", "--data-dir", tmp_path)
    assert_one_line_error(result, str(folder), "train-images-idx3-ubyte")


def test_gtsrb_folder_without_class_folders(tmp_path, ember_cli) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert_one_line_error(ember_cli("train", "gtsrb-logreg", "--imdir", tmp_path),
                          str(tmp_path))


def test_tiny_mnist_trains_and_reports_test_accuracy(tmp_path, ember_cli) -> None:
    make_mnist(tmp_path)
    result = ember_cli("train", "mnist-mlp", "--data-dir", tmp_path, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert result.code == 0, result.err
    assert "test accuracy:" in result.out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["samples"] == 20 and metrics["validation"]["samples"] == 6
    evaluate = ember_cli("evaluate", tmp_path / "run" / "model.keras", "--data-dir", tmp_path)
    assert evaluate.code == 0 and "MNIST test set: accuracy" in evaluate.out
    validation = ember_cli("evaluate", tmp_path / "run" / "model.keras", "--data-dir", tmp_path,
                           "--validation", "--out", tmp_path / "eval")
    assert validation.code == 0 and "MNIST validation split: accuracy" in validation.out
    evaluated = json.loads((tmp_path / "eval" / "metrics.json").read_text())["accuracy"]
    assert evaluated == metrics["accuracy"]


def test_idx_wrong_magic(tmp_path, ember_cli) -> None:
    root = make_mnist(tmp_path)
    bad = root / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x12\x34\x56\x78" + bad.read_bytes()[4:])
    assert_one_line_error(ember_cli("train", "mnist-torch", "--data-dir", tmp_path),
                          str(bad), "wrong magic number")


def test_idx_truncated_body(tmp_path, ember_cli) -> None:
    root = make_mnist(tmp_path)
    bad = root / "t10k-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-100])
    assert_one_line_error(ember_cli("train", "mnist-mlp", "--data-dir", tmp_path),
                          str(bad), "truncated body")


def test_idx_truncated_gzip(tmp_path, ember_cli) -> None:
    root = make_mnist(tmp_path)
    plain = root / "train-labels-idx1-ubyte"
    write_idx(root / "train-labels-idx1-ubyte.gz", np.arange(60) % 10, gz=True)
    plain.unlink()
    gz = root / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:20])
    assert_one_line_error(ember_cli("train", "mnist-mlp", "--data-dir", tmp_path),
                          str(gz), "truncated")


def test_mnist_labels_out_of_range(tmp_path, ember_cli) -> None:
    root = make_mnist(tmp_path)
    labels = np.arange(60) % 10
    labels[7] = 12
    write_idx(root / "train-labels-idx1-ubyte", labels)
    assert_one_line_error(ember_cli("train", "mnist-mlp", "--data-dir", tmp_path),
                          "train-labels-idx1-ubyte", "label 12 at index 7 is out of range")


def test_gtsrb_labels_out_of_range(tmp_path, ember_cli) -> None:
    images = make_gtsrb(tmp_path)
    csv_path = images / "00001" / "GT-00001.csv"
    rows = list(csv.reader(open(csv_path), delimiter=";"))
    for row in rows[1:]:
        row[-1] = "57"
    with open(csv_path, "w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    assert_one_line_error(ember_cli("train", "gtsrb-logreg", "--imdir", images),
                          "class id 57 is out of range")


def test_csv_naming_a_missing_image_warns_and_continues(tmp_path, ember_cli) -> None:
    images = make_gtsrb(tmp_path)
    (images / "00000" / "00001_00002.ppm").unlink()
    result = ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert result.code == 0, result.err
    warning = [line for line in result.out.splitlines() if " WARNING " in line]
    assert len(warning) == 1, result.out
    assert "skipped 1 of 12 images" in warning[0] and "1 missing" in warning[0]
    assert "00000/00001_00002.ppm" in warning[0]
    assert "GTSRB train images: 11 samples" in result.out


def test_corrupt_and_non_image_files_are_counted_and_skipped(tmp_path, ember_cli) -> None:
    images = make_gtsrb(tmp_path)
    truncated = images / "00000" / "00000_00001.ppm"
    truncated.write_bytes(truncated.read_bytes()[:40])
    (images / "00001" / "00001_00000.ppm").write_text("this is not an image")
    result = ember_cli("train", "gtsrb-ffnn", "--imdir", images, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert result.code == 0, result.err
    warning = [line for line in result.out.splitlines() if " WARNING " in line]
    assert len(warning) == 1 and "skipped 2 of 12 images" in warning[0], result.out
    assert "2 unreadable or not images" in warning[0]


def test_evaluate_accepts_the_final_test_layout(tmp_path, ember_cli) -> None:
    images = make_gtsrb(tmp_path)
    assert ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "1",
                     "--out", tmp_path / "run").code == 0
    test_dir = tmp_path / "GTSRB" / "Final_Test" / "Images"
    test_dir.mkdir(parents=True)
    rows = [["Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId"]]
    for label in (0, 1):
        source = images / f"{label:05d}" / "00000_00000.ppm"
        shutil.copy(source, test_dir / f"0000{label}.ppm")
        rows.append([f"0000{label}.ppm", 40, 40, 2, 2, 38, 38, label])
    with open(test_dir / "GT-final_test.csv", "w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    model = tmp_path / "run" / "model.safetensors"
    for folder in (test_dir, tmp_path / "GTSRB"):
        result = ember_cli("evaluate", model, "--imdir", folder)
        assert result.code == 0, result.err
        assert "on 2 samples" in result.out
    shutil.move(images.parent, tmp_path / "GTSRB" / "Final_Training")  # both layouts in one
    both = ember_cli("evaluate", model, "--data-dir", tmp_path / "GTSRB")
    assert both.code == 0 and "on 2 samples" in both.out  # evaluation prefers the test images
    validation = ember_cli("evaluate", model, "--data-dir", tmp_path / "GTSRB", "--validation")
    assert validation.code == 0 and "GTSRB validation tracks" in validation.out
    assert_one_line_error(ember_cli("train", "gtsrb-logreg", "--imdir", test_dir),
                          str(test_dir), "Final_Test images only")


def test_imdir_is_for_gtsrb_only(tmp_path, ember_cli) -> None:
    assert_one_line_error(ember_cli("train", "mnist-mlp", "--imdir", tmp_path), "--imdir")


def test_stray_file_in_a_folder_without_csv_is_counted_and_skipped(tmp_path, ember_cli) -> None:
    images = make_gtsrb(tmp_path)
    for csv_file in images.glob("*/GT-*.csv"):
        csv_file.unlink()
    (images / "00001" / "notes.txt").write_text("not an image")
    result = ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert result.code == 0, result.err
    warning = [line for line in result.out.splitlines() if " WARNING " in line]
    assert len(warning) == 1 and "skipped 1 of 13 images" in warning[0], result.out
    assert "notes.txt" in warning[0]
