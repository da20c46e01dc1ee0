"""``RemovableHandle``: what every ``register_*_hook`` returns (PyTorch's ``torch.utils.hooks``)."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """``handle.remove()`` unregisters the hook; also a context manager that removes it on exit."""

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.hooks_dict = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_hook(hooks: dict[int, Any], hook: Any, what: str) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` (called in registration order) and return its handle."""
    if not callable(hook):
        raise TypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle
