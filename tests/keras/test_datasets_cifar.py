"""keras.datasets.cifar10/cifar100.load_data: Keras's shapes and dtypes, from CIFAR's python
batches under $EMBER_DATA/cifar (tiny stand-in batches written here), and a clear offline error."""

import pickle

import numpy as np
import pytest
from tests.vision.test_datasets import _Python2Array  # CIFAR's published pickling

import ember.keras as keras
from ember.vision.datasets._fetch import DatasetNotFoundError

RNG = np.random.default_rng(0)


def _write_batches(root, hundred=False):
    folder = root / "cifar" / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    data = RNG.integers(0, 256, (4, 3072), dtype=np.uint8)
    names = ["train", "test"] if hundred else [f"data_batch_{i}" for i in range(1, 6)] + [
        "test_batch"]
    for name in names:
        entry = {"data": _Python2Array(data), "filenames": [f"{i}.png" for i in range(4)]}
        if hundred:
            entry.update(fine_labels=[7, 1, 99, 2], coarse_labels=[0, 19, 3, 4])
        else:
            entry["labels"] = [3, 1, 0, 9]
        (folder / name).write_bytes(pickle.dumps(entry, protocol=2))
    meta = {"fine_label_names": ["x"] * 100, "coarse_label_names": ["y"] * 20} if hundred \
        else {"label_names": ["z"] * 10}
    (folder / ("meta" if hundred else "batches.meta")).write_bytes(pickle.dumps(meta, 2))
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def test_cifar10_shapes_and_dtypes(tmp_path, monkeypatch):
    images = _write_batches(tmp_path)
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (20, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3) and y_test[:, 0].tolist() == [3, 1, 0, 9]
    np.testing.assert_array_equal(x_test, images)  # channels last, as Keras


def test_cifar100_fine_and_coarse_labels(tmp_path, monkeypatch):
    _write_batches(tmp_path, hundred=True)
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    (x_train, y_train), _ = keras.datasets.cifar100.load_data()
    assert x_train.shape == (4, 32, 32, 3) and y_train.shape == (4, 1)
    assert y_train[:, 0].tolist() == [7, 1, 99, 2]
    _, (_, coarse) = keras.datasets.cifar100.load_data(label_mode="coarse")
    assert coarse[:, 0].tolist() == [0, 19, 3, 4]
    with pytest.raises(ValueError, match="label_mode"):
        keras.datasets.cifar100.load_data(label_mode="medium")


def test_missing_files_offline_name_what_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetNotFoundError, match="cifar-10-python.tar.gz"):
        keras.datasets.cifar10.load_data()
