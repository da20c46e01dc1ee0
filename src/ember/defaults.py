"""Process-wide defaults: the float dtype new tensors get, and the default device.

``set_default_dtype(ember.float64)`` makes Python floats, ``float`` creation functions and integer
-> float promotion use float64, as in PyTorch. The CPU is the only default device there can be.
"""

from __future__ import annotations

from typing import Any

from ember import devices, dtypes


def get_default_dtype() -> dtypes.dtype:
    return dtypes.from_numpy_dtype(dtypes.DEFAULT_FLOAT)


def set_default_dtype(d: Any) -> None:
    """The floating dtype of new float tensors: ember.float32 (the start) or ember.float64."""
    target = dtypes.to_numpy_dtype(d)
    if target.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {dtypes.from_numpy_dtype(target)}")
    dtypes.DEFAULT_FLOAT = target


def get_default_device() -> devices.device:
    return devices.CPU


def set_default_device(where: Any) -> None:
    """Accept ``'cpu'`` (or None); any other device raises, naming it."""
    devices.check_device(where, "set_default_device")
