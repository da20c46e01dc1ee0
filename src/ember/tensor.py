"""``ember.Tensor``: a NumPy array plus what reverse-mode autograd needs to know about it.

The tensor holds its values (``_data``, an ndarray), whether gradients flow to it, the ``Node`` that
produced it (``None`` for leaves), its accumulated ``.grad`` and a version counter for in-place
changes. Every operation lives in ``ember.ops`` beside its gradient rule; the methods here are the
PyTorch-named doorways to them.

The internal contract
---------------------
ember's own packages (``ops``, ``autograd``, ``nn``, ``optim``, ``keras``, ...) reach inside a
tensor through these names, and only these; programs and the ``ember`` command use the public
API (``ember.from_numpy``, ``.detach()``, ``.numpy()``). Changing one of them changes all those
packages.

- ``_data``: the values, an ndarray. Read it freely. Write into it in place only through an op
  that counts the change (below); ``.data = value`` swaps the array itself.
- ``Tensor._wrap(array)``: a leaf around an existing ndarray, not copied and not checked (the
  fast path behind ``ember.from_numpy``); the caller vouches for the dtype.
- ``Tensor._op(array, inputs, backward_fn, name, saves_output=False, saved=None, ctx=None)``: the
  result of a differentiable op; it records a ``Node`` only when grad mode is on and an input
  requires grad. ``backward_fn(grad)`` gets the output's gradient (an ndarray) and returns one
  ndarray or ``None`` per input, of that input's shape (broadcasting undone with
  ``ops._util.unbroadcast``; the engine checks the shape). ``saved`` (which inputs the rule reads:
  ``None`` all, a tuple of positions, or a function of the inputs) and ``saves_output`` say which
  tensors backward checks for in-place changes; ``ctx`` is what the rule's differentiable twin
  needs for ``create_graph=True``.
- ``_requires_grad``: the flag behind ``requires_grad`` (set directly only on a tensor just made).
- ``_node``: the ``autograd.engine.Node`` that produced the tensor; ``None`` for a leaf.
- ``_vc`` and ``_version``: the version counter, a one-element list shared by every alias of the
  same memory (views, ``detach()``; not ``.data``, whose changes autograd does not count, as in
  PyTorch); ``_version`` reads and writes ``_vc[0]``. Whatever changes ``_data`` in place adds 1
  (``x._version += 1``); a ``Node`` keeps ``(counter, version)`` of each tensor it saved, and
  backward raises ``RuntimeError`` naming the op and the shape when they differ.
- ``_base``, ``_view_fn``, ``_view_version``: a view's root base (``None`` for a tensor that owns
  its memory), how to cut the view out of it, and the base version its node was made at; see
  ``ember.ops.views``, whose ``rebase`` is the one way an in-place op is recorded for autograd.
- ``_grad`` (behind ``.grad``) and ``_retains_grad`` (``retain_grad()`` was called); per-tensor
  hooks live in ``__dict__`` (``_grad_hooks``, ``_post_accumulate_grad_hooks``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from ember import devices as _device
from ember import dtypes
from ember.autograd.engine import Node, accumulate_into_grad, run_backward
from ember.autograd.grad_mode import STATE

Scalar = int | float | bool


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "_node", "_vc", "_retains_grad", "_base",
                 "_view_fn", "_view_version", "__weakref__", "__dict__")

    # NumPy should defer to our operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        """``ember.Tensor(...)`` is PyTorch's legacy constructor: ``Tensor([1, 2])`` holds the
        data as the default float dtype, ``Tensor(2, 3)`` is a (2, 3) tensor, ``Tensor()`` an
        empty one and ``Tensor(t)`` an alias of ``t`` (see ``ember._legacy_tensor``).
        ``ember.tensor(data)`` keeps integer data as integers."""
        if cls is not Tensor:  # subclasses (Parameter) build themselves in __init__
            return object.__new__(cls)
        from ember._legacy_tensor import legacy_new

        return legacy_new(*args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to do: ``__new__`` returned a complete tensor."""

    @classmethod
    def _from_data(cls, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A new leaf holding a copy of ``data``: ints stay int64, floats become float32 (the
        rules of ``ember.tensor``)."""
        t = cls._wrap(_to_array(data, dtype))
        if requires_grad:
            t.requires_grad = True
        return t

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """A leaf around an existing array, skipping all checks (internal fast path)."""
        t = object.__new__(cls)
        t._data = array if type(array) is np.ndarray else np.asarray(array)
        t._requires_grad = False
        t._grad = None
        t._node = None
        t._vc = [0]
        t._base = None
        t._retains_grad = False
        return t

    @staticmethod
    def _op(array: np.ndarray, inputs: tuple[Tensor, ...], backward_fn: Any, name: str,
            saves_output: bool = False, saved: Any = None, ctx: Any = None) -> Tensor:
        """The result of an op: records a graph node when grad mode is on and an input needs it.

        ``saved`` says which inputs ``backward_fn`` reads (None: all; a tuple of positions; or a
        function of the inputs returning them) and ``saves_output`` whether it reads the output:
        those are the tensors whose in-place change makes backward raise, as in PyTorch.
        ``ctx`` holds what the op's differentiable rule (``create_graph=True``) needs besides its
        inputs, e.g. the reduced dims.
        """
        t = object.__new__(Tensor)
        # NumPy returns scalars (np.float32) for 0-d results; they can't be updated in place.
        t._data = array if type(array) is np.ndarray else np.asarray(array)
        t._requires_grad = False
        t._grad = None
        t._node = None
        t._vc = [0]
        t._base = None
        t._retains_grad = False
        if STATE.enabled:
            for inp in inputs:
                if inp._requires_grad:
                    t._requires_grad = True
                    t._node = Node(name, inputs, backward_fn, saves_output, saved, t, ctx)
                    break
        return t

    @property
    def _version(self) -> int:
        """In-place changes so far, counted with every alias of this memory (PyTorch's)."""
        return self._vc[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._vc[0] = value

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not value and self._node is not None:
            raise RuntimeError(
                "you can only change requires_grad of leaf tensors; use detach() for a non-leaf"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (leaves, and non-leaves that retain it)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        # PyTorch checks an assigned gradient here, not at the next optimizer step.
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype {value.dtype} to "
                                   f"a tensor of dtype {self.dtype}")
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        if self._base is not None and self._requires_grad:
            _views.refresh_view(self)
        return self._node

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after ``backward()``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        node = self.grad_fn
        if node is not None:
            node.retained = weakref.ref(self)
            self._retains_grad = True

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(self)`` after each backward pass has accumulated into this leaf's ``.grad``.

        Returns a handle whose ``remove()`` unregisters the hook (PyTorch's API).
        """
        if self._node is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from ember.utils.hooks import add_hook

        hooks = self.__dict__.setdefault("_post_accumulate_grad_hooks", {})
        return add_hook(hooks, hook, "register_post_accumulate_grad_hook")

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's gradient each time it is computed.

        The hook may return a tensor to use instead of the gradient. Returns a handle whose
        ``remove()`` unregisters it.
        """
        from ember.utils.hooks import add_hook

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:
            hooks = self.__dict__.setdefault("_grad_hooks", {})
        else:
            if node.hooks is None:
                node.hooks = {}
            hooks = node.hooks
        return add_hook(hooks, hook, "register_hook")

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's values and its version counter, outside any graph."""
        return _views.share_version(Tensor._wrap(self._data), self)

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError("can't detach_() a view; use detach() instead")
        self._node = None
        self._requires_grad = False
        return self

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        A scalar is seeded with one; a non-scalar needs ``gradient`` of its own shape. With
        ``create_graph=True`` the gradients are recorded too (for second derivatives); with
        ``inputs``, only those tensors' ``.grad`` is accumulated.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "nothing it was computed from has requires_grad=True"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {tuple(self.shape)}. Call .sum() first or pass backward(gradient=...)."
                )
            seed = np.ones(self._data.shape, dtype=self._data.dtype)
        else:
            seed = np.array(gradient._data if isinstance(gradient, Tensor) else gradient,
                            dtype=self._data.dtype)
            if seed.shape != self._data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {seed.shape} but the tensor has shape "
                    f"{self._data.shape}"
                )
        if create_graph:
            from ember.autograd.higher_order import run_backward_with_graph

            if inputs is not None:
                raise NotImplementedError("backward(create_graph=True, inputs=...)")
            run_backward_with_graph(self, Tensor._wrap(seed) if not isinstance(
                gradient, Tensor) else gradient)
            return
        if inputs is not None:
            targets = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            found = run_backward(self, seed, bool(retain_graph), inputs=targets) or []
            for t, g in zip(targets, found):
                if g is not None:
                    accumulate_into_grad(t, g, set())
            return
        run_backward(self, seed, retain_graph=bool(retain_graph))

    # ------------------------------------------------------------------ values and metadata
    @property
    def data(self) -> Tensor:
        """This tensor's values as a detached tensor sharing memory (PyTorch's ``.data``).

        Unlike ``detach()``, changes made through it are not counted by autograd (PyTorch's rule).
        """
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> _device.device:
        return _device.CPU

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def numpy(self) -> np.ndarray:
        """The values as an ndarray sharing memory; refuses tensors that record a graph."""
        if self._requires_grad:
            raise RuntimeError(
                "can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()"
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self) -> Scalar:
        if self._data.size != 1:
            raise ValueError(
                f"only one-element tensors can be converted to Python scalars; got shape "
                f"{tuple(self._data.shape)}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data.item())

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return _format_tensor(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if self._node is not None:
            raise RuntimeError("only leaf tensors support deepcopy; detach() it first")
        copy = type(self).__new__(type(self))
        copy._data = self._data.copy()
        copy._requires_grad = self._requires_grad
        copy.grad = None if self.grad is None else Tensor._wrap(self.grad._data.copy())
        copy._node = None
        copy._vc = [0]
        copy._base = None
        copy._retains_grad = False
        copy.__dict__.update(self.__dict__)
        memo[id(self)] = copy
        return copy

    # ------------------------------------------------------------------ dtype conversion
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``, as in PyTorch.

        The CPU is the only device: another one raises, naming it. ``copy=True`` always returns a
        new tensor; ``non_blocking`` has no effect from the CPU to the CPU (as in PyTorch).
        """
        unknown = set(kwargs) - {"dtype", "device", "non_blocking", "copy", "memory_format"}
        if unknown:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(unknown)}")
        if kwargs.get("memory_format") not in (None, "preserve_format"):
            raise NotImplementedError("to(memory_format=...): ember tensors have one layout")
        target = kwargs.get("dtype")
        _device.check_device(kwargs.get("device"), "to")
        for arg in args:
            if isinstance(arg, Tensor):
                target = arg.dtype
            elif isinstance(arg, _device.device) or (isinstance(arg, str) and
                                                     arg.partition(":")[0] in _device.KNOWN_TYPES):
                _device.check_device(arg, "to")
            elif arg is not None and not isinstance(arg, bool):
                target = arg
        result = self if target is None else _ops.cast(self, dtypes.to_numpy_dtype(target))
        return _ops.clone(result) if kwargs.get("copy") and result is self else result

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        _device.check_device("cuda", "cuda()")
        return self

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"ember.{_TYPE_NAMES.get(self._data.dtype.name, self._data.dtype.name)}"
        if getattr(dtype, "is_legacy_tensor_type", False):  # x.type(ember.FloatTensor)
            dtype = dtype.numpy_dtype
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            dtype = {v: k for k, v in _TYPE_NAMES.items()}.get(dtype.split(".")[-1], dtype)
        return self.to(dtype)

    def float(self) -> Tensor:
        return _ops.cast(self, dtypes.float32.numpy)

    def double(self) -> Tensor:
        return _ops.cast(self, dtypes.float64.numpy)

    def half(self) -> Tensor:
        return _ops.cast(self, dtypes.float16.numpy)

    def long(self) -> Tensor:
        return _ops.cast(self, dtypes.int64.numpy)

    def int(self) -> Tensor:
        return _ops.cast(self, dtypes.int32.numpy)

    def bool(self) -> Tensor:
        return _ops.cast(self, dtypes.bool_.numpy)

    def cpu(self) -> Tensor:
        return self

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        return self

    # ------------------------------------------------------------------ arithmetic operators
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other)

    def __invert__(self) -> Tensor:
        return _ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:  # bools give bool, integers their integer dtype
        return _ops.bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _ops.setitem(self, index, value)

    # ------------------------------------------------------------------ in-place updates
    def __iadd__(self, other: Any) -> Tensor:
        return _ops.inplace(self, "add", other)

    def __isub__(self, other: Any) -> Tensor:
        return _ops.inplace(self, "sub", other)

    def __imul__(self, other: Any) -> Tensor:
        return _ops.inplace(self, "mul", other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _ops.inplace(self, "div", other)

    def add_(self, other: Any, alpha: Scalar = 1) -> Tensor:
        return _ops.inplace(self, "add", other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: Scalar = 1) -> Tensor:
        return _ops.inplace(self, "sub", other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        return _ops.inplace(self, "mul", other)

    def div_(self, other: Any) -> Tensor:
        return _ops.inplace(self, "div", other)

    def pow_(self, other: Any) -> Tensor:
        return _ops.inplace(self, "pow", other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _ops.inplace(self, "clamp", (min, max))

    def addcmul_(self, tensor1: Any, tensor2: Any, value: Scalar = 1) -> Tensor:
        return _ops.inplace(self, "add", tensor1 * tensor2 * value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, value: Scalar = 1) -> Tensor:
        return _ops.inplace(self, "add", tensor1 / tensor2 * value)

    def copy_(self, src: Any) -> Tensor:
        return _ops.inplace(self, "copy", src)

    def fill_(self, value: Scalar) -> Tensor:
        return _ops.inplace(self, "copy", value)

    def zero_(self) -> Tensor:
        return _ops.inplace(self, "copy", 0)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        return _ops.inplace(self, "copy", _ops.random_normal(self.shape, mean, std))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        return _ops.inplace(self, "copy", _ops.random_uniform(self.shape, a, b))

    def relu_(self) -> Tensor:
        return _ops.inplace(self, "clamp", (0, None))

    def masked_fill_(self, mask: Any, value: Scalar) -> Tensor:
        return _ops.inplace(self, "copy", _ops.masked_fill(self.detach(), mask, value))

    # ------------------------------------------------------------------ elementwise math
    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _ops.pow(self, -0.5)

    def square(self) -> Tensor:
        return _ops.mul(self, self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def floor(self) -> Tensor:
        return _ops.floor(self)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return _ops.round(self, decimals=decimals) if decimals else _ops.round(self)

    def reciprocal(self) -> Tensor:
        return _ops.div(1.0, self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _ops.clamp(self, min, max)

    clip = clamp

    def add(self, other: Any, alpha: Scalar = 1) -> Tensor:
        return _ops.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: Scalar = 1) -> Tensor:
        return _ops.sub(self, other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode)

    def pow(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    def where(self, condition: Any, other: Any) -> Tensor:
        return _ops.where(condition, self, other)

    # comparisons by name
    def eq(self, other: Any) -> Tensor:
        return _ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return _ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return _ops.ge(self, other)

    def equal(self, other: Tensor) -> bool:
        return bool(self.shape == other.shape and np.array_equal(self._data, other._data))

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        return bool(np.allclose(self._data, _ops.as_array(other), rtol=rtol, atol=atol))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self._data))

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.sum(self, dim, keepdim, **kw)

    def mean(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.mean(self, dim, keepdim, **kw)

    def max(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return _ops.max(self, dim, keepdim, **kw)

    def min(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return _ops.min(self, dim, keepdim, **kw)

    def amax(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.amax(self, dim, keepdim, **kw)

    def amin(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.amin(self, dim, keepdim, **kw)

    def var(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.var(self, dim, keepdim=keepdim, **kw)

    def std(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.std(self, dim, keepdim=keepdim, **kw)

    def prod(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.prod(self, dim, keepdim, **kw)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim, **kw)

    def softmax(self, dim: Any = None, **kw: Any) -> Tensor:
        return _ops.softmax(self, dim, **kw)

    def log_softmax(self, dim: Any = None, **kw: Any) -> Tensor:
        return _ops.log_softmax(self, dim, **kw)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.norm(self, p, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.argmax(self, dim, keepdim, **kw)

    def argmin(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.argmin(self, dim, keepdim, **kw)

    def all(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.all(self, dim, keepdim, **kw)

    def any(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.any(self, dim, keepdim, **kw)

    def sort(self, dim: Any = None, descending: bool = False, **kw: Any) -> Any:
        return _ops.sort(self, dim, descending, **kw)

    def argsort(self, dim: Any = None, descending: bool = False, **kw: Any) -> Tensor:
        return _ops.argsort(self, dim, descending, **kw)

    def topk(self, k: int, dim: Any = None, largest: bool = True, sorted: bool = True,  # noqa: A002
             **kw: Any) -> Any:
        return _ops.topk(self, k, dim, largest, sorted, **kw)

    def median(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return _ops.median(self, dim, keepdim, **kw)

    def mode(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return _ops.mode(self, dim, keepdim, **kw)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (dtypes.dtype, type, np.dtype)):
            return _ops.view_as_dtype(self, shape[0])  # the same bytes read as another dtype
        return _ops.reshape(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def swapaxes(self, dim0: int, dim1: int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return self if self._data.ndim < 2 else _ops.transpose(self, 0, 1)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return _ops.permute(self, tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return _ops.transpose(self, -2, -1)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.permute(self, *dims)

    def expand(self, *sizes: Any) -> Tensor:
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.expand(self, other.shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return _ops.expand(self, shape)

    def repeat(self, *repeats: Any) -> Tensor:
        return _ops.repeat(self, *repeats)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def matmul(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def mm(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def dot(self, other: Any) -> Tensor:
        return _ops.dot(self, other)

    def gather(self, dim: int, index: Any) -> Tensor:
        return _ops.gather(self, dim, index)

    # ---- issue 12 ops: PyTorch's first-lines API and the rest of its tensor methods, each a
    # one-line forward into ember.ops (see the ops' docstrings).
    def __format__(self, spec: str) -> str:
        # f"{loss:>7f}" on a 0-d tensor formats its number, as PyTorch's Tensor.__format__.
        return self.item().__format__(spec) if self._data.ndim == 0 else object.__format__(
            self, spec)

    def _new(self, fill: Any, size: Any, dtype: Any, device: Any, requires_grad: bool,
             name: str) -> Tensor:
        _device.check_device(device, name)
        target = self._data.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
        made = Tensor._wrap(fill(_ops._util.shape_args(size), target))
        return made.requires_grad_(True) if requires_grad else made

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self._new(np.zeros, size, dtype, device, requires_grad, "new_zeros")

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self._new(np.ones, size, dtype, device, requires_grad, "new_ones")

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self._new(np.empty, size, dtype, device, requires_grad, "new_empty")

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self._new(lambda shape, d: np.full(shape, fill_value, dtype=d), (size,), dtype,
                         device, requires_grad, "new_full")

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        _device.check_device(device, "new_tensor")
        return Tensor._from_data(data, dtype=self.dtype if dtype is None else dtype,
                                 requires_grad=requires_grad)

    def scatter(self, dim: int, index: Any, src: Any = None, value: Any = None,
                reduce: Any = None) -> Tensor:
        return _ops.scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim: int, index: Any, src: Any = None, value: Any = None,
                 reduce: Any = None) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.scatter(old, dim, index, src, value, reduce), "scatter_", src)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.scatter_add(old, dim, index, src), "scatter_add_", src)

    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str,
                       include_self: bool = True) -> Tensor:
        return _ops.scatter_reduce(self, dim, index, src, reduce, include_self)

    def scatter_reduce_(self, dim: int, index: Any, src: Any, reduce: str,
                        include_self: bool = True) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.scatter_reduce(old, dim, index, src, reduce, include_self),
            "scatter_reduce_", src)

    def index_add(self, dim: int, index: Any, source: Any, alpha: Any = 1) -> Tensor:
        return _ops.index_add(self, dim, index, source, alpha)

    def index_add_(self, dim: int, index: Any, source: Any, alpha: Any = 1) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.index_add(old, dim, index, source, alpha), "index_add_",
            source)

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        return _ops.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.index_fill(old, dim, index, value), "index_fill_", value)

    def index_select(self, dim: int, index: Any) -> Tensor:
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Tensor:
        return _ops.masked_select(self, mask)

    def take(self, index: Any) -> Tensor:
        return _ops.take(self, index)

    def take_along_dim(self, indices: Any, dim: Any = None) -> Tensor:
        return _ops.take_along_dim(self, indices, dim)

    def nonzero(self, as_tuple: bool = False) -> Any:
        return _ops.nonzero(self, as_tuple)

    def argwhere(self) -> Tensor:
        return _ops.argwhere(self)

    def cumsum(self, dim: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
        return _ops.cumsum(self, dim, dtype, **kw)

    def cumprod(self, dim: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
        return _ops.cumprod(self, dim, dtype, **kw)

    def cummax(self, dim: Any = None, **kw: Any) -> Any:
        return _ops.cummax(self, dim, **kw)

    def cummin(self, dim: Any = None, **kw: Any) -> Any:
        return _ops.cummin(self, dim, **kw)

    def logcumsumexp(self, dim: Any = None, **kw: Any) -> Tensor:
        return _ops.logcumsumexp(self, dim, **kw)

    def nansum(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.nansum(self, dim, keepdim, **kw)

    def nanmean(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.nanmean(self, dim, keepdim, **kw)

    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> Any:
        return _ops.aminmax(self, dim=dim, keepdim=keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _ops.count_nonzero(self, dim)

    def flip(self, *dims: Any) -> Tensor:
        return _ops.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self) -> Tensor:
        return _ops.fliplr(self)

    def flipud(self) -> Tensor:
        return _ops.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _ops.roll(self, shifts, dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _ops.triu(self, diagonal)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return _ops.index_ops.apply_inplace(self, lambda old: _ops.tril(old, diagonal), "tril_")

    def triu_(self, diagonal: int = 0) -> Tensor:
        return _ops.index_ops.apply_inplace(self, lambda old: _ops.triu(old, diagonal), "triu_")

    def diag(self, diagonal: int = 0) -> Tensor:
        return _ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _ops.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return _ops.diag_embed(self, offset, dim1, dim2)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: Any, length: int) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return _ops.unflatten(self, dim, sizes)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return _ops.unfold(self, dimension, size, step)

    def repeat_interleave(self, repeats: Any, dim: Any = None, **kw: Any) -> Tensor:
        return _ops.repeat_interleave(self, repeats, dim, **kw)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return _ops.bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
        return _ops.histc(self, bins, min, max)

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim: Any = None) -> Any:
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: Any = None) -> Any:
        return _ops.unique_consecutive(self, return_inverse, return_counts, dim)

    def var_mean(self, *args: Any, **kw: Any) -> Any:
        return _ops.var_mean(self, *args, **kw)

    def std_mean(self, *args: Any, **kw: Any) -> Any:
        return _ops.std_mean(self, *args, **kw)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return _ops.lerp(self, end, weight)

    def nan_to_num(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> Tensor:
        return Tensor._wrap(np.isclose(self._data, _ops.as_array(other), rtol=rtol, atol=atol,
                                       equal_nan=equal_nan))

    def signbit(self) -> Tensor:
        return _ops.signbit(self)

    def sgn(self) -> Tensor:
        return _ops.sgn(self)

    def fmod(self, other: Any) -> Tensor:
        return _ops.fmod(self, other)

    def remainder(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def floor_divide(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def true_divide(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def atan2(self, other: Any) -> Tensor:
        return _ops.atan2(self, other)

    arctan2 = atan2

    def hypot(self, other: Any) -> Tensor:
        return _ops.hypot(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        return _ops.logaddexp(self, other)

    def copysign(self, other: Any) -> Tensor:
        return _ops.copysign(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return _ops.xlogy(self, other)

    def float_power(self, other: Any) -> Tensor:
        return _ops.float_power(self, other)

    def bitwise_and(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return _ops.bitwise_not(self)

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self)

    def __lshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_right_shift(other, self)

    def logical_and(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.logical_not(self._data))

    def tan(self) -> Tensor:
        return _ops.tan(self)

    def asin(self) -> Tensor:
        return _ops.asin(self)

    def acos(self) -> Tensor:
        return _ops.acos(self)

    def atan(self) -> Tensor:
        return _ops.atan(self)

    def sinh(self) -> Tensor:
        return _ops.sinh(self)

    def cosh(self) -> Tensor:
        return _ops.cosh(self)

    def asinh(self) -> Tensor:
        return _ops.asinh(self)

    def acosh(self) -> Tensor:
        return _ops.acosh(self)

    def atanh(self) -> Tensor:
        return _ops.atanh(self)

    def log2(self) -> Tensor:
        return _ops.log2(self)

    def log10(self) -> Tensor:
        return _ops.log10(self)

    def exp2(self) -> Tensor:
        return _ops.exp2(self)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def fix(self) -> Tensor:
        return _ops.fix(self)

    def frac(self) -> Tensor:
        return _ops.frac(self)

    def erfc(self) -> Tensor:
        return _ops.erfc(self)

    def erfinv(self) -> Tensor:
        return _ops.erfinv(self)

    def sinc(self) -> Tensor:
        return _ops.sinc(self)

    def deg2rad(self) -> Tensor:
        return _ops.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return _ops.rad2deg(self)

    def erf(self) -> Tensor:
        return _ops.erf_op(self)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # Tensor forms of the composites in ops/linalg_extra.py and ops/shape_extra.py.
    def outer(self, other: Tensor) -> Tensor:
        return _ops.outer(self, other)

    def inner(self, other: Tensor) -> Tensor:
        return _ops.inner(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        return _ops.mv(self, vec)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def cross(self, other: Tensor, dim: Any = None) -> Tensor:
        return _ops.cross(self, other, dim)

    def kron(self, other: Tensor) -> Tensor:
        return _ops.kron(self, other)

    def trace(self) -> Tensor:
        return _ops.trace(self)

    def dist(self, other: Tensor, p: float = 2) -> Tensor:
        return _ops.dist(self, other, p)

    def select(self, dim: int, index: int) -> Tensor:
        return _ops.select(self, dim, index)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return _ops.swapdims(self, dim0, dim1)

    def tile(self, *dims: Any) -> Tensor:
        return _ops.tile(self, dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list))
                         else dims)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        return _ops.rot90(self, k, dims)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return _ops.diff(self, n, dim, prepend, append)

    def msort(self) -> Tensor:
        return _ops.msort(self)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _ops.kthvalue(self, k, dim, keepdim)

    def quantile(self, q: Any, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        return _ops.quantile(self, q, dim, keepdim, **kw)

    def logit(self, eps: float | None = None) -> Tensor:
        return _ops.logit(self, eps)

    def heaviside(self, values: Any) -> Tensor:
        return _ops.heaviside(self, values)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return _ops.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return _ops.clamp_max(self, max)

    def subtract(self, other: Any, alpha: Any = 1) -> Tensor:
        return _ops.subtract(self, other, alpha)

    def multiply(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def divide(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode)

    def negative(self) -> Tensor:
        return _ops.neg(self)

    def absolute(self) -> Tensor:
        return _ops.abs(self)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    # In-place elementwise forms, recorded for autograd through the one in-place mechanism.
    def _inplace(self, name: str, *args: Any) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: getattr(_ops, name)(old, *args), f"{name}_",
            *[a for a in args if isinstance(a, Tensor)])

    def exp_(self) -> Tensor:
        return self._inplace("exp")

    def log_(self) -> Tensor:
        return self._inplace("log")

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt")

    def abs_(self) -> Tensor:
        return self._inplace("abs")

    def neg_(self) -> Tensor:
        return self._inplace("neg")

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid")

    def tanh_(self) -> Tensor:
        return self._inplace("tanh")

    def sin_(self) -> Tensor:
        return self._inplace("sin")

    def cos_(self) -> Tensor:
        return self._inplace("cos")

    def square_(self) -> Tensor:
        return self._inplace("square")

    def floor_(self) -> Tensor:
        return self._inplace("floor")

    def ceil_(self) -> Tensor:
        return self._inplace("ceil")

    def round_(self) -> Tensor:
        return self._inplace("round")

    def trunc_(self) -> Tensor:
        return self._inplace("trunc")

    def reciprocal_(self) -> Tensor:
        return self._inplace("reciprocal")

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace("fmod", other)

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace("remainder", other)

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_min", min)

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_max", max)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace("lerp", end, weight)

    def nan_to_num_(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
        return self._inplace("nan_to_num", nan, posinf, neginf)

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        if wrap:
            raise NotImplementedError("fill_diagonal_(wrap=True): not supported")
        mask = np.zeros(self._data.shape, dtype=bool)
        n = min(self._data.shape) if self._data.ndim else 0
        mask[(np.arange(n),) * self._data.ndim] = True
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.masked_fill(old, Tensor._wrap(mask), fill_value),
            "fill_diagonal_")

    # Layout queries: one dense row-major layout, on the CPU.
    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[dim]

    def element_size(self) -> int:
        return int(self._data.itemsize)

    @property
    def itemsize(self) -> int:
        return int(self._data.itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def mH(self) -> Tensor:  # noqa: N802 - PyTorch's name; real tensors: the transpose
        return _ops.transpose(self, -2, -1)

    @property
    def H(self) -> Tensor:  # noqa: N802
        return self.t()

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self.clamp_(min, max)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.tensor_split(self, indices_or_sections, dim)

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return _ops.index_put(self, indices, values, accumulate)

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.index_put(old, indices, values, accumulate), "index_put_",
            values)

    def masked_scatter(self, mask: Any, source: Tensor) -> Tensor:
        return _ops.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Any, source: Tensor) -> Tensor:
        return _ops.index_ops.apply_inplace(
            self, lambda old: _ops.masked_scatter(old, mask, source), "masked_scatter_", source)
    # ---- end of issue 12 ops


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``ember.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an ndarray: floats default to float32, ints to int64."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat_items(data)):
        array = np.array(_unwrap_nested(data))
    else:
        array = np.asarray(data)
    if dtype is not None:
        target = dtypes.to_numpy_dtype(dtype)
    elif array.dtype.kind == "f":
        target = array.dtype if array.dtype != np.float64 else dtypes.DEFAULT_FLOAT
    elif array.dtype.kind in "iub":
        target = array.dtype
    else:
        raise TypeError(
            f"can't make a tensor from data of NumPy dtype {array.dtype}; expected numbers or bools"
        )
    # Always a fresh array: ember.tensor() copies, as torch.tensor() does.
    return np.array(array, dtype=target, copy=True)


def _flat_items(data: Any) -> Any:
    for item in data:
        if isinstance(item, (list, tuple)):
            yield from _flat_items(item)
        else:
            yield item


def _unwrap_nested(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(x) for x in data]
    return data


def _format_tensor(t: Tensor) -> str:
    from ember._tensor_str import format_array  # the layout rules live there

    array = t._data
    extras = []
    default_kinds = {np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_)}
    if array.size == 0:  # as PyTorch: the shape unless (0,), the dtype unless float32
        if array.ndim != 1:
            extras.append(f"size={tuple(array.shape)}")
        if array.dtype != np.float32:
            extras.append(f"dtype={t.dtype}")
    elif array.dtype not in default_kinds:
        extras.append(f"dtype={t.dtype}")
    if t._node is not None:
        extras.append(f"grad_fn={t._node!r}")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return format_array(array, extras)



from ember import ops as _ops  # noqa: E402 - ops need the Tensor class defined above
from ember.ops import views as _views  # noqa: E402
