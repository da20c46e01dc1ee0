"""Whether operations record a graph: ``no_grad``, ``enable_grad`` and ``set_grad_enabled``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


# One switch read by every op; a plain attribute so the check costs next to nothing.
STATE = _GradState()


def is_grad_enabled() -> bool:
    """True when new operations record the graph that ``backward()`` walks."""
    return STATE.enabled


class set_grad_enabled:  # noqa: N801 - PyTorch's name
    """Turn graph recording on or off; usable as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode
        STATE.enabled = self.prev  # used as a decorator: the call itself must not switch modes

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __new__(cls, orig_func: Any = None) -> Any:
        # ``@ember.no_grad`` without parentheses decorates too, as in PyTorch.
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Record no graph inside the block: for evaluation and in-place parameter updates.

    >>> with ember.no_grad():
    ...     w -= 0.1 * w.grad
    """

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Record the graph inside the block, even within ``no_grad``."""

    mode = True
