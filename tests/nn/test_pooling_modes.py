"""Pooling's ``ceil_mode`` and ``return_indices``, and its errors, as PyTorch has them."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember.autograd import gradcheck


def leaf(*shape, seed=0):
    values = np.random.default_rng(seed).standard_normal(shape)
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


def test_ceil_mode_keeps_the_last_partial_window():
    x = ember.arange(25.0).reshape(1, 1, 5, 5)
    assert F.max_pool2d(x, 2).shape == (1, 1, 2, 2)
    out = F.max_pool2d(x, 2, ceil_mode=True)
    assert out.tolist() == [[[[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]]]
    # The partial windows average only the cells they cover.
    mean = F.avg_pool2d(x, 2, ceil_mode=True)
    assert mean[0, 0, 2].tolist() == [20.5, 22.5, 24.0]


def test_ceil_mode_drops_a_window_that_would_start_in_the_padding():
    x = ember.randn(1, 1, 6, 6)
    # ceil((6 + 2 - 3) / 2) + 1 = 4 windows; the 4th starts at row 6 = H + padding - 1: kept.
    assert F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True).shape == (1, 1, 4, 4)
    # kernel 2, stride 2, padding 1 on 4 rows: a 4th window would start in the right padding.
    assert F.max_pool2d(ember.randn(1, 1, 4, 4), 2, padding=1, ceil_mode=True).shape == \
        (1, 1, 3, 3)


def test_return_indices_are_flat_positions_of_the_first_maximum():
    x = ember.tensor([[[[1.0, 5.0, 5.0, 0.0],
                        [2.0, 3.0, 4.0, 7.0],
                        [0.0, 0.0, 9.0, 9.0]]]])
    out, indices = F.max_pool2d(x, 2, ceil_mode=True, return_indices=True)
    assert out.tolist() == [[[[5.0, 7.0], [0.0, 9.0]]]]
    assert indices.tolist() == [[[[1, 7], [8, 10]]]]
    assert indices.dtype == ember.int64


def test_modules_pass_ceil_mode_and_return_indices():
    x = ember.randn(2, 3, 5, 5)
    out, indices = nn.MaxPool2d(2, ceil_mode=True, return_indices=True)(x)
    assert out.shape == indices.shape == (2, 3, 3, 3)
    assert nn.AvgPool2d(2, ceil_mode=True)(x).shape == (2, 3, 3, 3)
    unbatched, unbatched_indices = F.max_pool2d(x[0], 2, return_indices=True)
    assert unbatched.shape == unbatched_indices.shape == (3, 2, 2)


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 2, "stride": 1, "dilation": 2, "ceil_mode": True},
])
def test_max_pool2d_ceil_mode_gradcheck(kwargs):
    assert gradcheck(lambda x: F.max_pool2d(x, **kwargs), (leaf(2, 2, 7, 6),))


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": 2, "ceil_mode": True, "divisor_override": 3},
])
def test_avg_pool2d_ceil_mode_gradcheck(kwargs):
    assert gradcheck(lambda x: F.avg_pool2d(x, **kwargs), (leaf(2, 2, 7, 6),))


def assert_max_pool2d_matches_torch(torch, x_np, args, rng):
    """Values, return_indices and the gradient of a random output gradient, as in PyTorch."""
    args = (*args, True)  # return_indices
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    (out, indices), (t_out, t_indices) = F.max_pool2d(x, *args), torch.nn.functional.max_pool2d(
        tx, *args)
    np.testing.assert_array_equal(out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    seed = rng.standard_normal(tuple(t_out.shape))
    out.backward(ember.tensor(seed, dtype=ember.float64))
    t_out.backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)


MAX_CASES = [(2, 2, 0, 1), (2, 2, 1, 1), (3, 2, 1, 1), (3, 3, 1, 1), (2, 1, 1, 2), (3, 2, 0, 2)]


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("kernel, stride, padding, dilation", MAX_CASES)
def test_max_pool2d_values_indices_and_gradient_match_torch(kernel, stride, padding, dilation,
                                                            ceil_mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(kernel * 10 + stride)
    x_np = rng.standard_normal((2, 3, 7, 6))
    x_np[0, 0, :3, :3] = 0.0  # ties, as after a ReLU
    assert_max_pool2d_matches_torch(torch, x_np, (kernel, stride, padding, dilation, ceil_mode),
                                    rng)


@pytest.mark.parametrize("channels_last", [False, True], ids=["nchw", "channels-last"])
def test_max_pool2d_2x2_routes_ties_to_the_first_and_nan_to_the_last_as_torch(channels_last):
    """PyTorch scans a window row by row and takes a later element if it is greater or NaN."""
    torch = pytest.importorskip("torch")
    nan, inf = float("nan"), float("inf")
    windows = [[1, nan, 3, 2], [nan, 1, nan, 0], [nan, nan, 1, 2], [0, 0, 0, 0], [1, 5, 5, 2],
               [-inf, -inf, -inf, -inf], [inf, 2, inf, nan], [4, 4, 4, 4]]
    # Each 2x2 window in its own channel: (1, C, 2, 2), in row-major window order.
    x_np = np.array(windows, dtype=np.float64).reshape(1, len(windows), 2, 2)
    x_np = np.concatenate([x_np, x_np[:, ::-1]], axis=3)  # and mirrored, beside
    if channels_last:  # the layout ember's convolutions hand to the pool
        x_np = np.ascontiguousarray(x_np.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    out, t_out = F.max_pool2d(x, 2), torch.nn.functional.max_pool2d(tx, 2)
    np.testing.assert_array_equal(out.detach().numpy(), t_out.detach().numpy())
    seed = np.arange(1.0, 1.0 + t_out.numel()).reshape(tuple(t_out.shape))
    out.backward(ember.tensor(seed, dtype=ember.float64))
    t_out.backward(torch.tensor(seed))
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (2, 1, 0), (3, 3, 0), (2, 2, 1)])
def test_max_pool2d_nan_and_ties_route_as_torch_for_any_window(kernel, stride, padding):
    """Overlapping and padded windows: values, indices and gradients where NaNs and ties sit."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(kernel + 10 * stride)
    x_np = rng.integers(0, 3, (2, 3, 7, 6)).astype(np.float64)  # many ties
    x_np[rng.random(x_np.shape) < 0.15] = np.nan
    assert_max_pool2d_matches_torch(torch, x_np, (kernel, stride, padding, 1, False), rng)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 5])
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (3, 3, 1), (2, 3, 1)])
def test_avg_pool2d_ceil_mode_matches_torch(kernel, stride, padding, count_include_pad,
                                            divisor_override):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(kernel * 10 + stride)
    x_np = rng.standard_normal((2, 3, 7, 6))
    args = (kernel, stride, padding, True, count_include_pad, divisor_override)
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    out, t_out = F.avg_pool2d(x, *args), torch.nn.functional.avg_pool2d(tx, *args)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=1e-12)
    seed = rng.standard_normal(tuple(t_out.shape))
    out.backward(ember.tensor(seed, dtype=ember.float64))
    t_out.backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("action, pattern", [
    (lambda: F.max_pool2d(ember.randn(5, 5), 2), r"max_pool2d: expected input .*\(5, 5\)"),
    (lambda: F.max_pool2d(ember.randn(1, 1, 5, 5), 2, padding=2), "at most half"),
    (lambda: F.max_pool2d(ember.randn(1, 1, 5, 5), 6), r"too small.*output size \(0, 0\)"),
    (lambda: F.max_pool2d(ember.randn(1, 1, 5, 5), 2, stride=0), "must be positive"),
    (lambda: F.max_pool2d(ember.randn(1, 1, 5, 5), (2, 2, 2)), "kernel_size must be"),
    (lambda: F.avg_pool2d(ember.randn(1, 1, 5, 5), 2, divisor_override=0), "must not be zero"),
    (lambda: F.adaptive_avg_pool2d(ember.randn(5, 5), 2), r"\(5, 5\)"),
], ids=["ndim", "padding", "too_small", "stride", "kernel", "divisor", "adaptive_ndim"])
def test_pooling_errors_are_runtime_errors_as_in_torch(action, pattern):
    with pytest.raises(RuntimeError, match=pattern):
        action()


def test_adaptive_avg_pool2d_sizes_as_torch():
    assert F.adaptive_avg_pool2d(ember.randn(1, 2, 5, 5), (0, 2)).shape == (1, 2, 0, 2)
    with pytest.raises(RuntimeError, match=">= 0"):
        F.adaptive_avg_pool2d(ember.randn(1, 2, 5, 5), (-1, 2))
    with pytest.raises(RuntimeError, match="2 values"):
        F.adaptive_avg_pool2d(ember.randn(1, 2, 5, 5), (2, 3, 4))
    with pytest.raises(RuntimeError, match="non-empty"):
        F.adaptive_avg_pool2d(ember.randn(1, 2, 0, 5), 2)
