"""Writing PyTorch's checkpoint format (``torch.save``'s zip) without torch.

The pickle is written opcode by opcode (protocol 2, as ``torch.save`` does), naming only the
globals PyTorch's loading with ``weights_only=True`` accepts: ``collections.OrderedDict``,
``torch._utils._rebuild_tensor_v2``, ``torch._utils._rebuild_parameter`` and the storage classes.
Each tensor gets its own storage member, 64-byte aligned in the zip as PyTorch aligns them (so
PyTorch's memory-mapped loading, ``mmap=True``, works too).

A whole model is written as pickle writes an object (its class, NEWOBJ, its attribute dict,
BUILD), for ember's own ``nn.Module`` classes only: those are what ``ember.load(path,
weights_only=False)`` rebuilds (see ``ember._torch_modules``). Tensors and modules met twice are
written once and referred to again (the pickle memo), so tied weights stay tied.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from ember._torch_modules import class_location, functional_name

STORAGE_NAMES = {
    np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
    np.dtype(np.float16): "HalfStorage", np.dtype(np.int64): "LongStorage",
    np.dtype(np.int32): "IntStorage", np.dtype(np.int16): "ShortStorage",
    np.dtype(np.int8): "CharStorage", np.dtype(np.uint8): "ByteStorage",
    np.dtype(np.bool_): "BoolStorage",
}
_ALIGNMENT = 64


class _Op:
    """The protocol-2 pickle opcodes this writer emits."""

    PROTO, STOP, MARK, TUPLE, EMPTY_TUPLE = b"\x80", b".", b"(", b"t", b")"
    EMPTY_LIST, APPENDS, EMPTY_DICT, SETITEMS, REDUCE = b"]", b"e", b"}", b"u", b"R"
    GLOBAL, BINUNICODE, BININT1, BININT, LONG1 = b"c", b"X", b"K", b"J", b"\x8a"
    BINFLOAT, NONE, NEWTRUE, NEWFALSE, BINPERSID = b"G", b"N", b"\x88", b"\x89", b"Q"
    NEWOBJ, BUILD, BINPUT, LONG_BINPUT = b"\x81", b"b", b"q", b"r"
    BINGET, LONG_BINGET, TUPLE1 = b"h", b"j", b"\x85"


_ARCHIVE = "archive"


class _PickleWriter:
    """Emits the protocol-2 opcodes of a nested structure of containers, scalars and arrays."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages: list[np.ndarray] = []
        self.memo: dict[int, int] = {}  # id of a tensor or module -> its pickle memo slot

    def recall(self, obj: Any) -> bool:
        """Push ``obj`` again if it was written before (shared weights stay shared)."""
        slot = self.memo.get(id(obj))
        if slot is None:
            return False
        self.op(*((_Op.BINGET, bytes([slot])) if slot < 256
                  else (_Op.LONG_BINGET, struct.pack("<I", slot))))
        return True

    def remember(self, obj: Any) -> None:
        """Store what is on top of the stack as ``obj``'s memo slot."""
        slot = self.memo[id(obj)] = len(self.memo)
        self.op(*((_Op.BINPUT, bytes([slot])) if slot < 256
                  else (_Op.LONG_BINPUT, struct.pack("<I", slot))))

    def op(self, code: bytes, payload: bytes = b"") -> None:
        self.out.write(code + payload)

    def global_(self, module: str, name: str) -> None:
        self.op(_Op.GLOBAL, f"{module}\n{name}\n".encode())

    def string(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.op(_Op.BINUNICODE, struct.pack("<I", len(raw)) + raw)

    def integer(self, value: int) -> None:
        if 0 <= value < 256:
            self.op(_Op.BININT1, bytes([value]))
        elif -(2**31) <= value < 2**31:
            self.op(_Op.BININT, struct.pack("<i", value))
        else:
            raw = value.to_bytes(value.bit_length() // 8 + 1, "little", signed=True)
            self.op(_Op.LONG1, bytes([len(raw)]) + raw)

    def int_tuple(self, values: tuple[int, ...]) -> None:
        self.op(_Op.MARK)
        for v in values:
            self.integer(int(v))
        self.op(_Op.TUPLE)

    def empty_ordered_dict(self) -> None:
        self.global_("collections", "OrderedDict")
        self.op(_Op.EMPTY_TUPLE)
        self.op(_Op.REDUCE)

    def tensor(self, array: np.ndarray, what: str) -> None:
        """``_rebuild_tensor_v2((storage), 0, size, stride, False, OrderedDict())``."""
        array = np.asarray(array, order="C")  # ascontiguousarray would make 0-d arrays 1-d
        if array.dtype not in STORAGE_NAMES:
            raise TypeError(f"save: tensor {what} has dtype {array.dtype}, which PyTorch files "
                            "can't hold")
        key = str(len(self.storages))
        self.storages.append(array)
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.op(_Op.MARK)
        self.op(_Op.MARK)  # the persistent id: ('storage', type, key, 'cpu', numel)
        self.string("storage")
        self.global_("torch", STORAGE_NAMES[array.dtype])
        self.string(key)
        self.string("cpu")
        self.integer(int(array.size))
        self.op(_Op.TUPLE)
        self.op(_Op.BINPERSID)
        self.integer(0)
        self.int_tuple(array.shape)
        strides = [1] * array.ndim
        for axis in range(array.ndim - 2, -1, -1):
            strides[axis] = strides[axis + 1] * array.shape[axis + 1]
        self.int_tuple(tuple(strides))
        self.op(_Op.NEWFALSE)
        self.empty_ordered_dict()
        self.op(_Op.TUPLE)
        self.op(_Op.REDUCE)

    def value(self, obj: Any, what: str) -> None:
        from ember.nn.modules.module import Module
        from ember.nn.parameter import Parameter
        from ember.tensor import Tensor

        if isinstance(obj, (Tensor, Module)) and self.recall(obj):
            return
        if isinstance(obj, Parameter):
            self.global_("torch._utils", "_rebuild_parameter")
            self.op(_Op.MARK)
            self.tensor(obj._data, what)
            self.op(_Op.NEWTRUE if obj.requires_grad else _Op.NEWFALSE)
            self.empty_ordered_dict()
            self.op(_Op.TUPLE)
            self.op(_Op.REDUCE)
            self.remember(obj)
        elif isinstance(obj, Tensor):
            self.tensor(obj._data, what)
            self.remember(obj)
        elif isinstance(obj, Module):
            self.module(obj, what)
        elif isinstance(obj, type) and issubclass(obj, Module):  # e.g. a norm_layer class
            self.global_(*class_location(obj, what))
        elif isinstance(obj, set):
            self.global_("builtins", "set")  # set(list): how protocol 2 writes a set
            self.value(sorted(obj, key=repr), what)
            self.op(_Op.TUPLE1)
            self.op(_Op.REDUCE)
        elif functional_name(obj) is not None:  # an activation kept by a layer
            self.global_("ember.nn.functional", functional_name(obj))
        elif isinstance(obj, np.ndarray):
            self.tensor(obj, what)
        elif obj is None:
            self.op(_Op.NONE)
        elif isinstance(obj, (bool, np.bool_)):
            self.op(_Op.NEWTRUE if obj else _Op.NEWFALSE)
        elif isinstance(obj, (int, np.integer)):
            self.integer(int(obj))
        elif isinstance(obj, (float, np.floating)):
            self.op(_Op.BINFLOAT, struct.pack(">d", float(obj)))
        elif isinstance(obj, str):
            self.string(obj)
        elif isinstance(obj, Mapping):
            self.mapping(obj, what)
        elif isinstance(obj, (list, tuple)):
            self.op(_Op.EMPTY_LIST if isinstance(obj, list) else _Op.MARK)
            if isinstance(obj, list):
                self.op(_Op.MARK)
            for index, item in enumerate(obj):
                self.value(item, f"{what}[{index}]")
            self.op(_Op.APPENDS if isinstance(obj, list) else _Op.TUPLE)
        else:
            raise TypeError(f"save: can't store a {type(obj).__name__} at {what}; PyTorch "
                            "weights files hold tensors, numbers, strings, lists and dicts "
                            "(and whole models made of ember's nn.Module classes)")

    def module(self, obj: Any, what: str) -> None:
        """``cls.__new__(cls)`` then BUILD with the attribute dict, as pickle writes objects."""
        self.global_(*class_location(type(obj), what))
        self.op(_Op.EMPTY_TUPLE)
        self.op(_Op.NEWOBJ)
        self.remember(obj)
        self.op(_Op.EMPTY_DICT)
        self.op(_Op.MARK)
        for key, item in obj.__dict__.items():
            self.string(key)
            self.value(item, f"{what}.{key}")
        self.op(_Op.SETITEMS)
        self.op(_Op.BUILD)

    def mapping(self, obj: Mapping, what: str) -> None:
        # state dicts are OrderedDicts in PyTorch; other mappings stay plain dicts
        from collections import OrderedDict

        if isinstance(obj, OrderedDict):
            self.empty_ordered_dict()
        else:
            self.op(_Op.EMPTY_DICT)
        self.op(_Op.MARK)
        for key, item in obj.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"save: keys must be str or int, got {key!r} in {what}")
            self.value(key, what)
            self.value(item, f"{what}[{key!r}]")
        self.op(_Op.SETITEMS)


def torch_file_bytes(obj: Any) -> bytes:
    """The bytes of a ``torch.save``-compatible zip holding ``obj``."""
    writer = _PickleWriter()
    writer.op(_Op.PROTO, b"\x02")
    writer.value(obj, "top")
    writer.op(_Op.STOP)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        def add(name: str, data: bytes, align: bool = False) -> None:
            info = zipfile.ZipInfo(f"{_ARCHIVE}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            if align:  # pad the local header's extra field so the data starts aligned
                start = buffer.tell() + 30 + len(info.filename.encode()) + 4
                info.extra = struct.pack("<HH", 0x4246, -start % _ALIGNMENT) + \
                    b"Z" * (-start % _ALIGNMENT)
            archive.writestr(info, data)

        add("data.pkl", writer.out.getvalue())
        add("byteorder", b"little")
        for key, array in enumerate(writer.storages):
            add(f"data/{key}", array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(),
                align=True)
        add("version", b"3\n")
        add(".data/serialization_id", os.urandom(20).hex().encode())
    return buffer.getvalue()
