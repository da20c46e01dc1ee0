"""keras.datasets.imdb, reuters and boston_housing: the same arrays as Keras 3's own loaders
on small files in the published format (NumPy ``.npz`` with pickled object arrays, JSON word
indexes), read without running code; clear errors for missing files and bad arguments.

Keras 3 is the oracle, run on its PyTorch backend in a subprocess with its ``get_file``
pointed at the files written here; those tests skip when keras (or torch) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.datasets import DatasetError
from ember.vision.datasets import DatasetNotFoundError

WORD_INDEX = {"the": 1, "and": 2, "a": 3, "of": 4, "film": 5, "plot": 6}

IMDB_CASES: list[dict[str, Any]] = [
    {},
    {"num_words": 10, "skip_top": 2},
    {"maxlen": 7},
    {"start_char": None, "oov_char": None, "index_from": 0},
    {"seed": 7, "oov_char": None, "num_words": 12, "skip_top": 5},
    {"start_char": 0, "oov_char": 1, "index_from": 5, "maxlen": 6, "num_words": 14},
]
REUTERS_CASES: list[dict[str, Any]] = [
    {},
    {"test_split": 0.5, "num_words": 10, "skip_top": 1},
    {"maxlen": 5, "seed": 1},
    {"start_char": None, "oov_char": None, "index_from": 0, "test_split": 0.0},
    {"test_split": 1.0, "num_words": 8},
]
BOSTON_CASES: list[dict[str, Any]] = [{}, {"test_split": 0.3, "seed": 5}, {"test_split": 0.0}]


def _ragged(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` word-rank lists of 1 to 9 ranks in 1..15, as Keras's files hold them."""
    sequences = np.empty(count, dtype=object)
    for index in range(count):
        sequences[index] = [int(w) for w in rng.integers(1, 16, rng.integers(1, 10))]
    return sequences


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """imdb.npz, reuters.npz, boston_housing.npz and both word indexes, written by NumPy's
    own ``np.savez`` (object arrays pickled) as the published files were."""
    folder = tmp_path_factory.mktemp("keras_datasets")
    rng = np.random.default_rng(0)
    np.savez(folder / "imdb.npz", x_train=_ragged(rng, 12), y_train=rng.integers(0, 2, 12),
             x_test=_ragged(rng, 9), y_test=rng.integers(0, 2, 9))
    np.savez(folder / "reuters.npz", x=_ragged(rng, 15), y=rng.integers(0, 46, 15))
    np.savez(folder / "boston_housing.npz", x=rng.random((11, 13)) * 100,
             y=rng.random(11) * 50)
    for name in ("imdb_word_index.json", "reuters_word_index.json"):
        (folder / name).write_text(json.dumps(WORD_INDEX))
    return folder


KERAS_SCRIPT = """
import json, sys
import numpy as np
from keras.src.datasets import boston_housing, imdb, reuters

folder, cases = sys.argv[1], json.loads(sys.argv[2])
for module in (imdb, reuters, boston_housing):
    module.get_file = lambda fname=None, origin=None, **kwargs: f"{folder}/{fname}"

def described(splits):
    return [[{"shape": list(a.shape), "dtype": str(a.dtype), "values": a.tolist()} for a in part]
            for part in splits]

out = {"imdb": [described(imdb.load_data(**kw)) for kw in cases["imdb"]],
       "reuters": [described(reuters.load_data(**kw)) for kw in cases["reuters"]],
       "boston": [described(boston_housing.load_data(**kw)) for kw in cases["boston"]],
       "imdb_words": imdb.get_word_index(), "reuters_words": reuters.get_word_index(),
       "labels": list(reuters.get_label_names())}
with open(f"{folder}/keras.json", "w") as handle:
    json.dump(out, handle)
"""


@pytest.fixture(scope="module")
def keras_results(files: Path) -> dict[str, Any]:
    """What Keras 3's loaders return for every case, on the same files."""
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("Keras 3 (the oracle) or PyTorch (its backend here) is not installed")
    cases = json.dumps({"imdb": IMDB_CASES, "reuters": REUTERS_CASES, "boston": BOSTON_CASES})
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(KERAS_SCRIPT), str(files),
                           cases], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((files / "keras.json").read_text())


def _described(splits: Any) -> list[list[dict[str, Any]]]:
    return [[{"shape": list(a.shape), "dtype": str(a.dtype), "values": a.tolist()} for a in part]
            for part in splits]


@pytest.fixture
def data_home(files: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EMBER_DATA with the files where ember looks: imdb/, reuters/, boston_housing/."""
    home = files / "home"
    for dataset, names in (("imdb", ["imdb.npz", "imdb_word_index.json"]),
                           ("reuters", ["reuters.npz", "reuters_word_index.json"]),
                           ("boston_housing", ["boston_housing.npz"])):
        (home / dataset).mkdir(parents=True, exist_ok=True)
        for name in names:
            if not (home / dataset / name).exists():
                (home / dataset / name).symlink_to(files / name)
    monkeypatch.setenv("EMBER_DATA", str(home))
    return home


@pytest.mark.parametrize("index", range(len(IMDB_CASES)))
def test_imdb_matches_keras(index: int, data_home: Path, keras_results: dict[str, Any]) -> None:
    ours = _described(keras.datasets.imdb.load_data(**IMDB_CASES[index]))
    assert ours == keras_results["imdb"][index]


@pytest.mark.parametrize("index", range(len(REUTERS_CASES)))
def test_reuters_matches_keras(index: int, data_home: Path,
                               keras_results: dict[str, Any]) -> None:
    ours = _described(keras.datasets.reuters.load_data(**REUTERS_CASES[index]))
    assert ours == keras_results["reuters"][index]


@pytest.mark.parametrize("index", range(len(BOSTON_CASES)))
def test_boston_housing_matches_keras(index: int, data_home: Path,
                                      keras_results: dict[str, Any]) -> None:
    ours = _described(keras.datasets.boston_housing.load_data(**BOSTON_CASES[index]))
    assert ours == keras_results["boston"][index]


def test_word_indexes_and_label_names_match_keras(data_home: Path,
                                                  keras_results: dict[str, Any]) -> None:
    assert keras.datasets.imdb.get_word_index() == keras_results["imdb_words"] == WORD_INDEX
    assert keras.datasets.reuters.get_word_index() == keras_results["reuters_words"]
    assert list(keras.datasets.reuters.get_label_names()) == keras_results["labels"]


def test_imdb_shapes_dtypes_and_processing(data_home: Path, files: Path) -> None:
    stored = np.load(files / "imdb.npz", allow_pickle=True)  # the test's own file
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (12,) and x_test.shape == (9,)
    assert y_train.dtype == np.int64 and y_train.shape == (12,) and y_test.shape == (9,)
    order = np.arange(12)
    np.random.RandomState(113).shuffle(order)
    first = stored["x_train"][order[0]]
    assert x_train[0] == [1] + [w + 3 for w in first]  # start_char, then ranks + index_from
    assert y_train[0] == stored["y_train"][order[0]]
    (short, _), _ = keras.datasets.imdb.load_data(maxlen=5, num_words=8)
    assert all(len(x) < 5 for x in short)
    assert max(max(x) for x in short) < 8


def test_paths_relative_to_the_data_folder_or_absolute(data_home: Path, files: Path) -> None:
    (data_home / "imdb" / "copy.npz").write_bytes((files / "imdb.npz").read_bytes())
    (a, _), _ = keras.datasets.imdb.load_data(path="copy.npz")
    (b, _), _ = keras.datasets.imdb.load_data(path=str(files / "imdb.npz"))
    assert a.tolist() == b.tolist()


def test_a_pickle_calling_code_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> Any:
            return os.system, (f"touch {marker}",)

    evil = np.empty(2, dtype=object)
    evil[0], evil[1] = [1, 2], Exploit()
    np.savez(tmp_path / "imdb.npz", x_train=evil, y_train=np.zeros(2, np.int64),
             x_test=evil, y_test=np.zeros(2, np.int64))
    with pytest.raises(DatasetError, match=r"x_train\.npy.*refused global (posix|os)\.system"):
        keras.datasets.imdb.load_data(path=str(tmp_path / "imdb.npz"))
    assert not marker.exists()


def test_a_file_missing_an_array_names_it(tmp_path: Path) -> None:
    np.savez(tmp_path / "reuters.npz", x=_ragged(np.random.default_rng(1), 3))
    with pytest.raises(DatasetError, match=r"reuters\.npz: no array 'y'"):
        keras.datasets.reuters.load_data(path=str(tmp_path / "reuters.npz"))


def test_missing_files_offline_say_what_to_put_where(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    for load, name in ((keras.datasets.imdb.load_data, "imdb.npz"),
                       (keras.datasets.imdb.get_word_index, "imdb_word_index.json"),
                       (keras.datasets.reuters.load_data, "reuters.npz"),
                       (keras.datasets.reuters.get_word_index, "reuters_word_index.json"),
                       (keras.datasets.boston_housing.load_data, "boston_housing.npz")):
        with pytest.raises(DatasetNotFoundError, match=rf"no network.*put {name}.* at "
                                                       rf"{tmp_path}"):
            load()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_a_download_that_is_not_the_published_file_is_refused(
        tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    served = (files / "imdb.npz").read_bytes()  # a valid archive, but not Keras's file
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(served))
    with pytest.raises(DatasetNotFoundError, match="checksum mismatch"):
        keras.datasets.imdb.load_data()
    assert not (tmp_path / "imdb" / "imdb.npz").exists()


@pytest.mark.parametrize(("load", "arguments", "error", "match"), [
    (keras.datasets.imdb.load_data, {"num_words": -1}, ValueError, "num_words"),
    (keras.datasets.imdb.load_data, {"num_words": "10"}, TypeError, "num_words"),
    (keras.datasets.imdb.load_data, {"maxlen": 2.5}, TypeError, "maxlen"),
    (keras.datasets.imdb.load_data, {"skip_top": None}, TypeError, "skip_top"),
    (keras.datasets.imdb.load_data, {"nb_words": 10}, TypeError, "nb_words"),
    (keras.datasets.imdb.load_data, {"path": 3}, TypeError, "path"),
    (keras.datasets.reuters.load_data, {"test_split": 1.5}, ValueError, "test_split"),
    (keras.datasets.reuters.load_data, {"index_from": None}, TypeError, "index_from"),
    (keras.datasets.boston_housing.load_data, {"test_split": 1.0}, ValueError, "test_split"),
    (keras.datasets.boston_housing.load_data, {"seed": -3}, ValueError, "seed"),
])
def test_bad_arguments_name_themselves(load: Any, arguments: dict[str, Any], error: type,
                                       match: str, data_home: Path) -> None:
    with pytest.raises(error, match=match):
        load(**arguments)


def test_imdb_maxlen_that_keeps_nothing_is_an_error(data_home: Path) -> None:
    with pytest.raises(ValueError, match="maxlen=1"):
        keras.datasets.imdb.load_data(maxlen=1)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_object_arrays_are_read_only_where_asked_for(protocol: int) -> None:
    import pickle

    from ember.vision.datasets._unpickle import unpickle_plain

    ragged = _ragged(np.random.default_rng(2), 4)
    data = pickle.dumps(ragged, protocol=protocol)
    read = unpickle_plain(data, object_arrays=True)
    assert read.dtype == object and read.tolist() == ragged.tolist()
    with pytest.raises(ValueError, match="object array"):
        unpickle_plain(data)  # CIFAR's batches: numeric arrays only
