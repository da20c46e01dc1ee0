"""A pickle reader that builds data and never calls anything it was not handed.

PyTorch's files are pickles (protocol 2). Python's own unpickler can call any global a file
names; this one is a small stack machine over the opcodes that data needs (containers,
numbers, strings, memo, globals, REDUCE, persistent ids), as PyTorch's ``weights_only``
unpickler is. Globals go through ``find_global``, which hands out only harmless stand-ins;
every other opcode (object construction by class, extensions, out-of-band buffers) is refused.
Errors are ``ValueError`` (the caller turns them into ``ModelFileError`` naming the file).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

_MARK = object()  # what MARK pushes on the stack


class PickleError(ValueError):
    """The pickle is damaged, or uses what a weights file has no need for."""


class _Reader:
    def __init__(self, data: bytes, position: int) -> None:
        self.data, self.position = data, position

    def take(self, count: int) -> bytes:
        if count < 0 or self.position + count > len(self.data):
            raise PickleError(f"truncated pickle (wanted {count} bytes at {self.position})")
        chunk = self.data[self.position:self.position + count]
        self.position += count
        return chunk

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def line(self) -> bytes:
        end = self.data.find(b"\n", self.position)
        if end < 0:
            raise PickleError("truncated pickle (a line without its end)")
        chunk = self.data[self.position:end]
        self.position = end + 1
        return chunk


def _pop_mark(stack: list[Any]) -> list[Any]:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] is _MARK:
            items = stack[index + 1:]
            del stack[index:]
            return items
    raise PickleError("pickle has no MARK where one is needed")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PickleError("a string in the pickle is not UTF-8") from None


def unpickle(data: bytes, find_global: Callable[[str, str], Any],
             persistent_load: Callable[[Any], Any], position: int = 0,
             build: Callable[[Any, Any], bool] | None = None,
             new_object: Callable[[Any, Any], Any] | None = None) -> tuple[Any, int]:
    """The object the pickle at ``data[position:]`` describes, and where the pickle ends.

    ``build(obj, state)``, when given, may take a BUILD for a stand-in ``find_global`` handed
    out (returning True); any other BUILD follows the rule below. ``new_object(cls, args)``,
    when given, may answer a NEWOBJ of a stand-in (anything but None); other NEWOBJs are
    refused unless ``cls`` is a plain container."""
    reader = _Reader(data, position)
    stack: list[Any] = []
    memo: dict[int, Any] = {}

    def top() -> Any:
        if not stack or stack[-1] is _MARK:
            raise PickleError("pickle stack underflow")
        return stack[-1]

    def pop() -> Any:
        value = top()
        stack.pop()
        return value

    def call(function: Any, args: Any) -> Any:
        if not callable(function) or not isinstance(args, tuple):
            raise PickleError("REDUCE needs an allowed callable and a tuple of arguments")
        return function(*args)

    while True:
        code = reader.take(1)
        if code == b"\x80":  # PROTO
            reader.take(1)
        elif code == b"\x95":  # FRAME
            reader.take(8)
        elif code == b".":  # STOP
            return pop(), reader.position
        elif code == b"(":
            stack.append(_MARK)
        elif code == b"}":
            stack.append({})
        elif code == b"]":
            stack.append([])
        elif code == b")":
            stack.append(())
        elif code == b"\x8f":
            stack.append(set())
        elif code == b"t":
            stack.append(tuple(_pop_mark(stack)))
        elif code in (b"\x85", b"\x86", b"\x87"):  # TUPLE1..3
            count = code[0] - 0x84
            if len(stack) < count or any(v is _MARK for v in stack[-count:]):
                raise PickleError("pickle stack underflow")
            items = tuple(stack[-count:])
            del stack[-count:]
            stack.append(items)
        elif code == b"l":
            stack.append(_pop_mark(stack))
        elif code == b"d":
            items = _pop_mark(stack)
            stack.append(dict(zip(items[::2], items[1::2])))
        elif code == b"a":
            value = pop()
            _append(top(), [value])
        elif code == b"e":
            items = _pop_mark(stack)
            _append(top(), items)
        elif code == b"s":
            value, key = pop(), pop()
            _set_items(top(), [key, value])
        elif code == b"u":
            items = _pop_mark(stack)
            _set_items(top(), items)
        elif code == b"\x90":  # ADDITEMS
            items = _pop_mark(stack)
            target = top()
            if not isinstance(target, set):
                raise PickleError("ADDITEMS on something that is not a set")
            target.update(items)
        elif code == b"N":
            stack.append(None)
        elif code == b"\x88":
            stack.append(True)
        elif code == b"\x89":
            stack.append(False)
        elif code == b"J":
            stack.append(reader.unpack("<i"))
        elif code == b"K":
            stack.append(reader.unpack("<B"))
        elif code == b"M":
            stack.append(reader.unpack("<H"))
        elif code in (b"\x8a", b"\x8b"):  # LONG1, LONG4
            size = reader.unpack("<B" if code == b"\x8a" else "<i")
            stack.append(int.from_bytes(reader.take(size), "little", signed=True))
        elif code == b"G":
            stack.append(reader.unpack(">d"))
        elif code in (b"X", b"\x8c", b"\x8d"):  # BINUNICODE, SHORT_, 8
            size = reader.unpack({b"X": "<I", b"\x8c": "<B", b"\x8d": "<Q"}[code])
            stack.append(_text(reader.take(size)))
        elif code in (b"B", b"C", b"\x8e"):  # BINBYTES, SHORT_, 8
            size = reader.unpack({b"B": "<I", b"C": "<B", b"\x8e": "<Q"}[code])
            stack.append(reader.take(size))
        elif code in (b"T", b"U"):  # BINSTRING, SHORT_BINSTRING (Python 2 str)
            size = reader.unpack("<i" if code == b"T" else "<B")
            stack.append(reader.take(size).decode("latin-1"))
        elif code == b"c":  # GLOBAL
            module, name = _text(reader.line()), _text(reader.line())
            stack.append(find_global(module, name))
        elif code == b"\x93":  # STACK_GLOBAL
            name, module = pop(), pop()
            if not (isinstance(module, str) and isinstance(name, str)):
                raise PickleError("STACK_GLOBAL needs two strings")
            stack.append(find_global(module, name))
        elif code == b"R":  # REDUCE
            args = pop()
            stack.append(call(pop(), args))
        elif code == b"\x81":  # NEWOBJ: only for the container classes find_global allows
            args, cls = pop(), pop()
            made = new_object(cls, args) if new_object is not None else None
            if made is not None:
                stack.append(made)
                continue
            if cls not in (OrderedDict, set, dict, list):
                raise PickleError("NEWOBJ of a class a weights file does not hold")
            stack.append(call(cls, args))
        elif code == b"b":  # BUILD: PyTorch sets a state dict's _metadata this way
            state = pop()
            if build is not None and build(top(), state):
                continue
            if not isinstance(top(), OrderedDict):
                raise PickleError(f"BUILD on a {type(top()).__name__}, which a weights file "
                                  "never needs")
            del state  # module version records, not weights: ember's state dicts don't use them
        elif code == b"Q":  # BINPERSID
            stack.append(persistent_load(pop()))
        elif code in (b"q", b"r"):  # BINPUT, LONG_BINPUT
            memo[reader.unpack("<B" if code == b"q" else "<I")] = top()
        elif code == b"\x94":  # MEMOIZE
            memo[len(memo)] = top()
        elif code in (b"h", b"j"):  # BINGET, LONG_BINGET
            key = reader.unpack("<B" if code == b"h" else "<I")
            if key not in memo:
                raise PickleError(f"pickle refers to memo entry {key}, never stored")
            stack.append(memo[key])
        elif code == b"0":
            pop()
        elif code == b"1":
            _pop_mark(stack)
        elif code == b"2":
            stack.append(top())
        else:
            raise PickleError(f"pickle opcode {code!r} is not one a weights file needs")


def _append(target: Any, items: list[Any]) -> None:
    if not isinstance(target, list):
        raise PickleError(f"APPEND to a {type(target).__name__}")
    target.extend(items)


def _set_items(target: Any, items: list[Any]) -> None:
    if not isinstance(target, dict) or len(items) % 2:
        raise PickleError("SETITEMS needs a dict and key-value pairs")
    for key, value in zip(items[::2], items[1::2]):
        try:
            target[key] = value
        except TypeError:
            raise PickleError(f"an unhashable dict key ({type(key).__name__})") from None
