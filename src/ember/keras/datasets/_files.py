"""Keras's data-set files (``imdb.npz``, ``reuters_word_index.json``, ...): found under
``$EMBER_DATA/<data set>/`` (or the user cache), else downloaded from Keras's published address
with the published checksum verified; read without running any code they might hold.

A ``path=`` as Keras's loaders take it is a file name relative to that folder, or an absolute
path used as it is (Keras's is relative to ``~/.keras/datasets``, absolute likewise).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def locate(dataset: str, path: Any, published: str, sha256: str = "", md5: str = "") -> Path:
    """The file ``path`` of ``dataset``, downloaded from Keras's address when it is missing.

    ``published`` is the file's published name (its address), with its published digest;
    ``path`` is where the file lives here. Raises :class:`DatasetNotFoundError` saying what to
    put where when the file is missing and cannot be downloaded (offline, say). (ember.datasets
    is imported here, not on ``import ember.keras``.)"""
    from ember.datasets._download import Resource, download_file
    from ember.datasets._errors import one_line
    from ember.datasets._paths import data_dir
    from ember.vision.datasets._fetch import DatasetNotFoundError

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{dataset}: path must be a file name or a path, got "
                        f"{type(path).__name__}")
    given = Path(path).expanduser()
    target = given if given.is_absolute() else data_dir(dataset) / given
    if target.is_file():
        return target
    resource = Resource(published, sha256=(sha256,) if sha256 else (),
                        md5=(md5,) if md5 else ())
    url = ORIGIN + published
    advice = (f"put {published} (from {url}) at {target}, or set EMBER_DATA to a folder "
              f"holding {dataset}/{given.name}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        download_file(url, target, resource)
    except (OSError, ValueError, EOFError) as exc:
        raise DatasetNotFoundError(f"{dataset}: {target} is missing and could not be "
                                   f"downloaded ({one_line(exc)}); {advice}") from None
    return target


def _read_npy(data: bytes) -> np.ndarray:
    """One ``.npy`` member: numeric arrays by NumPy with pickles off, object arrays through
    ember's restricted unpickler (NumPy's array reconstruction and plain data only)."""
    from ember.vision.datasets._unpickle import unpickle_plain

    stream = io.BytesIO(data)
    major, _ = np.lib.format.read_magic(stream)
    if major == 1:
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif major in (2, 3):  # version 3 differs from 2 only in the header's text encoding
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"unsupported .npy format version {major}")
    if not dtype.hasobject:
        return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    array = unpickle_plain(data[stream.tell():], object_arrays=True)
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"the pickled object array is not the {tuple(shape)} array its header "
                         "announces")
    return array


def load_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the ``.npz`` archive at ``path`` (NumPy itself unpickles nothing).

    Raises :class:`DatasetError` naming the file for a damaged archive, a missing array, or a
    pickle that asks for anything but plain data (``os.system``, say)."""
    from ember.datasets._errors import DatasetError, one_line

    arrays: dict[str, np.ndarray] = {}
    member = ""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for key in keys:
                member = f"{key}.npy"
                if member not in names:
                    raise DatasetError(f"{path}: no array {key!r} (the archive holds "
                                       f"{sorted(names)}); expected {list(keys)}")
                arrays[key] = _read_npy(archive.read(member))
    except DatasetError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path}: not a readable .npz archive ({one_line(exc)})") from None
    except ValueError as exc:
        raise DatasetError(f"{path}: {member} is not a NumPy array of plain data "
                           f"({one_line(exc)})") from None
    return arrays


def load_json(path: Path) -> Any:
    """A word index: JSON text (no code is run), or :class:`DatasetError` naming the file."""
    from ember.datasets._errors import DatasetError, one_line

    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: not a readable JSON word index ({one_line(exc)})") from None
