"""Parity with PyTorch: the same float32 inputs give the same values and the same gradients.

Each case is written once, as ``fn(lib, F, *inputs)``, and run with ``lib, F = ember, ember F``
and with ``lib, F = torch, torch F``. The backward pass is seeded with a fixed random upstream
gradient so that every element of every output matters.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5


def make_inputs(shapes, kind: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if kind == "positive":
            values = rng.uniform(0.5, 2.0, size=shape)
        elif kind == "away_from_zero":
            values = rng.uniform(0.2, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        elif kind == "unit":
            values = rng.uniform(0.1, 0.9, size=shape)
        else:
            values = rng.normal(size=shape)
        arrays.append(values.astype(np.float32))
    return arrays


def run(lib, functional, fn, arrays: list[np.ndarray]):
    """Forward and backward in one library: (outputs as arrays, input gradients as arrays)."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    result = fn(lib, functional, *inputs)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    values = [out.detach().numpy().copy() for out in outputs]
    seeds = np.random.default_rng(1)
    total = None
    for out in outputs:
        if out.requires_grad:
            upstream = lib.tensor(seeds.normal(size=tuple(out.shape)).astype(np.float32))
            term = (out * upstream).sum()
            total = term if total is None else total + term
    if total is not None:
        total.backward()
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in inputs]
    return values, grads


def assert_same_as_torch(fn, shapes, kind: str = "normal") -> None:
    arrays = make_inputs(shapes, kind)
    ember_values, ember_grads = run(ember, F, fn, arrays)
    torch_values, torch_grads = run(torch, TF, fn, arrays)
    assert len(ember_values) == len(torch_values)
    for ours, theirs in zip(ember_values, torch_values):
        assert ours.shape == theirs.shape
        assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    for i, (ours, theirs) in enumerate(zip(ember_grads, torch_grads)):
        assert (ours is None) == (theirs is None), f"input {i}: gradient presence differs"
        if ours is not None:
            assert ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL,
                                       err_msg=f"gradient of input {i}")


def case(name: str, fn, *shapes, kind: str = "normal"):
    return pytest.param(fn, shapes, kind, id=name)


ELEMENTWISE = [
    case("add_broadcast", lambda lib, F, a, b: a + b, (2, 3), (3,)),
    case("sub_broadcast", lambda lib, F, a, b: a - b, (2, 1), (1, 3)),
    case("mul_scalar_tensor", lambda lib, F, a, b: a * b * 2.5, (), (2, 3)),
    case("div", lambda lib, F, a, b: a / b, (2, 3), (2, 1), kind="positive"),
    case("rdiv", lambda lib, F, a: 1.5 / a, (4,), kind="positive"),
    case("pow_tensor", lambda lib, F, a, b: a**b, (2, 3), (3,), kind="positive"),
    case("pow_scalar", lambda lib, F, a: a**3 + a**0.5, (4,), kind="positive"),
    case("rpow", lambda lib, F, a: 3.0**a, (4,)),
    case("neg", lambda lib, F, a: -a, (2, 3)),
    case("exp", lambda lib, F, a: lib.exp(a), (2, 3)),
    case("log", lambda lib, F, a: lib.log(a), (2, 3), kind="positive"),
    case("log1p", lambda lib, F, a: lib.log1p(a), (2, 3), kind="positive"),
    case("sqrt", lambda lib, F, a: lib.sqrt(a), (2, 3), kind="positive"),
    case("abs", lambda lib, F, a: lib.abs(a), (2, 3), kind="away_from_zero"),
    case("sin_cos", lambda lib, F, a: lib.sin(a) * lib.cos(a), (2, 3)),
    case("tanh", lambda lib, F, a: lib.tanh(a), (2, 3)),
    case("sigmoid", lambda lib, F, a: lib.sigmoid(a), (2, 3)),
    case("relu", lambda lib, F, a: lib.relu(a), (2, 3), kind="away_from_zero"),
    case("clamp", lambda lib, F, a: lib.clamp(a, -0.5, 0.5), (3, 4), kind="away_from_zero"),
    case("clip_min", lambda lib, F, a: a.clip(min=0.3), (3, 4), kind="away_from_zero"),
    case("maximum", lambda lib, F, a, b: lib.maximum(a, b), (2, 3), (3,)),
    case("minimum", lambda lib, F, a, b: lib.minimum(a, b), (2, 3), (2, 1)),
    case("where", lambda lib, F, a, b: lib.where(a > 0, a, b), (2, 3), (3,)),
    case("masked_fill", lambda lib, F, a: a.masked_fill(a < 0, -1.0), (2, 3)),
]

MATMUL = [
    case("matmul_1d_1d", lambda lib, F, a, b: a @ b, (3,), (3,)),
    case("matmul_1d_2d", lambda lib, F, a, b: a @ b, (3,), (3, 2)),
    case("matmul_2d_1d", lambda lib, F, a, b: lib.matmul(a, b), (2, 3), (3,)),
    case("matmul_2d_2d", lambda lib, F, a, b: a @ b, (2, 3), (3, 4)),
    case("matmul_batched_broadcast", lambda lib, F, a, b: a @ b, (2, 1, 2, 3), (3, 3, 2)),
    case("matmul_1d_batched", lambda lib, F, a, b: a @ b, (3,), (2, 3, 4)),
    case("dot", lambda lib, F, a, b: lib.dot(a, b), (4,), (4,)),
    case("tensordot", lambda lib, F, a, b: lib.tensordot(a, b, dims=([1, 2], [2, 0])),
         (2, 3, 4), (4, 2, 3)),
    case("linear", lambda lib, F, x, w, b: F.linear(x, w, b), (2, 2, 3), (4, 3), (4,)),
    case("linear_no_bias", lambda lib, F, x, w: F.linear(x, w), (3,), (4, 3)),
]

REDUCTIONS = [
    case("sum_all", lambda lib, F, a: a.sum(), (2, 3)),
    case("sum_dims_keepdim", lambda lib, F, a: a.sum(dim=(0, 2), keepdim=True), (2, 3, 2)),
    case("mean_dim", lambda lib, F, a: a.mean(dim=-1), (2, 3)),
    case("max_all", lambda lib, F, a: a.max(), (2, 3)),
    case("max_dim_values_indices", lambda lib, F, a: a.max(dim=1), (3, 4)),
    case("max_dim_keepdim", lambda lib, F, a: a.max(0, keepdim=True), (3, 4)),
    case("min_dim", lambda lib, F, a: lib.min(a, dim=-1), (3, 4)),
    case("amax_amin", lambda lib, F, a: a.amax(dim=1) - a.amin(dim=(0, 1)), (3, 4, 2)),
    case("var_default_correction", lambda lib, F, a: a.var(), (3, 4)),
    case("var_dim", lambda lib, F, a: a.var(dim=1, keepdim=True), (3, 4)),
    case("var_unbiased_false", lambda lib, F, a: a.var(1, unbiased=False), (3, 4)),
    case("var_correction_0", lambda lib, F, a: a.var(dim=0, correction=0), (3, 4)),
    case("std_default_correction", lambda lib, F, a: a.std(), (3, 4)),
    case("std_dim", lambda lib, F, a: a.std(dim=0), (3, 4)),
    case("prod", lambda lib, F, a: a.prod(dim=1), (3, 4)),
    case("logsumexp", lambda lib, F, a: lib.logsumexp(a, dim=1), (3, 4)),
    case("softmax", lambda lib, F, a: lib.softmax(a, dim=1), (2, 3, 4)),
    case("log_softmax", lambda lib, F, a: F.log_softmax(a, dim=-1), (2, 3, 4)),
]

SHAPES = [
    case("reshape_view", lambda lib, F, a: a.reshape(3, 4).view(2, 6), (2, 6)),
    case("flatten", lambda lib, F, a: lib.flatten(a, 1), (2, 3, 2)),
    case("squeeze_unsqueeze", lambda lib, F, a: a.squeeze(0).unsqueeze(-1), (1, 3, 2)),
    case("transpose_permute", lambda lib, F, a: a.transpose(0, 1).permute(2, 0, 1), (2, 3, 4)),
    case("T", lambda lib, F, a: a.T, (2, 3)),
    case("expand", lambda lib, F, a: a.expand(2, 3, 4), (3, 1)),
    case("repeat", lambda lib, F, a: a.repeat(2, 1, 3), (2, 2)),
    case("cat", lambda lib, F, a, b: lib.cat([a, b, a], dim=1), (2, 1), (2, 3)),
    case("stack", lambda lib, F, a, b: lib.stack([a, b], dim=1), (2, 3), (2, 3)),
    case("split", lambda lib, F, a: a.split(2, dim=1), (2, 5)),
    case("split_sections", lambda lib, F, a: lib.split(a, [1, 3], dim=0), (4, 2)),
    case("chunk", lambda lib, F, a: a.chunk(3, dim=1), (2, 5)),
    case("index_slices", lambda lib, F, a: a[1:, ::2], (3, 4)),
    case("index_repeated_ints", lambda lib, F, a: a[lib.tensor([0, 2, 0, 0])], (3, 2)),
    case("index_pairs", lambda lib, F, a: a[[0, 1, 1], [2, 2, 0]], (2, 3)),
    case("index_bool_mask", lambda lib, F, a: a[a > 0], (3, 4)),
    case("gather", lambda lib, F, a: a.gather(1, lib.tensor([[0, 0], [2, 1]])), (2, 3)),
    case("pad_constant", lambda lib, F, a: F.pad(a, (1, 2, 0, 1), value=0.5), (1, 3, 4)),
    case("pad_reflect", lambda lib, F, a: F.pad(a, (2, 1, 1, 1), mode="reflect"), (1, 3, 4)),
    case("pad_replicate", lambda lib, F, a: F.pad(a, (2, 3), mode="replicate"), (1, 3, 4)),
]


def overwrite_a_row(lib, F, x, value):
    y = x * 1.0
    y[1] = value * 2
    return y * x


def zero_the_negatives(lib, F, x):
    y = x.clone()
    y[x < 0] = 0.0
    return y.exp()


SHAPES += [
    case("setitem_row", overwrite_a_row, (3, 2), (2,)),
    case("setitem_mask", zero_the_negatives, (3, 3)),
]

ACTIVATIONS = [
    case("leaky_relu", lambda lib, F, a: F.leaky_relu(a, 0.2), (3, 4), kind="away_from_zero"),
    case("elu", lambda lib, F, a: F.elu(a, alpha=0.7), (3, 4), kind="away_from_zero"),
    case("gelu", lambda lib, F, a: F.gelu(a * 3), (3, 4)),
    case("gelu_tanh", lambda lib, F, a: F.gelu(a * 3, approximate="tanh"), (3, 4)),
    case("softplus", lambda lib, F, a: F.softplus(a * 5), (3, 4)),
    case("softplus_beta", lambda lib, F, a: F.softplus(a * 5, beta=2.0, threshold=4.0), (3, 4)),
    case("silu", lambda lib, F, a: F.silu(a * 3), (3, 4)),
    case("relu6", lambda lib, F, a: F.relu6(a * 5), (3, 4), kind="away_from_zero"),
]

W4 = [0.5, 2.0, 1.0, 1.5]

LOSSES = [
    case("cross_entropy", lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 3, 1])), (3, 4)),
    case("cross_entropy_sum", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 3, 1]), reduction="sum"), (3, 4)),
    case("cross_entropy_none", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 3, 1]), reduction="none"), (3, 4)),
    case("cross_entropy_weight", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 3, 1, 1]), weight=lib.tensor(W4)), (4, 4)),
    case("cross_entropy_ignore_index", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, -100, 1]),), (3, 4)),
    case("cross_entropy_ignore_index_custom", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 2, 2, 1]), ignore_index=2, weight=lib.tensor(W4)), (4, 4)),
    case("cross_entropy_label_smoothing", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 3, 1]), label_smoothing=0.2), (3, 4)),
    case("cross_entropy_smoothing_weight_ignore", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([0, 3, 2, 1]), label_smoothing=0.1, weight=lib.tensor(W4),
        ignore_index=2), (4, 4)),
    case("cross_entropy_NCd", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([[0, 3, 1], [2, 2, 0]])), (2, 4, 3)),
    case("cross_entropy_NCd_none", lambda lib, F, x: F.cross_entropy(
        x, lib.tensor([[[0, 3], [1, 1]], [[2, 2], [0, 3]]]), reduction="none"), (2, 4, 2, 2)),
    case("cross_entropy_unbatched", lambda lib, F, x: F.cross_entropy(x, lib.tensor(2)), (4,)),
    case("cross_entropy_probabilities", lambda lib, F, x, q: F.cross_entropy(
        x, q.softmax(dim=1)), (3, 4), (3, 4)),
    case("cross_entropy_probabilities_smoothing_weight", lambda lib, F, x, q: F.cross_entropy(
        x, q.softmax(dim=1), label_smoothing=0.3, weight=lib.tensor(W4)), (3, 4), (3, 4)),
    case("cross_entropy_probabilities_NCd", lambda lib, F, x, q: F.cross_entropy(
        x, q.softmax(dim=1), reduction="sum"), (2, 4, 3), (2, 4, 3)),
    case("nll_loss", lambda lib, F, x: F.nll_loss(
        F.log_softmax(x, dim=1), lib.tensor([0, 3, 1])), (3, 4)),
    case("nll_loss_weight_ignore", lambda lib, F, x: F.nll_loss(
        x, lib.tensor([0, 3, 1, 2]), weight=lib.tensor(W4), ignore_index=1), (4, 4)),
    case("nll_loss_NCd_none", lambda lib, F, x: F.nll_loss(
        x, lib.tensor([[0, 3, 1], [2, 2, 0]]), reduction="none"), (2, 4, 3)),
    case("mse_loss", lambda lib, F, x, y: F.mse_loss(x, y), (3, 4), (3, 4)),
    case("mse_loss_sum", lambda lib, F, x, y: F.mse_loss(x, y, reduction="sum"), (3, 4), (3, 4)),
    case("l1_loss", lambda lib, F, x, y: F.l1_loss(x, y), (3, 4), (3, 4)),
    case("l1_loss_none", lambda lib, F, x, y: F.l1_loss(x, y, reduction="none"), (3, 4), (3, 4)),
    case("smooth_l1_loss", lambda lib, F, x, y: F.smooth_l1_loss(x * 2, y), (3, 4), (3, 4)),
    case("smooth_l1_loss_beta", lambda lib, F, x, y: F.smooth_l1_loss(
        x * 2, y, beta=0.5, reduction="sum"), (3, 4), (3, 4)),
    case("huber_loss", lambda lib, F, x, y: F.huber_loss(x * 2, y), (3, 4), (3, 4)),
    case("huber_loss_delta", lambda lib, F, x, y: F.huber_loss(
        x * 2, y, delta=0.7, reduction="none"), (3, 4), (3, 4)),
    case("binary_cross_entropy", lambda lib, F, p, y: F.binary_cross_entropy(
        p, (y > 0.5).float()), (3, 4), (3, 4), kind="unit"),
    case("binary_cross_entropy_soft_weight", lambda lib, F, p, y: F.binary_cross_entropy(
        p, y.detach(), weight=lib.tensor([1.0, 2.0, 0.5, 1.0]), reduction="sum"),
        (3, 4), (3, 4), kind="unit"),
    case("bce_with_logits", lambda lib, F, x, y: F.binary_cross_entropy_with_logits(
        x * 4, (y > 0).float()), (3, 4), (3, 4)),
    case("bce_with_logits_pos_weight", lambda lib, F, x, y: F.binary_cross_entropy_with_logits(
        x * 4, y.sigmoid().detach(), pos_weight=lib.tensor([3.0, 0.5, 1.0, 2.0]),
        weight=lib.tensor([[2.0], [1.0], [0.5]]), reduction="none"), (3, 4), (3, 4)),
]


@pytest.mark.parametrize("fn,shapes,kind", ELEMENTWISE)
def test_elementwise_matches_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


@pytest.mark.parametrize("fn,shapes,kind", MATMUL)
def test_matrix_products_match_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


@pytest.mark.parametrize("fn,shapes,kind", REDUCTIONS)
def test_reductions_match_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


@pytest.mark.parametrize("fn,shapes,kind", SHAPES)
def test_shape_and_indexing_ops_match_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


@pytest.mark.parametrize("fn,shapes,kind", ACTIVATIONS)
def test_activations_match_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


@pytest.mark.parametrize("fn,shapes,kind", LOSSES)
def test_losses_match_torch(fn, shapes, kind) -> None:
    assert_same_as_torch(fn, shapes, kind)


# ---------------------------------------------------------------------- no gradient


def both(array: np.ndarray):
    return ember.tensor(array), torch.tensor(array)


def test_max_over_a_dim_returns_values_and_indices_like_torch() -> None:
    ours, theirs = both(np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 9.0]], dtype=np.float32))
    values, indices = ours.max(dim=1)
    expected = theirs.max(dim=1)
    assert values.tolist() == expected.values.tolist()
    assert indices.tolist() == expected.indices.tolist()
    assert indices.dtype == ember.int64
    expected_min = theirs.min(0, keepdim=True)
    assert ours.min(0, keepdim=True).indices.tolist() == expected_min.indices.tolist()


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_argmax_argmin_match_torch(dim, keepdim: bool) -> None:
    ours, theirs = both(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    assert ours.argmax(dim=dim, keepdim=keepdim).tolist() == \
        theirs.argmax(dim=dim, keepdim=keepdim).tolist()
    assert ember.argmin(ours, dim=dim, keepdim=keepdim).tolist() == \
        torch.argmin(theirs, dim=dim, keepdim=keepdim).tolist()


@pytest.mark.parametrize("k,dim,largest", [(2, -1, True), (1, 0, True), (3, 1, False)])
def test_topk_matches_torch(k: int, dim: int, largest: bool) -> None:
    ours, theirs = both(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    values, indices = ours.topk(k, dim=dim, largest=largest)
    expected = theirs.topk(k, dim=dim, largest=largest)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected.indices.numpy())


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_and_argsort_match_torch(dim: int, descending: bool) -> None:
    ours, theirs = both(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    values, indices = ours.sort(dim=dim, descending=descending)
    expected = theirs.sort(dim=dim, descending=descending)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected.indices.numpy())
    np.testing.assert_array_equal(ours.argsort(dim=dim, descending=descending).numpy(),
                                  theirs.argsort(dim=dim, descending=descending).numpy())


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_match_torch(op: str) -> None:
    a = np.array([[1.0, 2.0, 3.0], [4.0, 2.0, 0.0]], dtype=np.float32)
    b = np.array([2.0, 2.0, 1.0], dtype=np.float32)
    (ours_a, theirs_a), (ours_b, theirs_b) = both(a), both(b)
    ours = getattr(ours_a, op)(ours_b)
    theirs = getattr(theirs_a, op)(theirs_b)
    assert ours.dtype == ember.bool
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(getattr(ours_a, op)(2.0).numpy(),
                                  getattr(theirs_a, op)(2.0).numpy())


def test_comparison_operators_match_torch() -> None:
    (a, ta), (b, tb) = both(np.array([1.0, 2.0, 3.0], dtype=np.float32)), both(
        np.array([3.0, 2.0, 1.0], dtype=np.float32))
    for ours, theirs in [(a == b, ta == tb), (a != b, ta != tb), (a < b, ta < tb),
                         (a <= b, ta <= tb), (a > b, ta > tb), (a >= b, ta >= tb),
                         ((a > 1) & (b > 1), (ta > 1) & (tb > 1)), (~(a > 1), ~(ta > 1))]:
        assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize(
    "make",
    [lambda lib: lib.tensor([1, 2]) * 0.5, lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 4]),
     lambda lib: lib.tensor([1.0], dtype=lib.float32) * 2.0,
     lambda lib: lib.tensor([1, 2]) + lib.tensor([1.0, 2.0]),
     lambda lib: lib.tensor([1, 2]).sum(), lambda lib: lib.tensor([1, 2]).float().mean(),
     lambda lib: lib.arange(3), lambda lib: lib.arange(0.0, 1.0, 0.5),
     lambda lib: lib.tensor([True, False]).sum(),
     lambda lib: lib.tensor([1.0], dtype=lib.float64) + lib.tensor([1.0])],
    ids=["int_times_float", "int_div_int", "float32_times_python_float", "int_plus_float",
         "int_sum", "mean", "arange_int", "arange_float", "bool_sum", "float64_plus_float32"],
)
def test_result_dtypes_match_torch(make) -> None:
    ours, theirs = make(ember), make(torch)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
