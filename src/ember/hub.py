"""``ember.hub``: the checkpoint cache of ``torch.hub``, read without a network.

``torchvision.models.resnet18(weights=...)`` fetches its file through
``torch.hub.load_state_dict_from_url``, which keeps downloads in
``<hub dir>/checkpoints/<file name>``, the hub dir being ``$TORCH_HOME/hub`` (``TORCH_HOME``
defaulting to ``$XDG_CACHE_HOME/torch``, that to ``~/.cache/torch``). ember reads the same
cache, so a file PyTorch downloaded once serves both; it also looks in ``$EMBER_DATA`` (the
folder of ember's data sets) under ``checkpoints/`` and at its top. ember never downloads: a
missing file is a ``FileNotFoundError`` naming the file, every place looked in and the URL to
fetch it from.

Files are read by ``ember.load``, which never runs code from a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

__all__ = ["get_dir", "load_state_dict_from_url", "set_dir"]

_hub_dir: str | None = None


def _torch_home() -> str:
    cache = os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache"))
    return os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(cache, "torch")))


def get_dir() -> str:
    """The hub folder: what ``set_dir`` chose, else ``$TORCH_HOME/hub`` (read at each call)."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_torch_home(), "hub")


def set_dir(d: str | os.PathLike) -> None:
    """Use ``d`` as the hub folder from now on (as ``torch.hub.set_dir``)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def candidate_paths(file_name: str, model_dir: str | os.PathLike | None = None) -> list[Path]:
    """Where a checkpoint called ``file_name`` is looked for, in order."""
    folder = Path(model_dir) if model_dir is not None else Path(get_dir()) / "checkpoints"
    paths = [folder / file_name]
    if os.environ.get("EMBER_DATA"):
        data = Path(os.environ["EMBER_DATA"]).expanduser()
        paths += [data / "checkpoints" / file_name, data / file_name]
    return paths


def load_state_dict_from_url(url: str, model_dir: str | os.PathLike | None = None,
                             map_location: Any = None, progress: bool = True,
                             check_hash: bool = False, file_name: str | None = None,
                             weights_only: bool = False) -> Any:
    """What ``torch.hub.load_state_dict_from_url(url)`` returns, from a file already on disk.

    The file is ``file_name`` (default: the last part of ``url``) in ``model_dir`` (default
    ``get_dir()/checkpoints``), else in ``$EMBER_DATA/checkpoints`` or ``$EMBER_DATA``. As in
    PyTorch, ``check_hash`` applies to downloads only (the hash prefix in the name is checked
    against the bytes fetched), so it has no effect on a file found in the cache, and ember
    never downloads. ``progress`` only matters to a download. ``weights_only`` is passed to
    ``ember.load`` (which never runs code from a file either way).
    """
    from ember.serialization import load

    if not isinstance(url, str):
        raise TypeError(f"load_state_dict_from_url: url must be a string, got "
                        f"{type(url).__name__}")
    name = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    if not name:
        raise ValueError(f"load_state_dict_from_url: can't tell a file name from url {url!r}; "
                         "pass file_name=")
    paths = candidate_paths(name, model_dir)
    for path in paths:
        if path.is_file():
            return load(path, map_location=map_location, weights_only=weights_only)
    looked = ", ".join(str(p) for p in paths)
    raise FileNotFoundError(
        f"checkpoint file {name} was not found (looked in: {looked}). ember does not download; "
        f"fetch {url} and put it in {paths[0].parent} (torch.hub's cache, where PyTorch "
        "itself would store it; TORCH_HOME moves it) or in $EMBER_DATA/checkpoints")

