"""Module hooks, as PyTorch runs them: forward pre-hooks, forward hooks, full backward hooks.

A full backward hook needs the gradients with respect to the module's inputs and outputs. As in
PyTorch, the call wraps each tensor input and output in an identity node: the output nodes record
``grad_output``, and the input nodes, once every input's gradient has arrived, call
``hook(module, grad_input, grad_output)`` and pass on the gradient it returns, if any.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd.grad_mode import STATE
from ember.tensor import Tensor


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    hooks = module.__dict__
    for hook, with_kwargs in list(hooks.get("_forward_pre_hooks", {}).values()):
        result = hook(module, args, kwargs) if with_kwargs else hook(module, args)
        if result is not None:
            if with_kwargs:
                args, kwargs = result
            else:
                args = result if isinstance(result, tuple) else (result,)
    backward_hooks = list(hooks.get("_backward_hooks", {}).values())
    state = _BackwardState(module, backward_hooks) if backward_hooks and STATE.enabled else None
    if state is not None:
        args = state.wrap_inputs(args)
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs in list(hooks.get("_forward_hooks", {}).values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if state is not None:
        output = state.wrap_outputs(output)
    return output


class _BackwardState:
    """One call's gradients, gathered for the module's full backward hooks."""

    def __init__(self, module: Any, hooks: list[Any]) -> None:
        self.module, self.hooks = module, hooks
        self.positions: list[int] = []  # which args are tensors
        self.grad_inputs: list[np.ndarray | None] = []
        self.waiting = 0
        self.grad_outputs: list[np.ndarray | None] = []

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        wrapped = list(args)
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.grad_inputs = [None] * len(self.positions)
        for slot, i in enumerate(self.positions):
            if args[i].requires_grad:
                self.waiting += 1
                wrapped[i] = _identity(args[i], self._input_rule(slot))
        return tuple(wrapped)

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        outputs = [output] if single else list(output) if isinstance(output, (tuple, list)) else []
        tensors = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        if not tensors:
            return output
        self.grad_outputs = [None] * len(outputs)
        self.outputs_left = len(tensors)
        for i in tensors:
            outputs[i] = _identity(outputs[i], self._output_rule(i))
        return outputs[0] if single else type(output)(outputs)

    def _output_rule(self, index: int) -> Any:
        def rule(g: np.ndarray) -> np.ndarray:
            self.grad_outputs[index] = g
            self.outputs_left -= 1
            if self.outputs_left == 0 and self.waiting == 0:
                self._call_hooks()  # no input needs a gradient: the hook fires now, as PyTorch's
            return g
        return rule

    def _input_rule(self, slot: int) -> Any:
        def rule(g: np.ndarray) -> np.ndarray:
            self.grad_inputs[slot] = g
            self.waiting -= 1
            if self.waiting == 0:
                replaced = self._call_hooks()
                if replaced is not None:
                    return replaced[slot]
            return g
        return rule

    def _call_hooks(self) -> list[np.ndarray | None] | None:
        as_tensors = tuple(None if g is None else Tensor._wrap(g) for g in self.grad_inputs)
        grad_output = tuple(None if g is None else Tensor._wrap(g) for g in self.grad_outputs)
        replaced: list[np.ndarray | None] | None = None
        for hook in self.hooks:
            result = hook(self.module, as_tensors, grad_output)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(as_tensors):
                raise RuntimeError(f"backward hook returned {len(result)} gradients; the module "
                                   f"has {len(as_tensors)} tensor inputs")
            if sum(g is not None for g in self.grad_inputs) > 1:
                raise NotImplementedError(
                    "register_full_backward_hook: replacing grad_input of a module with several "
                    "tensor inputs that need gradients is not supported"
                )
            as_tensors = result
            replaced = [None if r is None else np.asarray(getattr(r, "_data", r)) for r in result]
        return replaced


def _identity(x: Tensor, rule: Any) -> Tensor:
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (rule(g),)

    return Tensor._op(x._data, (x,), backward, "BackwardHookFunctionBackward", saved=())
