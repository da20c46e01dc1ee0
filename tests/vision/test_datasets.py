"""ember.vision.datasets on small files written in each published format (IDX, CIFAR's pickled
batches, SVHN's .mat, class-per-folder image trees), torchvision as an oracle where it can
read the same files."""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.datasets import DatasetError
from ember.utils.data import DataLoader
from ember.vision import datasets, transforms

from .oracle import torchvision

RNG = np.random.default_rng(0)


def write_idx(path: Path, array: np.ndarray, compress: bool) -> None:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + \
        struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


def make_idx_set(folder: Path, n_train: int = 20, n_test: int = 8, compress: bool = True,
                 prefix: str = "") -> dict[str, np.ndarray]:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = RNG.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = RNG.integers(0, 10, n, dtype=np.uint8)
        suffix = ".gz" if compress else ""
        name = prefix or split
        write_idx(folder / f"{name}-images-idx3-ubyte{suffix}", images, compress)
        write_idx(folder / f"{name}-labels-idx1-ubyte{suffix}", labels, compress)
        arrays[split] = (images, labels)
    return arrays


@pytest.mark.parametrize("cls", ["MNIST", "FashionMNIST", "KMNIST"])
def test_idx_datasets_read_torchvisions_layout(tmp_path, cls) -> None:
    arrays = make_idx_set(tmp_path / cls / "raw", compress=False)
    train = getattr(datasets, cls)(tmp_path, train=True)
    test = getattr(datasets, cls)(tmp_path, train=False, transform=transforms.ToTensor(),
                                  target_transform=lambda t: t + 100)
    images, labels = arrays["train"]
    assert len(train) == 20 and len(test) == 8
    image, target = train[3]
    assert image.mode == "L" and image.size == (28, 28) and target == int(labels[3])
    np.testing.assert_array_equal(np.asarray(image), images[3])
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (20, 28, 28)
    assert train.targets.dtype == ember.int64
    tensor, shifted = test[0]
    assert tuple(tensor.shape) == (1, 28, 28) and tensor.dtype == ember.float32
    assert shifted == int(arrays["t10k"][1][0]) + 100
    assert train.class_to_idx[train.classes[2]] == 2


def test_idx_matches_torchvision_sample_for_sample(tmp_path) -> None:
    tv = torchvision()
    make_idx_set(tmp_path / "FashionMNIST" / "raw", compress=False)
    ours = datasets.FashionMNIST(tmp_path, train=True, transform=transforms.ToTensor())
    theirs = tv.datasets.FashionMNIST(str(tmp_path), train=True,
                                      transform=tv.transforms.ToTensor())
    assert ours.classes == theirs.classes and len(ours) == len(theirs)
    for i in (0, 7, 19):
        np.testing.assert_array_equal(ours[i][0].numpy(), theirs[i][0].numpy())
        assert ours[i][1] == theirs[i][1]


def test_gzipped_files_in_root_itself_are_found(tmp_path) -> None:
    arrays = make_idx_set(tmp_path, compress=True)
    data = datasets.MNIST(tmp_path, train=False)
    np.testing.assert_array_equal(data.data.numpy(), arrays["t10k"][0])


def test_emnist_split_is_extracted_from_the_published_zip(tmp_path) -> None:
    raw = tmp_path / "EMNIST" / "raw"
    make_idx_set(tmp_path / "staging", prefix="emnist-letters-train", n_train=6, n_test=6)
    raw.mkdir(parents=True)
    with zipfile.ZipFile(raw / "gzip.zip", "w") as archive:
        for path in (tmp_path / "staging").iterdir():
            archive.write(path, f"gzip/{path.name}")
    data = datasets.EMNIST(tmp_path, split="letters", train=True, download=True)
    assert len(data) == 6 and data.classes[:3] == ["N/A", "a", "b"]
    with pytest.raises(ValueError, match="split"):
        datasets.EMNIST(tmp_path, split="nope")


def test_missing_files_say_what_to_put_where(tmp_path, monkeypatch) -> None:
    with pytest.raises(RuntimeError, match="download=True") as info:
        datasets.FashionMNIST(tmp_path / "data", train=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "data" / "FashionMNIST" / "raw") in message

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(DatasetError, match="download failed") as info:
        datasets.MNIST(tmp_path / "data", download=True)
    assert "network is unreachable" in str(info.value)
    assert str(tmp_path / "data" / "MNIST" / "raw") in str(info.value)
    with pytest.raises(RuntimeError, match="cifar-10-python.tar.gz"):
        datasets.CIFAR10(tmp_path / "data", download=True)
    assert not list((tmp_path / "data").rglob("*.part"))


class _Python2Array:
    """Pickles an ndarray the way Python 2 did: raw data as a str, no _codecs global."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __reduce__(self):
        reconstruct = np.ndarray.__reduce__(self.array)[0]
        state = (1, self.array.shape, self.array.dtype, False,
                 self.array.tobytes().decode("latin1"))
        return reconstruct, (np.ndarray, (0,), "b"), state


def write_cifar_batch(path: Path, data: np.ndarray, labels: list[int], key: str) -> None:
    entry = {"batch_label": "testing batch", key: labels, "data": _Python2Array(data),
             "filenames": [f"img_{i}.png" for i in range(len(labels))]}
    path.write_bytes(pickle.dumps(entry, protocol=2))


def make_cifar(root: Path, hundred: bool = False) -> tuple[np.ndarray, list[int]]:
    folder = root / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    key = "fine_labels" if hundred else "labels"
    data = RNG.integers(0, 256, (4, 3072), dtype=np.uint8)
    labels = [3, 1, 0, 2]
    names = ["train"] if hundred else [f"data_batch_{i}" for i in range(1, 6)]
    for name in [*names, "test"] if hundred else [*names, "test_batch"]:
        write_cifar_batch(folder / name, data, labels, key)
    meta_key = "fine_label_names" if hundred else "label_names"
    meta = {meta_key: ["apple", "bus", "cat", "dog"]}
    (folder / ("meta" if hundred else "batches.meta")).write_bytes(pickle.dumps(meta, 2))
    return data, labels


@pytest.mark.parametrize("hundred", [False, True])
def test_cifar_batches_load_as_torchvision_would(tmp_path, hundred) -> None:
    data, labels = make_cifar(tmp_path, hundred)
    cls = datasets.CIFAR100 if hundred else datasets.CIFAR10
    train = cls(tmp_path, train=True)
    expected = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    repeats = 1 if hundred else 5
    assert len(train) == 4 * repeats and train.data.shape == (4 * repeats, 32, 32, 3)
    np.testing.assert_array_equal(train.data[:4], expected)
    image, target = train[1]
    assert image.mode == "RGB" and target == 1
    np.testing.assert_array_equal(np.asarray(image), expected[1])
    assert train.classes == ["apple", "bus", "cat", "dog"] and train.class_to_idx["dog"] == 3
    test_file = next(tmp_path.rglob("test*"))
    with open(test_file, "rb") as handle:  # what torchvision does: plain pickle.load
        reference = pickle.load(handle, encoding="latin1")
    np.testing.assert_array_equal(cls(tmp_path, train=False).data,
                                  reference["data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path) -> None:
    make_cifar(tmp_path)
    marker = tmp_path / "pwned"
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(pickle.dumps({"data": _Exploit(marker), "labels": [1]}, protocol=2))
    with pytest.raises(DatasetError, match="data_batch_3.*refused global"):
        datasets.CIFAR10(tmp_path, train=True)
    assert not marker.exists()
    batch.write_bytes(pickle.dumps({"data": np.array([object()], dtype=object), "labels": [1]}))
    with pytest.raises(DatasetError, match="data_batch_3"):
        datasets.CIFAR10(tmp_path, train=True)


def test_svhn_mat_files(tmp_path) -> None:
    sio = pytest.importorskip("scipy.io")
    x = RNG.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8)
    y = np.array([[10], [1], [2], [10], [9]], dtype=np.uint8)
    sio.savemat(tmp_path / "test_32x32.mat", {"X": x, "y": y})
    data = datasets.SVHN(tmp_path, split="test", transform=transforms.ToTensor())
    assert data.labels.tolist() == [0, 1, 2, 0, 9] and data.data.shape == (5, 3, 32, 32)
    image, target = data[4]
    np.testing.assert_allclose(image.numpy(), x[..., 4].transpose(2, 0, 1) / 255, atol=1e-7)
    assert target == 9
    with pytest.raises(RuntimeError, match="train_32x32.mat"):
        datasets.SVHN(tmp_path, split="train")


def make_tree(root: Path, classes=("cat", "dog", "eel"), per_class: int = 3) -> Path:
    from PIL import Image

    for c, name in enumerate(classes):
        (root / name / "sub").mkdir(parents=True)
        for i in range(per_class):
            pixels = np.full((6 + i, 5, 3), 40 * c + i, dtype=np.uint8)
            folder = root / name / ("sub" if i == 0 else "")
            Image.fromarray(pixels).save(folder / f"{i}.{'png' if i % 2 else 'jpg'}")
        (root / name / "notes.txt").write_text("not an image")
    return root


def test_image_folder_matches_torchvision(tmp_path) -> None:
    root = make_tree(tmp_path / "tree")
    ours = datasets.ImageFolder(root, transform=transforms.ToTensor())
    assert ours.classes == ["cat", "dog", "eel"] and ours.class_to_idx["eel"] == 2
    assert len(ours) == 9 and ours.targets == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(not path.endswith(".txt") for path, _ in ours.imgs)
    tv = torchvision()
    theirs = tv.datasets.ImageFolder(str(root), transform=tv.transforms.ToTensor())
    assert [p for p, _ in theirs.samples] == [p for p, _ in ours.samples]
    for i in range(len(ours)):
        np.testing.assert_array_equal(ours[i][0].numpy(), theirs[i][0].numpy())


def test_dataset_folder_options_and_errors(tmp_path) -> None:
    root = make_tree(tmp_path / "tree")
    texts = datasets.DatasetFolder(root, loader=lambda p: Path(p).read_text(),
                                   extensions=(".txt",))
    assert len(texts) == 3 and texts[1] == ("not an image", 1)
    only_png = datasets.ImageFolder(root, is_valid_file=lambda p: p.endswith(".png"))
    assert len(only_png) == 3
    (root / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        datasets.ImageFolder(root)
    assert len(datasets.ImageFolder(root, allow_empty=True).classes) == 4
    with pytest.raises(FileNotFoundError, match="nowhere"):
        datasets.ImageFolder(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="extensions and is_valid_file"):
        datasets.DatasetFolder(root, loader=open, extensions=(".png",),
                               is_valid_file=lambda p: True)


def test_gtsrb_published_layout(tmp_path) -> None:
    images = make_tree(tmp_path / "GTSRB" / "Final_Training" / "Images",
                       classes=("00000", "00001"))
    data = datasets.GTSRB(tmp_path, split="train")
    assert len(data) == 4 and [t for _, t in data._samples] == [0, 0, 1, 1]  # no .txt
    assert data[3][0].mode == "RGB"
    assert images.is_dir()


def test_fake_data_is_the_same_for_the_same_index() -> None:
    data = datasets.FakeData(size=5, image_size=(3, 8, 6), num_classes=4,
                             transform=transforms.ToTensor())
    first, again = data[2], data[2]
    np.testing.assert_array_equal(first[0].numpy(), again[0].numpy())
    assert tuple(first[0].shape) == (3, 8, 6) and 0 <= first[1] < 4
    with pytest.raises(IndexError):
        data[5]


def test_dataloader_batches_transformed_arrays_in_one_step(tmp_path) -> None:
    make_idx_set(tmp_path / "MNIST" / "raw", n_train=50)
    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.2,))])
    fast = datasets.MNIST(tmp_path, transform=normalize)
    slow = datasets.MNIST(tmp_path, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Lambda(lambda t: t),
         transforms.Normalize((0.5,), (0.2,))]))
    assert hasattr(fast, "_gather") and not hasattr(slow, "_gather")
    for (x_fast, y_fast), (x_slow, y_slow) in zip(DataLoader(fast, batch_size=16),
                                                  DataLoader(slow, batch_size=16)):
        np.testing.assert_allclose(x_fast.numpy(), x_slow.numpy(), rtol=0, atol=1e-6)
        assert x_fast.dtype == x_slow.dtype == ember.float32
        np.testing.assert_array_equal(y_fast.numpy(), y_slow.numpy())


def test_augmenting_dataloader_takes_the_batch_path_with_the_same_draws(tmp_path) -> None:
    make_idx_set(tmp_path / "MNIST" / "raw", n_train=40)
    augment = [transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip(),
               transforms.ToTensor()]
    fast = datasets.MNIST(tmp_path, transform=transforms.Compose(augment))
    slow = datasets.MNIST(tmp_path, transform=transforms.Compose(
        [*augment, transforms.Lambda(lambda t: t)]))
    assert hasattr(fast, "_gather") and not hasattr(slow, "_gather")
    ember.manual_seed(3)
    ours = [x.numpy() for x, _ in DataLoader(fast, batch_size=16, shuffle=True)]
    ember.manual_seed(3)
    reference = [x.numpy() for x, _ in DataLoader(slow, batch_size=16, shuffle=True)]
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_array_equal(a, b)
