"""Tensor and module hooks, as PyTorch calls them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
from ember import nn


def test_a_tensor_hook_sees_the_gradient_and_can_replace_it() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen: list[list[float]] = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    handle = x.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    assert seen == [[6.0, 12.0]]
    assert x.grad.tolist() == [180.0, 360.0]
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_a_hook_needs_a_tensor_that_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_retain_grad_keeps_a_non_leaf_gradient_after_an_in_place_change() -> None:
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [6.0, 6.0]


def _hooked_run(lib: Any, replace: bool) -> dict[str, Any]:
    nn_ = lib.nn
    lin = nn_.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 10))
        lin.bias.copy_(lib.tensor([0.5, -0.5]))
    record: dict[str, Any] = {}

    def pre(module: Any, args: Any) -> Any:
        record["pre"] = args[0].tolist()
        return (args[0] * 2,)

    def post(module: Any, args: Any, output: Any) -> Any:
        record["post"] = output.tolist()
        return output + 1

    def backward(module: Any, grad_input: Any, grad_output: Any) -> Any:
        record["grad_input"] = [None if g is None else g.tolist() for g in grad_input]
        record["grad_output"] = [g.tolist() for g in grad_output]
        return (grad_input[0] * 0.5,) if replace else None

    lin.register_forward_pre_hook(pre)
    lin.register_forward_hook(post)
    lin.register_full_backward_hook(backward)
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = lin(x)
    (out * lib.tensor([[1.0, 3.0]])).sum().backward()
    record["out"] = out.tolist()
    record["x.grad"] = x.grad.tolist()
    record["w.grad"] = lin.weight.grad.tolist()
    return record


@pytest.mark.parametrize("replace", [False, True])
def test_module_hooks_run_as_in_pytorch(replace: bool) -> None:
    torch = pytest.importorskip("torch")
    expected, got = _hooked_run(torch, replace), _hooked_run(ember, replace)
    assert expected.keys() == got.keys()
    for key in expected:
        np.testing.assert_allclose(np.array(got[key], dtype=float),
                                   np.array(expected[key], dtype=float), rtol=1e-6, err_msg=key)


def test_a_backward_hook_on_a_module_whose_input_needs_no_gradient_fires_with_none() -> None:
    lin = nn.Linear(2, 1)
    calls: list[Any] = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go[0].shape)))
    lin(ember.ones(4, 2)).sum().backward()
    assert calls == [((None,), (4, 1))]


def test_removed_module_hooks_no_longer_run() -> None:
    lin = nn.Linear(2, 2)
    handle = lin.register_forward_hook(lambda m, a, o: o * 0)
    assert lin(ember.ones(1, 2)).abs().sum().item() == 0
    handle.remove()
    assert lin(ember.ones(1, 2)).abs().sum().item() > 0
