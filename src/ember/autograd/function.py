"""``ember.autograd.Function``: user-defined ops with their own backward, exactly as in PyTorch.

    class Exp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y

    y = Exp.apply(x)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd.engine import Node
from ember.autograd.grad_mode import STATE, no_grad


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors and any attributes you set."""

    saved_tensors: tuple[Any, ...] = ()
    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self.non_differentiable = {id(t) for t in tensors}


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``.

    ``backward`` returns one gradient (or None) per argument of ``forward``.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, ...)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        from ember.tensor import Tensor

        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, (tuple, list))
        outputs = [result] if single else list(result)
        tensor_args = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        inputs = tuple(args[i] for i in tensor_args)
        if not (STATE.enabled and any(ctx.needs_input_grad)):
            return result
        skip = getattr(ctx, "non_differentiable", set())
        for position, out in enumerate(outputs):
            if not isinstance(out, Tensor) or id(out) in skip or out._data.dtype.kind != "f":
                continue
            if any(out is a for a in inputs):
                out = outputs[position] = Tensor._wrap(out._data)
            out._requires_grad = True
            out._node = Node(f"{cls.__name__}Backward",
                             inputs, _backward_for(cls, ctx, outputs, position, tensor_args),
                             saved=lambda _: [t for t in ctx.saved_tensors
                                              if isinstance(t, Tensor)])
        return outputs[0] if single else type(result)(outputs)


def _backward_for(cls: type[Function], ctx: FunctionCtx, outputs: list[Any], position: int,
                  tensor_args: list[int]) -> Any:
    """The node rule for output ``position``: the other outputs get zero gradients."""
    from ember.tensor import Tensor

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grad_outputs = [
            Tensor._wrap(g) if i == position else
            (Tensor._wrap(np.zeros_like(o._data)) if isinstance(o, Tensor) else None)
            for i, o in enumerate(outputs)
        ]
        with no_grad():
            grads = cls.backward(ctx, *grad_outputs)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < max(tensor_args, default=-1) + 1:
            raise RuntimeError(
                f"{cls.__name__}.backward returned {len(grads)} gradients; forward took "
                f"{max(tensor_args) + 1} arguments, so it must return as many (None for "
                "non-tensors)"
            )
        return tuple(_as_grad_array(grads[i]) for i in tensor_args)

    return backward


def _as_grad_array(grad: Any) -> np.ndarray | None:
    from ember.tensor import Tensor

    if grad is None:
        return None
    return grad._data if isinstance(grad, Tensor) else np.asarray(grad)
