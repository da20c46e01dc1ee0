"""``inference_mode``: PyTorch's faster ``no_grad`` for evaluation; in ember it is ``no_grad``.

PyTorch also marks tensors made inside it as unusable in autograd later; ember has no such
marking (a tensor made inside simply has no graph, as under ``no_grad``).
"""

from __future__ import annotations

import functools
from typing import Any

from ember.autograd.grad_mode import STATE


class inference_mode:  # noqa: N801 - PyTorch's name
    """Record no graph inside the block (``mode=False``: change nothing).

    Works as ``with ember.inference_mode():``, ``@ember.inference_mode()`` and
    ``@ember.inference_mode``.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # bare decorator
            return cls(True)(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        if self.mode:
            STATE.enabled = False

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, fn: Any) -> Any:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (ember cannot tell it from ``no_grad``: grad is off)."""
    return not STATE.enabled
