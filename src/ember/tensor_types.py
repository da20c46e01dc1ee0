"""PyTorch's legacy typed-tensor constructors: ``FloatTensor``, ``DoubleTensor``, ``LongTensor``,
... ``torch.FloatTensor(2, 3)`` is a (2, 3) float32 tensor, ``torch.FloatTensor([1, 2])`` one
made from data, ``isinstance(x, torch.FloatTensor)`` checks the dtype, and
``x.type(torch.FloatTensor)`` casts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor


class _TensorTypeMeta(type):
    """The metaclass: calling a tensor type constructs, ``isinstance`` compares dtypes."""

    numpy_dtype: np.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        from ember.creation import tensor, zeros

        if device not in (None, "cpu"):
            raise NotImplementedError(f"{cls.__name__}: device={device!r} (ember runs on the CPU)")
        if not args:
            return zeros(0, dtype=cls.numpy_dtype)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            # As PyTorch: sizes make a tensor of that shape (PyTorch leaves it uninitialised).
            return zeros(*args, dtype=cls.numpy_dtype)
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one sequence of data, "
                            f"got {len(args)} arguments")
        data = args[0]
        if isinstance(data, Tensor):
            if data._data.dtype != cls.numpy_dtype:
                raise TypeError(f"expected {cls.__name__} (got {data.type()})")
            return data
        return tensor(data, dtype=cls.numpy_dtype)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance._data.dtype == cls.numpy_dtype

    def __repr__(cls) -> str:
        return f"<class 'ember.{cls.__name__}'>"


def _tensor_type(name: str, dtype: Any) -> _TensorTypeMeta:
    made = _TensorTypeMeta(name, (), {"numpy_dtype": np.dtype(dtype), "__module__": "ember",
                                      "is_legacy_tensor_type": True})
    return made


FloatTensor = _tensor_type("FloatTensor", np.float32)
DoubleTensor = _tensor_type("DoubleTensor", np.float64)
HalfTensor = _tensor_type("HalfTensor", np.float16)
LongTensor = _tensor_type("LongTensor", np.int64)
IntTensor = _tensor_type("IntTensor", np.int32)
ShortTensor = _tensor_type("ShortTensor", np.int16)
CharTensor = _tensor_type("CharTensor", np.int8)
ByteTensor = _tensor_type("ByteTensor", np.uint8)
BoolTensor = _tensor_type("BoolTensor", np.bool_)

__all__ = ["BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
           "IntTensor", "LongTensor", "ShortTensor"]
