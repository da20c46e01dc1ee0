"""1-D/3-D and transposed convolutions, resampling and the extra pools against PyTorch (float64):
values and the gradients of inputs and weights, as functions and as layers."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


def _torch():
    return pytest.importorskip("torch")


def _array(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _same_values_and_grads(ours, theirs, arrays, atol=1e-10):
    """ours(*ember tensors) and theirs(*torch tensors) agree, and so do all input gradients."""
    torch = _torch()
    inputs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    t_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, t_out = ours(*inputs), theirs(*t_inputs)
    assert tuple(out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=atol)
    seed = np.cos(np.arange(t_out.numel())).reshape(t_out.shape)
    out.backward(ember.tensor(seed, dtype=ember.float64))
    t_out.backward(torch.tensor(seed))
    for a, b in zip(inputs, t_inputs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol)


@pytest.mark.parametrize("name, x_shape, w_shape, kwargs", [
    ("conv1d", (2, 4, 9), (6, 2, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    ("conv1d", (4, 9), (6, 4, 4), {"padding": "same"}),
    ("conv3d", (2, 2, 5, 6, 5), (3, 2, 2, 3, 2),
     {"stride": (2, 1, 2), "padding": (1, 1, 0), "dilation": (1, 2, 1)}),
    ("conv3d", (2, 4, 5, 6, 5), (4, 2, 3, 2, 3), {"padding": "same", "groups": 2}),
    ("conv_transpose1d", (2, 4, 7), (4, 2, 4), {"stride": 3, "padding": 2, "output_padding": 2}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 3),
     {"stride": 2, "padding": 1, "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 2, 3),
     {"stride": (2, 3), "padding": (0, 2), "dilation": (2, 1), "groups": 2}),
    ("conv_transpose2d", (4, 3, 3), (4, 2, 3, 3), {}),
    ("conv_transpose3d", (1, 2, 3, 4, 3), (2, 3, 2, 3, 2),
     {"stride": 2, "padding": 1, "output_padding": (1, 0, 1)}),
])
def test_convolutions_match_pytorch(name, x_shape, w_shape, kwargs):
    torch = _torch()
    out_channels = w_shape[1] * kwargs.get("groups", 1) if "transpose" in name else w_shape[0]
    arrays = [_array(*x_shape), _array(*w_shape, seed=1), _array(out_channels, seed=2)]
    _same_values_and_grads(lambda x, w, b: getattr(F, name)(x, w, b, **kwargs),
                           lambda x, w, b: getattr(torch.nn.functional, name)(x, w, b, **kwargs),
                           arrays)


def test_conv_transpose_refuses_large_output_padding():
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(ember.randn(1, 2, 3, 3), ember.randn(2, 2, 3, 3), output_padding=1)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 2, "padding_mode": "reflect"}, (2, 4, 10)),
    ("Conv3d", (2, 3, 3), {"padding": 1, "bias": False}, (2, 2, 4, 5, 4)),
    ("ConvTranspose1d", (4, 2, 3), {"stride": 2}, (2, 4, 5)),
    ("ConvTranspose2d", (4, 6, 4), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 5, 5)),
    ("ConvTranspose3d", (2, 3, 2), {"stride": 2}, (1, 2, 3, 2, 3)),
])
def test_conv_layers_match_pytorch_and_share_state_dicts(name, args, kwargs, shape):
    torch = _torch()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.weight.shape == theirs.weight.shape
    ours.load_state_dict(theirs.state_dict())
    t_params = list(theirs.parameters())
    params = list(ours.parameters())
    _same_values_and_grads(ours, theirs, [_array(*shape)])
    for a, b in zip(params, t_params):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)


def test_conv_transpose_output_size_argument():
    torch = _torch()
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2).double()
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2).double()
    ours.load_state_dict(theirs.state_dict())
    x = _array(1, 2, 4, 4)
    out = ours(ember.tensor(x, dtype=ember.float64), output_size=(10, 10))
    t_out = theirs(torch.tensor(x), output_size=(10, 10))
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 5), {"scale_factor": 2, "mode": "nearest"}),
    ((2, 3, 5), {"size": 7, "mode": "nearest-exact"}),
    ((2, 3, 5), {"size": 8, "mode": "linear"}),
    ((2, 3, 5), {"scale_factor": 1.7, "mode": "linear", "align_corners": True}),
    ((1, 2, 4, 5), {"size": (7, 3), "mode": "bilinear"}),
    ((1, 2, 4, 5), {"scale_factor": (2, 1.5), "mode": "bilinear", "align_corners": False}),
    ((1, 2, 4, 5), {"size": (9, 6), "mode": "bicubic", "align_corners": True}),
    ((1, 2, 4, 5), {"scale_factor": 2, "mode": "bicubic"}),
    ((1, 2, 6, 7), {"size": (4, 3), "mode": "area"}),
    ((1, 2, 3, 4, 2), {"scale_factor": 2, "mode": "trilinear"}),
    ((1, 2, 3, 4, 2), {"size": (5, 2, 3), "mode": "nearest"}),
])
def test_interpolate_matches_pytorch(shape, kwargs):
    torch = _torch()
    _same_values_and_grads(lambda x: F.interpolate(x, **kwargs),
                           lambda x: torch.nn.functional.interpolate(x, **kwargs),
                           [_array(*shape)])


def test_interpolate_argument_errors():
    x = ember.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(x, scale_factor=2, mode="bilinear", antialias=True)


@pytest.mark.parametrize("name, kwargs, shape", [
    ("max_pool1d", {"kernel_size": 3, "stride": 2, "padding": 1}, (2, 3, 9)),
    ("max_pool1d", {"kernel_size": 2, "dilation": 2, "ceil_mode": True}, (3, 8)),
    ("avg_pool1d", {"kernel_size": 3, "padding": 1, "count_include_pad": False}, (2, 3, 7)),
    ("max_pool3d", {"kernel_size": 2}, (2, 2, 4, 5, 4)),
    ("max_pool3d", {"kernel_size": (3, 2, 2), "stride": 2, "padding": 1}, (1, 2, 5, 5, 4)),
    ("avg_pool3d", {"kernel_size": 2, "stride": 1}, (1, 2, 3, 4, 3)),
    ("avg_pool3d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
     (1, 2, 5, 4, 5)),
    ("avg_pool3d", {"kernel_size": 2, "divisor_override": 3}, (1, 1, 4, 4, 4)),
    ("adaptive_avg_pool1d", {"output_size": 4}, (2, 3, 10)),
    ("adaptive_max_pool2d", {"output_size": (3, 2)}, (2, 3, 7, 5)),
    ("adaptive_max_pool1d", {"output_size": 3}, (2, 3, 8)),
    ("lp_pool2d", {"norm_type": 2, "kernel_size": 2}, (2, 3, 4, 6)),
    ("lp_pool1d", {"norm_type": 3, "kernel_size": 3, "stride": 2}, (2, 3, 7)),
])
def test_pools_match_pytorch(name, kwargs, shape):
    torch = _torch()
    x = _array(*shape)
    if name.startswith("lp_pool"):
        x = np.abs(x) + 0.1  # fractional powers of negatives are nan in both
    _same_values_and_grads(lambda t: getattr(F, name)(t, **kwargs),
                           lambda t: getattr(torch.nn.functional, name)(t, **kwargs), [x])


@pytest.mark.parametrize("name, kwargs, shape", [
    ("max_pool3d", {"kernel_size": 2, "stride": (1, 2, 2)}, (1, 2, 4, 4, 5)),
    ("max_pool1d", {"kernel_size": 3, "stride": 2}, (2, 2, 9)),
    ("adaptive_max_pool2d", {"output_size": 3}, (1, 2, 7, 5)),
])
def test_pool_indices_match_pytorch(name, kwargs, shape):
    torch = _torch()
    x = _array(*shape)
    _, index = getattr(F, name)(ember.tensor(x), return_indices=True, **kwargs)
    _, t_index = getattr(torch.nn.functional, name)(torch.tensor(x), return_indices=True,
                                                    **kwargs)
    np.testing.assert_array_equal(index.numpy(), t_index.numpy())


def test_max_unpool2d_inverts_max_pool2d_like_pytorch():
    torch = _torch()
    x = _array(2, 3, 6, 6)
    _, t_index = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    pooled = _array(2, 3, 3, 3, seed=1)
    _same_values_and_grads(
        lambda p: F.max_unpool2d(p, ember.tensor(t_index.numpy()), 2),
        lambda p: torch.nn.functional.max_unpool2d(p, t_index, 2), [pooled])


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": (2, 3), "stride": 2,
                                                          "padding": 1, "dilation": (1, 2)}])
def test_unfold_and_fold_match_pytorch(kwargs):
    torch = _torch()
    _same_values_and_grads(lambda x: F.unfold(x, **kwargs),
                           lambda x: torch.nn.functional.unfold(x, **kwargs),
                           [_array(2, 3, 6, 7)])
    columns = torch.nn.functional.unfold(torch.tensor(_array(2, 3, 6, 7)), **kwargs).numpy()
    _same_values_and_grads(lambda c: F.fold(c, (6, 7), **kwargs),
                           lambda c: torch.nn.functional.fold(c, (6, 7), **kwargs), [columns])


def test_pixel_shuffle_round_trip_matches_pytorch():
    torch = _torch()
    _same_values_and_grads(lambda x: F.pixel_shuffle(x, 2),
                           lambda x: torch.nn.functional.pixel_shuffle(x, 2),
                           [_array(2, 8, 3, 4)])
    _same_values_and_grads(lambda x: F.pixel_unshuffle(x, 3),
                           lambda x: torch.nn.functional.pixel_unshuffle(x, 3),
                           [_array(1, 2, 6, 9)])


@pytest.mark.parametrize("name, args", [
    ("Upsample", {"scale_factor": 2, "mode": "bilinear"}),
    ("UpsamplingBilinear2d", {"scale_factor": 2}),
    ("PixelShuffle", {"upscale_factor": 2}),
    ("ZeroPad2d", {"padding": (1, 2, 0, 1)}),
    ("ConstantPad2d", {"padding": 1, "value": 3.5}),
    ("ReflectionPad2d", {"padding": (2, 1, 1, 0)}),
    ("ReplicationPad2d", {"padding": 2}),
    ("MaxPool3d", {"kernel_size": 2}),
    ("AvgPool1d", {"kernel_size": 2}),
    ("AdaptiveMaxPool2d", {"output_size": 2}),
    ("LPPool2d", {"norm_type": 2, "kernel_size": 2}),
])
def test_resampling_and_pooling_layers_match_pytorch(name, args):
    torch = _torch()
    shape = {"MaxPool3d": (1, 4, 4, 4, 4), "AvgPool1d": (2, 4, 6)}.get(name, (2, 4, 4, 6))
    x = np.abs(_array(*shape)) + 0.1
    _same_values_and_grads(getattr(nn, name)(**args), getattr(torch.nn, name)(**args), [x])
