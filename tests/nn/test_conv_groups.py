"""Grouped and depthwise convolution (``groups=``) and ``Conv2d``'s padding modes."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember.autograd import gradcheck


def leaf(*shape, seed=0):
    values = np.random.default_rng(seed).standard_normal(shape)
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


GROUPED = [
    (4, 6, 2, {}),
    (4, 4, 4, {"stride": 2, "padding": 1}),  # depthwise
    (3, 6, 3, {"padding": (1, 2), "stride": (2, 1)}),  # depthwise with a channel multiplier
    (6, 3, 3, {"dilation": 2, "padding": "same"}),
]


@pytest.mark.parametrize("channels, out_channels, groups, kwargs", GROUPED)
def test_grouped_conv2d_gradcheck(channels, out_channels, groups, kwargs):
    x = leaf(2, channels, 5, 6)
    w = leaf(out_channels, channels // groups, 3, 3, seed=1)
    b = leaf(out_channels, seed=2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, groups=groups, **kwargs), (x, w, b))
    assert gradcheck(lambda x, w: F.conv2d(x, w, groups=groups, **kwargs), (x, w))


def test_grouped_conv2d_is_each_group_convolved_alone():
    x, w = leaf(2, 4, 6, 6), leaf(6, 2, 3, 3, seed=1)
    out = F.conv2d(x, w, groups=2)
    first = F.conv2d(x[:, :2], w[:3])
    second = F.conv2d(x[:, 2:], w[3:])
    both = np.concatenate([first.detach().numpy(), second.detach().numpy()], axis=1)
    np.testing.assert_allclose(out.detach().numpy(), both)


@pytest.mark.parametrize("channels, out_channels, groups, kwargs", GROUPED)
def test_grouped_conv2d_matches_torch(channels, out_channels, groups, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    arrays = (rng.standard_normal((2, channels, 7, 6)),
              rng.standard_normal((out_channels, channels // groups, 3, 3)),
              rng.standard_normal(out_channels))
    x, w, b = (ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in arrays)
    out = F.conv2d(x, w, b, groups=groups, **kwargs)
    expected = torch.nn.functional.conv2d(tx, tw, tb, groups=groups, **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    seed = rng.standard_normal(tuple(expected.shape))
    out.backward(ember.tensor(seed, dtype=ember.float64))
    expected.backward(torch.tensor(seed))
    for mine, theirs in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("kwargs", [
    {"groups": 2},
    {"groups": 4, "padding": 1, "bias": False},  # depthwise
    {"groups": 2, "padding": 1, "padding_mode": "reflect"},
    {"padding": (1, 2), "padding_mode": "replicate"},
    {"padding": "same", "padding_mode": "circular", "dilation": 2},
])
def test_conv2d_layer_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    layer, reference = nn.Conv2d(4, 8, 3, **kwargs), torch.nn.Conv2d(4, 8, 3, **kwargs)
    assert tuple(layer.weight.shape) == tuple(reference.weight.shape)
    layer.load_state_dict(reference.state_dict())
    x_np = np.random.default_rng(0).standard_normal((2, 4, 7, 6)).astype(np.float32)
    x, tx = ember.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    out, expected = layer(x), reference(tx)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-5)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy(),
                               atol=1e-4)
    assert repr(layer) == repr(reference)


def test_conv2d_layer_weight_shape_and_init_bound_follow_groups():
    layer = nn.Conv2d(6, 9, 3, groups=3)
    assert tuple(layer.weight.shape) == (9, 2, 3, 3)
    bound = 1 / np.sqrt(2 * 9)  # fan_in = in_channels / groups * kh * kw
    assert np.abs(layer.bias.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() <= bound


@pytest.mark.parametrize("kwargs, message", [
    ({"groups": 0}, "groups must be a positive integer"),
    ({"groups": 2}, r"in_channels \(3\) must be divisible by groups \(2\)"),
    ({"groups": 3, "padding_mode": "bogus"}, "padding_mode"),
    ({"padding": "full"}, "padding string"),
    ({"padding": "same", "stride": 2}, "strided"),
])
def test_conv2d_layer_rejects_bad_configuration_like_torch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(3, 6, 3, **kwargs)


def test_conv2d_layer_refuses_other_devices():
    with pytest.raises(NotImplementedError, match="device='cuda'"):
        nn.Conv2d(3, 6, 3, device="cuda")
    assert nn.Conv2d(3, 6, 3, device="cpu").weight.shape == (6, 3, 3, 3)


def test_grouped_conv2d_shape_errors_are_runtime_errors_naming_shapes():
    x = ember.randn(1, 3, 5, 5)
    with pytest.raises(RuntimeError, match=r"groups=2.*\(N, 6, H, W\).*\(4, 3, 3, 3\).*"
                                           r"\(1, 3, 5, 5\)"):
        F.conv2d(x, ember.randn(4, 3, 3, 3), groups=2)
    with pytest.raises(RuntimeError, match=r"divisible by 2.*\(3, 2, 3, 3\)"):
        F.conv2d(ember.randn(1, 4, 5, 5), ember.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(RuntimeError, match="non-positive groups"):
        F.conv2d(x, ember.randn(4, 3, 3, 3), groups=0)
