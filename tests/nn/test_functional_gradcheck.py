"""Finite-difference checks (float64) of every new functional op in ember.nn.functional."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck


def leaf(*shape, seed=0, scale=1.0):
    values = np.random.default_rng(seed).standard_normal(shape) * scale
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


@pytest.mark.parametrize("kwargs", [
    {},
    {"stride": 2},
    {"padding": 1},
    {"padding": (2, 0), "stride": (1, 2)},
    {"dilation": 2, "padding": 1},
    {"padding": "same"},
    {"padding": "same", "dilation": 2},
    {"padding": "valid", "stride": 2},
])
def test_conv2d_gradcheck(kwargs):
    x, w, b = leaf(2, 2, 6, 5), leaf(3, 2, 3, 3, seed=1), leaf(3, seed=2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_even_kernel_same_padding_and_no_bias():
    x, w = leaf(1, 2, 5, 4), leaf(2, 2, 2, 2, seed=1)
    out = F.conv2d(x, w, padding="same")
    assert out.shape == (1, 2, 5, 4)
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding="same"), (x, w))


def test_conv2d_unbatched_input():
    x, w = leaf(2, 5, 5), leaf(3, 2, 3, 3, seed=1)
    assert F.conv2d(x, w).shape == (3, 3, 3)
    assert gradcheck(lambda x, w: F.conv2d(x, w, stride=2), (x, w))


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2},
    {"kernel_size": 3, "stride": 1, "padding": 1},
    {"kernel_size": (2, 3), "stride": (1, 2)},
    {"kernel_size": 2, "stride": 1, "dilation": 2},
])
def test_max_pool2d_gradcheck(kwargs):
    x = leaf(2, 2, 7, 6)
    assert gradcheck(lambda x: F.max_pool2d(x, **kwargs), (x,))


def test_max_pool2d_routes_ties_to_the_first_maximum():
    x = ember.zeros(1, 1, 2, 4, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": (3, 2), "stride": 1},
])
def test_avg_pool2d_gradcheck(kwargs):
    x = leaf(2, 2, 6, 5)
    assert gradcheck(lambda x: F.avg_pool2d(x, **kwargs), (x,))


@pytest.mark.parametrize("size", [1, (2, 3), (3, None), 4])
def test_adaptive_avg_pool2d_gradcheck(size):
    x = leaf(2, 2, 5, 7)
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), (x,))


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (3, 3, 2, 2)])
def test_batch_norm_training_gradcheck(shape):
    x, w, b = leaf(*shape), leaf(3, seed=1), leaf(3, seed=2)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))


def test_batch_norm_eval_gradcheck():
    x, w, b = leaf(4, 3, 2, 2), leaf(3, seed=1), leaf(3, seed=2)
    mean = ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64)
    var = ember.tensor([1.5, 0.5, 2.0], dtype=ember.float64)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, mean, var, w, b, training=False), (x, w, b))


def test_batch_norm_without_affine_gradcheck():
    x = leaf(6, 2)
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_embedding_gradcheck_with_repeats_and_padding_idx():
    weight = leaf(5, 3)
    indices = ember.tensor([[0, 2, 2], [4, 2, 1]])
    assert gradcheck(lambda w: F.embedding(indices, w), (weight,))
    # padding_idx deliberately breaks the finite-difference identity: its row gets no gradient.
    F.embedding(indices, weight, padding_idx=1).sum().backward()
    assert weight.grad[2].tolist() == [3.0, 3.0, 3.0]
    assert weight.grad[1].tolist() == [0.0, 0.0, 0.0]
    assert weight.grad[3].tolist() == [0.0, 0.0, 0.0]


def test_conv2d_errors_name_shapes():
    x, w = ember.randn(1, 3, 5, 5), ember.randn(4, 2, 3, 3)
    # PyTorch raises RuntimeError for each of these.
    with pytest.raises(RuntimeError, match=r"\(N, 2, H, W\).*\(1, 3, 5, 5\)"):
        F.conv2d(x, w)
    with pytest.raises(RuntimeError, match="smaller than"):
        F.conv2d(ember.randn(1, 2, 2, 2), w)
    with pytest.raises(RuntimeError, match="strided"):
        F.conv2d(ember.randn(1, 2, 5, 5), w, stride=2, padding="same")


def test_float32_stays_float32():
    x = ember.randn(2, 3, 8, 8, requires_grad=True)
    conv = F.conv2d(x, ember.randn(4, 3, 3, 3), ember.randn(4), padding=1)
    pooled = F.avg_pool2d(F.max_pool2d(conv, 2), 2)
    normed = F.batch_norm(pooled, ember.zeros(4), ember.ones(4), training=True)
    out = F.adaptive_avg_pool2d(normed, 1)
    assert out.dtype == ember.float32
    out.sum().backward()
    assert x.grad.dtype == ember.float32


@pytest.mark.parametrize("size", [4, 5])
def test_max_pool2d_gradient_is_zero_outside_the_windows(size):
    """With an odd size the last row and column belong to no window: their gradient is 0, not
    whatever memory the gradient buffer started with."""
    x = ember.tensor(np.random.default_rng(size).random((2, 3, size, size)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    grad = x.grad.numpy()
    assert set(np.unique(grad)) <= {0.0, 1.0}
    assert grad[..., :4, :4].reshape(2, 3, 2, 2, 2, 2).sum(axis=(3, 5)).tolist() == \
        np.ones((2, 3, 2, 2)).tolist()  # one winner per window
    if size == 5:
        assert not grad[..., 4, :].any() and not grad[..., :, 4].any()
