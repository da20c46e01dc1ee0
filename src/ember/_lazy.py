"""Subpackages that load on first use (PEP 562): the one rule behind ``ember.nn``,
``ember.optim.lr_scheduler``, ``ember.utils.data`` and ``ember.autograd.functional``, which a
program reaches through its parent's name without importing them itself, as in PyTorch."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable


def submodule_getattr(package: str, names: Iterable[str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports ``package.name`` for each of
    ``names`` when it is first looked up (later lookups find it as an ordinary attribute)."""
    lazy = frozenset(names)

    def __getattr__(name: str) -> object:  # noqa: N807  (PEP 562's name)
        if name in lazy:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
