"""Assigning ``.grad`` is checked at the assignment, as PyTorch checks it."""

from __future__ import annotations

import pytest

import ember


def test_a_number_is_refused_as_a_gradient() -> None:
    t = ember.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="expected to be a Tensor or None but got grad of type "
                                        "float"):
        t.grad = 0.0


def test_a_gradient_of_another_shape_or_dtype_is_refused() -> None:
    t = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient of size '\[3\]' to a tensor of size"):
        t.grad = ember.ones(3)
    with pytest.raises(RuntimeError, match="dtype"):
        t.grad = ember.ones(2, dtype=ember.float64)
    assert t.grad is None


def test_a_matching_tensor_or_none_is_taken() -> None:
    t = ember.ones(2, requires_grad=True)
    t.grad = ember.full((2,), 3.0)
    assert t.grad.tolist() == [3.0, 3.0]
    t.grad = None
    assert t.grad is None
