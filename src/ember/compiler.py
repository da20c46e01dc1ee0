"""``ember.compile``: PyTorch 2's ``torch.compile``, accepted and returning the model unchanged.

ember runs every op eagerly on NumPy; there is no graph compiler, so the result is the same
module or function (same values, eager speed). The arguments are checked by name and ignored
deliberately: they tune a compiler that does not exist.
"""

from __future__ import annotations

from typing import Any

_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: Any = None,  # noqa: A001
            backend: Any = "inductor", mode: Any = None, options: Any = None,
            disable: bool = False) -> Any:
    """Return ``model`` itself (or, called without one, a decorator that does)."""
    if mode not in _MODES:
        raise RuntimeError(f"compile: unrecognized mode={mode!r}, expected one of "
                           f"{', '.join(repr(m) for m in _MODES[1:])}")
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile: expected a module or function, got "
                           f"{type(model).__name__}")
    return model
