"""A cache of decoded arrays in ``.npz`` files, keyed by a hash of the sources and options.

Files are written atomically (temporary file in the same folder, flushed, ``os.replace``)
and read with ``allow_pickle=False``; a stale, foreign or damaged cache file is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def source_key(base: str, names: Iterable[str], options: dict[str, object]) -> str:
    """Hash of the files' names (relative to ``base``), sizes and modification times, plus
    the loading options. Plain strings and ``os.stat``: pathlib is slow on 25,000 files."""
    digest = hashlib.sha256(repr(sorted(options.items())).encode())
    for name in names:
        try:
            stat = os.stat(os.path.join(base, name))
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{name}\0missing\n".encode())
    return digest.hexdigest()


def load(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The arrays stored in ``path``, or ``None`` if it is absent or unusable."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            if set(archive.files) != set(keys):
                return None
            return {key: archive[key] for key in keys}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def save(folders: Iterable[Path], name: str, arrays: dict[str, np.ndarray]) -> Path | None:
    """Write ``arrays`` to ``<folder>/<name>`` in the first folder that accepts it.

    Returns the path written, or ``None`` when no folder was writable (caching is optional).
    """
    for folder in folders:
        tmp: Path | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
            tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, folder / name)
            return folder / name
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
    return None
