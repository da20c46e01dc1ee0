"""Property tests: for any broadcast-compatible pair of shapes, binary ops agree with NumPy and
each input's gradient has that input's shape and equals the broadcast gradient summed back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ember

SHAPE_PAIRS = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)

# op: (ember op, NumPy value, d(out)/d(a), d(out)/d(b)), all on broadcast arrays
OPS = {
    "add": (lambda a, b: a + b, np.add, lambda a, b: np.ones_like(a), lambda a, b: np.ones_like(b)),
    "sub": (lambda a, b: a - b, np.subtract, lambda a, b: np.ones_like(a),
            lambda a, b: -np.ones_like(b)),
    "mul": (lambda a, b: a * b, np.multiply, lambda a, b: b, lambda a, b: a),
    "div": (lambda a, b: a / b, np.divide, lambda a, b: 1 / b, lambda a, b: -a / b**2),
    "maximum": (ember.maximum, np.maximum, lambda a, b: (a > b) * 1.0, lambda a, b: (a < b) * 1.0),
    "where": (lambda a, b: ember.where(a > 1.2, a, b), lambda a, b: np.where(a > 1.2, a, b),
              lambda a, b: (a > 1.2) * 1.0, lambda a, b: (a <= 1.2) * 1.0),
}


def sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reference for un-broadcasting, written independently of ember's unbroadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@pytest.mark.parametrize("name", list(OPS))
@settings(max_examples=25, deadline=None)
@given(shapes=SHAPE_PAIRS, seed=st.integers(0, 2**16))
def test_broadcast_value_and_gradients(name: str, shapes, seed: int) -> None:
    op, reference, grad_a, grad_b = OPS[name]
    shape_a, shape_b = shapes.input_shapes
    rng = np.random.default_rng(seed)
    # distinct positive values: no ties for maximum, no division by zero
    a_values = rng.uniform(0.5, 2.0, size=shape_a)
    b_values = rng.uniform(0.5, 2.0, size=shape_b) + 1e-3
    a = ember.tensor(a_values, dtype=ember.float64, requires_grad=True)
    b = ember.tensor(b_values, dtype=ember.float64, requires_grad=True)

    out = op(a, b)
    np.testing.assert_allclose(out.detach().numpy(), reference(a_values, b_values))
    assert out.shape == shapes.result_shape

    upstream = rng.normal(size=shapes.result_shape)
    out.backward(ember.tensor(upstream, dtype=ember.float64))
    a_wide, b_wide = np.broadcast_arrays(a_values, b_values)
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    np.testing.assert_allclose(a.grad.numpy(), sum_to_shape(upstream * grad_a(a_wide, b_wide),
                                                            shape_a), atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), sum_to_shape(upstream * grad_b(a_wide, b_wide),
                                                            shape_b), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_where_broadcasts_condition_input_and_other(shapes, seed: int) -> None:
    shape_c, shape_a, shape_b = shapes.input_shapes
    rng = np.random.default_rng(seed)
    condition = rng.random(shape_c) > 0.5
    a = ember.tensor(rng.normal(size=shape_a), dtype=ember.float64, requires_grad=True)
    b = ember.tensor(rng.normal(size=shape_b), dtype=ember.float64, requires_grad=True)
    out = ember.where(ember.tensor(condition), a, b)
    np.testing.assert_array_equal(out.detach().numpy(),
                                  np.where(condition, a.detach().numpy(), b.detach().numpy()))
    out.sum().backward()
    ones = np.ones(shapes.result_shape)
    np.testing.assert_array_equal(a.grad.numpy(), sum_to_shape(ones * condition, shape_a))
    np.testing.assert_array_equal(b.grad.numpy(), sum_to_shape(ones * ~condition, shape_b))
