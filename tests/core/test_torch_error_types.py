"""Each mistake raises the exception type PyTorch raises for it (so ``except RuntimeError`` code
written for PyTorch works), with a message naming the op and the shapes involved."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

# (id, mistake written against a module `lib` (ember or torch) and its functional `fn`,
#  the type PyTorch raises, what ember's message must name)
MISTAKES = [
    ("matmul", lambda lib, fn: lib.ones(2, 3) @ lib.ones(2, 3), RuntimeError,
     r"matmul: shapes \(2, 3\) and \(2, 3\)"),
    ("matmul_batch", lambda lib, fn: lib.ones(2, 2, 3) @ lib.ones(3, 3, 2), RuntimeError,
     r"\(2, 2, 3\) and \(3, 3, 2\)"),
    ("mm_3d", lambda lib, fn: lib.mm(lib.ones(2, 3, 3), lib.ones(3, 3)), RuntimeError,
     r"mm: .*\(2, 3, 3\)"),
    ("bmm_2d", lambda lib, fn: lib.bmm(lib.ones(2, 3), lib.ones(3, 3)), RuntimeError,
     r"bmm: .*\(2, 3\)"),
    ("broadcast", lambda lib, fn: lib.ones(2, 3) + lib.ones(3, 2), RuntimeError,
     r"add: shapes \(2, 3\) and \(3, 2\)"),
    ("reshape", lambda lib, fn: lib.ones(2, 3).reshape(4), RuntimeError,
     r"reshape: shape \[4\].*\[2, 3\]"),
    ("view", lambda lib, fn: lib.ones(2, 3).view(5, -1), RuntimeError, r"\[5, -1\].*\[2, 3\]"),
    ("reshape_two_inferred", lambda lib, fn: lib.ones(2, 3).reshape(-1, -1), RuntimeError,
     r"reshape"),
    ("permute_duplicate", lambda lib, fn: lib.ones(2, 3).permute(0, 0), RuntimeError,
     r"permute"),
    ("permute_length", lambda lib, fn: lib.ones(2, 3).permute(0), RuntimeError,
     r"permute: .*\(2, 3\)"),
    ("permute_range", lambda lib, fn: lib.ones(2, 3).permute(0, 2), IndexError, r"permute"),
    ("transpose_range", lambda lib, fn: lib.ones(2, 3).transpose(0, 2), IndexError,
     r"transpose"),
    ("cat_shapes", lambda lib, fn: lib.cat([lib.ones(2, 3), lib.ones(3, 2)]), RuntimeError,
     r"cat: .*\[2, 3\], \[3, 2\]"),
    ("cat_ndim", lambda lib, fn: lib.cat([lib.ones(2, 3), lib.ones(3)]), RuntimeError, r"cat"),
    ("cat_0d", lambda lib, fn: lib.cat([lib.ones(()), lib.ones(())]), RuntimeError,
     r"zero-dimensional"),
    ("cat_empty", lambda lib, fn: lib.cat([]), ValueError, r"cat"),
    ("cat_dim", lambda lib, fn: lib.cat([lib.ones(2, 3)], dim=2), IndexError, r"cat"),
    ("stack_shapes", lambda lib, fn: lib.stack([lib.ones(2), lib.ones(3)]), RuntimeError,
     r"stack"),
    ("stack_empty", lambda lib, fn: lib.stack([]), RuntimeError, r"stack"),
    ("expand", lambda lib, fn: lib.ones(2, 3).expand(4, 3), RuntimeError, r"expand"),
    ("repeat", lambda lib, fn: lib.ones(2, 3).repeat(2), RuntimeError, r"repeat"),
    ("split_sizes", lambda lib, fn: lib.ones(4).split([1, 2]), RuntimeError, r"split"),
    ("split_zero", lambda lib, fn: lib.ones(4).split(0), RuntimeError, r"split"),
    ("chunk_zero", lambda lib, fn: lib.ones(4).chunk(0), RuntimeError, r"chunk"),
    ("flatten_order", lambda lib, fn: lib.ones(2, 3, 4).flatten(2, 1), RuntimeError,
     r"flatten"),
    ("squeeze_range", lambda lib, fn: lib.ones(2, 3).squeeze(3), IndexError, r"squeeze"),
    ("unsqueeze_range", lambda lib, fn: lib.ones(2, 3).unsqueeze(4), IndexError, r"unsqueeze"),
    ("dot", lambda lib, fn: lib.dot(lib.ones(2, 2), lib.ones(2)), RuntimeError, r"dot"),
    ("linear", lambda lib, fn: fn.linear(lib.ones(2, 3), lib.ones(4, 2)), RuntimeError,
     r"linear: .*\(2, 3\).*\(4, 2\)"),
    ("softmax_tuple", lambda lib, fn: lib.ones(2, 3).softmax(dim=(0, 1)), TypeError,
     r"softmax"),
    ("softmax_range", lambda lib, fn: lib.ones(2, 3).softmax(dim=2), IndexError, r"softmax"),
    ("sum_range", lambda lib, fn: lib.ones(2, 3).sum(dim=2), IndexError, r"sum"),
    ("max_tuple", lambda lib, fn: lib.ones(2, 3).max(dim=(0, 1)), TypeError, r"max"),
    ("argmax_tuple", lambda lib, fn: lib.ones(2, 3).argmax(dim=(0, 1)), TypeError, r"argmax"),
    ("max_empty", lambda lib, fn: lib.ones(0).max(), RuntimeError, r"max"),
    ("argmax_empty", lambda lib, fn: lib.ones(0).argmax(), IndexError, r"argmax"),
    ("topk_k", lambda lib, fn: lib.ones(3).topk(5), RuntimeError, r"topk"),
    ("mean_of_integers", lambda lib, fn: lib.ones(3, dtype=lib.int64).mean(), RuntimeError,
     r"mean"),
    ("pad_odd", lambda lib, fn: fn.pad(lib.ones(2, 3), (1, 2, 3)), RuntimeError, r"pad"),
    ("pad_mode", lambda lib, fn: fn.pad(lib.ones(1, 2, 3), (1, 1), mode="bogus"),
     NotImplementedError, r"pad"),
    ("pad_value_in_reflect", lambda lib, fn: fn.pad(lib.ones(1, 2, 3), (1, 1), mode="reflect",
                                                    value=1.0), RuntimeError, r"pad"),
    ("gelu", lambda lib, fn: fn.gelu(lib.ones(2), approximate="fast"), RuntimeError, r"gelu"),
    ("conv2d_channels", lambda lib, fn: fn.conv2d(lib.ones(1, 3, 5, 5), lib.ones(4, 2, 3, 3)),
     RuntimeError, r"conv2d: .*\(4, 2, 3, 3\).*\(1, 3, 5, 5\)"),
    ("conv2d_small", lambda lib, fn: fn.conv2d(lib.ones(1, 3, 2, 2), lib.ones(4, 3, 3, 3)),
     RuntimeError, r"conv2d"),
    ("max_pool2d_small", lambda lib, fn: fn.max_pool2d(lib.ones(1, 1, 2, 2), 3), RuntimeError,
     r"max_pool2d"),
]


@pytest.mark.parametrize("mistake, error, pattern", [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_ember_raises_the_documented_error(mistake, error, pattern):
    with pytest.raises(error, match=pattern):
        mistake(ember, F)


@pytest.mark.parametrize("mistake, error", [m[1:3] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_torch_raises_the_same_type(mistake, error):
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        mistake(torch, torch.nn.functional)


def test_negative_padding_crops_as_in_torch():
    x = ember.arange(12.0).reshape(1, 3, 4)
    assert F.pad(x, (-1, 2, 1, -2)).tolist() == [[[0.0] * 5, [1.0, 2.0, 3.0, 0.0, 0.0]]]


def test_reduction_dtype_argument_casts_first():
    x = ember.tensor([1, 2, 4])
    assert x.mean(dtype=ember.float64).dtype == ember.float64
    assert x.prod(dtype=ember.float32).dtype == ember.float32
    probabilities = ember.ones(2, 3).softmax(dim=1, dtype=ember.float64)
    assert probabilities.dtype == ember.float64
    np.testing.assert_allclose(probabilities.numpy(), 1 / 3)


def test_functional_softmax_without_dim_picks_torchs_implicit_dim():
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.sum(dim=0).numpy(), 1.0, rtol=1e-6)  # dim 0 for 3-D input


@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf"), float("-inf"), "fro", 0.5])
@pytest.mark.parametrize("dim", [None, 1])
def test_norm_orders_match_torch(p, dim):
    torch = pytest.importorskip("torch")
    data = np.array([[0.0, 3.0, -4.0], [1.0, 0.0, 0.5]], dtype=np.float32)
    ours = ember.tensor(data).norm(p=p, dim=dim)
    theirs = torch.tensor(data).norm(p=p, dim=dim)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_norm_zero_counts_non_zeros_and_nuclear_is_refused():
    assert ember.tensor([0.0, 2.0, -1.0]).norm(p=0).item() == 2.0
    with pytest.raises(NotImplementedError, match="nuc"):
        ember.ones(2, 2).norm(p="nuc")


def test_cat_and_stack_refuse_keywords_they_do_not_honour():
    with pytest.raises(TypeError, match="bogus"):
        ember.cat([ember.ones(2)], bogus=1)
    with pytest.raises(TypeError, match="bogus"):
        ember.stack([ember.ones(2)], bogus=1)


def test_sum_dtype_casts_before_summing_as_torch():
    torch = pytest.importorskip("torch")
    data = np.full(10**5, 0.1, dtype=np.float32)
    ours = ember.tensor(data).sum(dtype=ember.float64)
    theirs = torch.tensor(data).sum(dtype=torch.float64)
    assert ours.dtype == ember.float64
    assert ours.item() == theirs.item()
    assert ember.tensor([1, 2], dtype=ember.int32).sum(dtype=ember.int32).dtype == ember.int32


LOSS_MISTAKES = [
    ("label_out_of_range", lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 3])),
     IndexError),
    ("nll_label_out_of_range", lambda lib, fn: fn.nll_loss(lib.zeros(2, 3), lib.tensor([5, 0])),
     IndexError),
    ("float_index_targets", lambda lib, fn: fn.nll_loss(lib.zeros(2, 3), lib.tensor([0.0, 1.0])),
     RuntimeError),
    ("float_targets_of_index_shape",
     lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3), lib.tensor([0.0, 1.0])), RuntimeError),
    ("target_batch_size", lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1, 2])),
     ValueError),
    ("target_spatial_shape",
     lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3, 4), lib.tensor([0, 1])), RuntimeError),
    ("weight_shape", lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]),
                                                      weight=lib.ones(2)), RuntimeError),
    ("label_smoothing", lambda lib, fn: fn.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]),
                                                         label_smoothing=1.5), RuntimeError),
    ("bce_not_probabilities",
     lambda lib, fn: fn.binary_cross_entropy(lib.tensor([2.0]), lib.tensor([1.0])), RuntimeError),
    ("bad_reduction", lambda lib, fn: fn.mse_loss(lib.zeros(2), lib.zeros(2), reduction="avg"),
     ValueError),
]


@pytest.mark.parametrize("mistake, error", [m[1:] for m in LOSS_MISTAKES],
                         ids=[m[0] for m in LOSS_MISTAKES])
def test_loss_mistakes_raise_torchs_type(mistake, error):
    with pytest.raises(error):
        mistake(ember, F)
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        mistake(torch, torch.nn.functional)
