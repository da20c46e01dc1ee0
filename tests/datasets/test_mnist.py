"""MNIST on the real files, and the IDX reader's refusals of malformed files."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from ember.datasets import DatasetError, load_fashion_mnist, load_mnist, read_idx
from ember.datasets.mnist import read_idx_pair


def write_idx(path: Path, array: np.ndarray, magic: bytes | None = None, compress=False) -> Path:
    header = magic if magic is not None else bytes([0, 0, 0x08, array.ndim])
    data = header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def assert_one_line(error: pytest.ExceptionInfo, *fragments: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_mnist_real_files(shared_data):
    (x_train, y_train), (x_test, y_test) = load_mnist(shared_data / "mnist")
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert x_train.min() == 0 and x_train.max() == 255
    assert np.bincount(y_train).min() > 5000  # every digit well represented
    assert x_train.flags.writeable


def test_mnist_found_through_ember_data(shared_data, monkeypatch):
    monkeypatch.setenv("EMBER_DATA", str(shared_data))
    (_, y_train), _ = load_mnist(download=False)
    assert len(y_train) == 60000


def test_idx_roundtrip_plain_and_gzipped(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a", array)), array)
    gz = write_idx(tmp_path / "a.gz", array, compress=True)
    np.testing.assert_array_equal(read_idx(gz, ndim=3), array)


def test_idx_wrong_magic(tmp_path):
    array = np.zeros((2, 2, 2), np.uint8)
    path = write_idx(tmp_path / "bad-magic", array, magic=b"\x12\x34\x08\x03")
    with pytest.raises(DatasetError) as error:
        read_idx(path)
    assert_one_line(error, str(path), "wrong magic number 0x12340803")


def test_idx_wrong_dims(tmp_path):
    path = write_idx(tmp_path / "labels", np.zeros((2, 2), np.uint8))
    with pytest.raises(DatasetError) as error:
        read_idx(path, ndim=1)
    assert_one_line(error, str(path), "expected 1 dimensions, the header says 2")


def test_idx_truncated_body(tmp_path):
    path = write_idx(tmp_path / "images", np.zeros((10, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DatasetError) as error:
        read_idx(path)
    assert_one_line(error, str(path), "truncated body", "(10, 28, 28)")


def test_idx_trailing_bytes(tmp_path):
    path = write_idx(tmp_path / "images", np.zeros((2, 2), np.uint8))
    path.write_bytes(path.read_bytes() + b"xx")
    with pytest.raises(DatasetError, match="2 unexpected trailing bytes"):
        read_idx(path)


def test_idx_truncated_gzip(tmp_path):
    path = write_idx(tmp_path / "images.gz", np.ones((50, 28, 28), np.uint8), compress=True)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DatasetError) as error:
        read_idx(path)
    assert_one_line(error, str(path), "gzip")


def test_labels_out_of_range(tmp_path):
    images = write_idx(tmp_path / "img", np.zeros((3, 28, 28), np.uint8))
    labels = write_idx(tmp_path / "lab", np.array([1, 12, 3], np.uint8))
    with pytest.raises(DatasetError) as error:
        read_idx_pair(images, labels)
    assert_one_line(error, str(labels), "label 12 at index 1 is out of range 0..9")


def test_label_image_count_mismatch(tmp_path):
    images = write_idx(tmp_path / "img", np.zeros((3, 28, 28), np.uint8))
    labels = write_idx(tmp_path / "lab", np.array([1, 2], np.uint8))
    with pytest.raises(DatasetError) as error:
        read_idx_pair(images, labels)
    assert_one_line(error, str(labels), "2 labels for 3 images")


def test_missing_files_offline_error(tmp_path):
    with pytest.raises(DatasetError) as error:
        load_fashion_mnist(tmp_path / "fashion", download=False)
    assert_one_line(error, "train-images-idx3-ubyte.gz", str(tmp_path / "fashion"))


def test_uncompressed_local_files_are_accepted(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, n in (("train", 5), ("t10k", 3)):
        write_idx(folder / f"{split}-images-idx3-ubyte", np.full((n, 28, 28), 7, np.uint8))
        write_idx(folder / f"{split}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8))
    (x_train, y_train), (x_test, _) = load_mnist(folder, download=False)
    assert x_train.shape == (5, 28, 28) and x_test.shape == (3, 28, 28)
    np.testing.assert_array_equal(y_train, np.arange(5))


def test_pickle_format_is_refused(tmp_path):
    (tmp_path / "mnist.pkl.gz").write_bytes(b"not unpickled")
    with pytest.raises(DatasetError) as error:
        load_mnist(tmp_path, download=False)
    assert_one_line(error, "pickle", "IDX")
    with pytest.raises(DatasetError, match="never unpickles"):
        read_idx(tmp_path / "mnist.pkl.gz")


def test_torch_style_dataset_with_a_dataloader(shared_data):
    from ember.datasets import MNIST
    from ember.utils.data import DataLoader

    test_set = MNIST(shared_data / "mnist", train=False, download=False)
    image, target = test_set[0]
    assert len(test_set) == 10000 and image.shape == (28, 28) and target == 7
    x, y = next(iter(DataLoader(test_set, batch_size=32)))
    assert tuple(x.shape) == (32, 28, 28) and tuple(y.shape) == (32,)
    assert int(y.numpy()[0]) == 7

    scaled = MNIST(
        shared_data / "mnist",
        train=False,
        transform=lambda a: a.astype(np.float32) / 255,
        target_transform=lambda t: t + 100,
    )
    image, target = scaled[0]
    assert image.dtype == np.float32 and image.max() <= 1.0 and target == 107
    x, y = next(iter(DataLoader(scaled, batch_size=4)))
    assert tuple(x.shape) == (4, 28, 28) and y.numpy()[0] == 107
