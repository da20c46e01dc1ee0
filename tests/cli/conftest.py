"""Shared helpers for the ``ember`` command's tests: running it in-process, fake data sets."""

from __future__ import annotations

import csv
import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from ember.cli.main import main


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def ember_cli(capsys: pytest.CaptureFixture[str]):
    """Run ``ember ARGS...`` in this process; returns its exit code, stdout and stderr."""

    def run(*args: str) -> Result:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """Exit code 2, one line on stderr naming every fragment, no traceback."""
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("ember: error: "), lines[0]
    assert "Traceback" not in result.err + result.out
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="session")
def iris_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An iris model trained once by ``ember train iris`` (default settings)."""
    out = tmp_path_factory.mktemp("iris-run")
    assert main(["train", "iris", "--out", str(out)]) == 0
    return out / "model.keras"


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> None:
    """Write an IDX file (uint8) the way MNIST's files are laid out."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    blob = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(blob) if gz else blob)


def make_mnist(folder: Path, n_train: int = 60, n_test: int = 20, seed: int = 0) -> Path:
    """A tiny, well-formed MNIST folder (uncompressed IDX files) under ``folder/mnist``."""
    rng = np.random.default_rng(seed)
    root = folder / "mnist"
    root.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(root / f"{prefix}-images-idx3-ubyte",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(root / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    return root


def make_gtsrb(folder: Path, classes: int = 2, tracks: int = 2, per_track: int = 3,
               size: int = 40) -> Path:
    """A tiny GTSRB ``Final_Training/Images`` tree: class folders with .ppm files and CSVs."""
    from PIL import Image

    rng = np.random.default_rng(0)
    images = folder / "gtsrb" / "Final_Training" / "Images"
    for label in range(classes):
        class_dir = images / f"{label:05d}"
        class_dir.mkdir(parents=True)
        rows = []
        for track in range(tracks):
            for index in range(per_track):
                name = f"{track:05d}_{index:05d}.ppm"
                pixels = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
                pixels[..., label % 3] += 150  # a class is told apart by its colour
                Image.fromarray(pixels).save(class_dir / name)
                rows.append([name, size, size, 2, 2, size - 2, size - 2, label])
        with open(class_dir / f"GT-{label:05d}.csv", "w", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2",
                             "Roi.Y2", "ClassId"])
            writer.writerows(rows)
    return images
