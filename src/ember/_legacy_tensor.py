"""``ember.Tensor(...)``, PyTorch's legacy constructor (``torch.Tensor``).

Unlike ``ember.tensor(data)``, which keeps integer data as integers, the legacy constructor
always makes a tensor of the default float dtype (float32 unless ``set_default_dtype`` changed
it), and it also takes sizes:

* ``Tensor()`` is an empty tensor, shape ``(0,)``;
* ``Tensor(2, 3)`` or ``Tensor(ember.Size([2, 3]))`` is a (2, 3) tensor. PyTorch leaves its
  memory uninitialised; ember fills it with zeros (one of the values uninitialised memory may
  hold);
* ``Tensor([1, 2])``, ``Tensor((1, 2))`` or ``Tensor(ndarray)`` copies the data as floats;
* ``Tensor(t)`` for a tensor ``t`` is an alias of ``t`` (same memory, same dtype, a view in the
  graph).

As in PyTorch, the only keyword is ``device``; a lone number is refused (``Tensor(2.5)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember import dtypes
from ember.devices import check_device


def _is_size(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def legacy_new(*args: Any, **kwargs: Any) -> Any:
    """What ``ember.Tensor(*args, **kwargs)`` returns (see the module docstring)."""
    from ember.tensor import Size, Tensor

    unexpected = sorted(set(kwargs) - {"device"})
    if unexpected:
        raise TypeError(f"Tensor(): unexpected keyword argument(s) {unexpected}; the legacy "
                        "constructor takes data or sizes and device= only (use "
                        "ember.tensor(data, dtype=..., requires_grad=...) for the others)")
    check_device(kwargs.get("device"), "Tensor")
    float_dtype = dtypes.DEFAULT_FLOAT  # read now: set_default_dtype may change it
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    if all(_is_size(a) for a in args):  # also Tensor(): no sizes, an empty tensor
        sizes = [int(a) for a in args] if args else [0]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{min(sizes)}: {sizes}")
        return Tensor._wrap(np.zeros(sizes, dtype=float_dtype))
    if len(args) > 1:
        raise TypeError(f"Tensor(): expected sizes (ints) or one sequence of data, got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    data = args[0]
    if isinstance(data, Tensor):
        return data.view_as(data)
    if isinstance(data, str):
        raise TypeError("Tensor(): invalid data type 'str'")
    if not isinstance(data, (Sequence, np.ndarray)):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__})")
    array = Tensor._from_data(data)._data
    if array.dtype.kind == "c":
        raise TypeError("Tensor(): data must be real numbers, got complex ones")
    return Tensor._wrap(array.astype(float_dtype, copy=False))
