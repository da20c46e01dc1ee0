"""How a Keras layer call reaches ``call``: the ``training`` value nested calls inherit, which
arguments a ``call`` declares (read once per class), and the Keras mask an input carries."""

from __future__ import annotations

import inspect
import threading
from typing import Any

from ember.tensor import Tensor


class CallContext(threading.local):
    """The ``training`` value of the outermost layer call under way, which nested calls inherit
    when not given one (Keras's call context)."""

    def __init__(self) -> None:
        self.depth = 0
        self.training: bool | None = None


CONTEXT = CallContext()
_CALL_ARGUMENTS: dict[Any, tuple[bool, bool, Any]] = {}


def call_arguments(cls: type) -> tuple[bool, bool, Any]:
    """Whether ``cls.call`` takes ``training`` and ``mask`` by name, and ``training``'s default
    (read once per class): Keras passes each only to a ``call`` that declares it."""
    found = _CALL_ARGUMENTS.get(cls)
    if found is None:
        parameters = inspect.signature(cls.call).parameters
        training = parameters.get("training")
        default = None if training is None or training.default is inspect.Parameter.empty \
            else training.default
        found = (training is not None, "mask" in parameters, default)
        _CALL_ARGUMENTS[cls] = found
    return found


def keras_mask(value: Any) -> Any:
    """The Keras mask ``value`` carries (a list of them for a list of inputs), or None."""
    if isinstance(value, (list, tuple)):
        masks = [keras_mask(v) for v in value]
        return None if all(m is None for m in masks) else masks
    return value.__dict__.get("_keras_mask") if isinstance(value, Tensor) else None
