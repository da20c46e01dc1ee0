"""max/min/median/mode/sort/topk return PyTorch's named pairs, for ``dim`` and ``axis`` alike,
with PyTorch's values, tie-breaking indices and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

ROWS = [[3.0, 1.0, 2.0, 2.0], [0.0, 5.0, 5.0, 1.0]]


@pytest.mark.parametrize("op", ["max", "min", "median", "mode"])
@pytest.mark.parametrize("how", [{"dim": 1}, {"axis": 1}, {"dim": 1, "keepdim": True},
                                 {"axis": -1, "keepdims": True}])
def test_reductions_over_a_dim_return_a_named_pair(op, how):
    result = getattr(ember.tensor(ROWS), op)(**how)
    values, indices = result  # a tuple
    assert result.values is values and result.indices is indices
    assert type(result).__name__ == op
    assert repr(result).startswith(f"ember.return_types.{op}(\nvalues=tensor(")
    assert indices.dtype == ember.int64
    assert values.shape == indices.shape == ((2, 1) if len(how) == 2 else (2,))


def test_documented_values_and_tie_breaking():
    x = ember.tensor(ROWS)
    assert x.max(axis=1).indices.tolist() == [0, 1]  # the first maximum
    assert x.median(1).values.tolist() == [2.0, 1.0]  # the lower middle value
    assert x.median(1).indices.tolist() == [2, 3]
    assert x.mode(1).values.tolist() == [2.0, 5.0]
    assert x.mode(1).indices.tolist() == [3, 2]  # the last occurrence
    assert ember.tensor([1, 2, 2, 1, 3]).mode().values.item() == 1  # the smallest of the ties
    assert x.median().item() == 2.0  # no dim: a tensor over everything
    assert ember.median(x, axis=0).values.tolist() == [0.0, 1.0, 2.0, 1.0]
    assert x.sort(axis=1, descending=True).indices.tolist() == [[0, 2, 3, 1], [1, 2, 3, 0]]
    assert x.topk(2, axis=1).values.tolist() == [[3.0, 2.0], [5.0, 5.0]]
    assert ember.tensor([3, 0, 200], dtype=ember.uint8).sort(descending=True).values.tolist() \
        == [200, 3, 0]


@pytest.mark.parametrize("action, error", [
    (lambda x: x.max(dim=(0, 1)), TypeError),
    (lambda x: x.min(axis=(0, 1)), TypeError),
    (lambda x: x.softmax(dim=(0, 1)), TypeError),
    (lambda x: x.argmax(dim=(0, 1)), TypeError),
    (lambda x: x.max(dim=1, axis=1), TypeError),
    (lambda x: x.max(dim=2), IndexError),
    (lambda x: x.sort(dim=2), IndexError),
    (lambda x: ember.ones(0, 2).median(dim=0), IndexError),
    (lambda x: ember.ones(0, 2).max(dim=0), IndexError),
    (lambda x: x.topk(5), RuntimeError),
])
def test_bad_dims_raise_what_torch_raises(action, error):
    with pytest.raises(error):
        action(ember.tensor(ROWS))


def leaf(*shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, shape) + 0.0 if ties else rng.standard_normal(shape)
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: x.max(dim=1).values,
    lambda x: x.min(axis=0, keepdims=True).values,
    lambda x: x.median(dim=1).values,
    lambda x: x.median(),
    lambda x: x.sort(dim=0, descending=True).values,
    lambda x: x.topk(2, dim=1).values,
    lambda x: x.topk(2, dim=0, largest=False).values,
], ids=["max", "min", "median_dim", "median", "sort", "topk", "topk_smallest"])
def test_selected_values_are_differentiable(fn):
    assert gradcheck(fn, (leaf(4, 5),))


def test_mode_gradient_goes_to_the_reported_position():
    x = ember.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    x.mode(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


@pytest.mark.parametrize("op", ["max", "min", "median", "mode"])
@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)])
def test_pairs_match_torch_with_ties(op, dim, keepdim):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(7).integers(0, 3, (5, 6)).astype(np.float64)
    x = ember.tensor(data, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    ours, theirs = getattr(x, op)(dim, keepdim), getattr(tx, op)(dim, keepdim)
    np.testing.assert_array_equal(ours.values.detach().numpy(), theirs.values.detach().numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    ours.values.sum().backward()
    theirs.values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_sort_and_topk_match_torch_with_ties(descending, dim):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).integers(0, 3, (6, 7)).astype(np.float32)
    x, tx = ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours = x.sort(dim=dim, descending=descending)
    theirs = tx.sort(dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    top, t_top = x.topk(3, dim=dim, largest=descending), tx.topk(3, dim=dim, largest=descending)
    np.testing.assert_array_equal(top.values.detach().numpy(), t_top.values.detach().numpy())
    # Which of several tied elements topk picks is unspecified in PyTorch; without ties the
    # gradient goes where PyTorch sends it.
    distinct = np.random.default_rng(4).permutation(42).reshape(6, 7).astype(np.float32)
    x, tx = ember.tensor(distinct, requires_grad=True), torch.tensor(distinct, requires_grad=True)
    top, t_top = x.topk(3, dim=dim, largest=descending), tx.topk(3, dim=dim, largest=descending)
    np.testing.assert_array_equal(top.indices.numpy(), t_top.indices.numpy())
    weights = np.arange(t_top.values.numel(), dtype=np.float32).reshape(t_top.values.shape)
    (top.values * ember.tensor(weights)).sum().backward()
    (t_top.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_median_of_a_slice_with_nan_is_nan_like_torch():
    torch = pytest.importorskip("torch")
    data = [[1.0, float("nan"), 2.0, float("nan")], [float("nan"), 1.0, 2.0, 0.0]]
    ours, theirs = ember.tensor(data).median(1), torch.tensor(data).median(1)
    assert np.isnan(ours.values.numpy()).all()
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_the_classes_are_public_as_in_torch_return_types():
    x = ember.tensor(ROWS)
    assert isinstance(x.max(1), ember.return_types.max)
    assert isinstance(x.sort(), ember.return_types.sort)
    assert isinstance(x.topk(1), tuple)
