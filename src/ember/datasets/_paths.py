"""Where data sets live on disk.

A data set called ``name`` is looked for in, in this order:

1. the ``root=`` argument given to the loader;
2. ``$EMBER_DATA/<name>/``;
3. the user cache, ``$EMBER_CACHE/<name>/`` if that variable is set, else
   ``$XDG_CACHE_HOME/ember/<name>/``, else ``~/.cache/ember/<name>/``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_dir(name: str) -> Path:
    """The per-user cache folder for data set ``name`` (not created)."""
    if os.environ.get("EMBER_CACHE"):
        return Path(os.environ["EMBER_CACHE"]).expanduser() / name
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "ember" / name
    return Path.home() / ".cache" / "ember" / name


def data_dir(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds (or will hold) data set ``name``; see the module docstring."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get("EMBER_DATA"):
        return Path(os.environ["EMBER_DATA"]).expanduser() / name
    return cache_dir(name)


def is_writable_dir(folder: Path) -> bool:
    """Whether files may be created in ``folder``: it exists, is writable, and its mode has
    a write bit (so a folder marked read-only is respected even by root)."""
    try:
        mode = folder.stat().st_mode
    except OSError:
        return False
    has_write_bit = bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return folder.is_dir() and has_write_bit and os.access(folder, os.W_OK | os.X_OK)
