"""Finite-difference gradient checks, in float64, for every differentiable op in the core.

Inputs are chosen away from kinks (0 for abs/relu, clamp bounds, ties for max) so that the
central differences measure the derivative the backward rule claims.
"""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck


def leaf(*shape: int, low: float = -1.0, high: float = 1.0, seed: int = 0) -> ember.Tensor:
    """A float64 leaf that requires grad, with values drawn uniformly from [low, high)."""
    values = np.random.default_rng(seed).uniform(low, high, size=shape)
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


def away_from_zero(*shape: int, seed: int = 0) -> ember.Tensor:
    """Values of magnitude in [0.2, 1] with random signs: safe for abs, relu and friends."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.2, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


def positive(*shape: int, seed: int = 0) -> ember.Tensor:
    return leaf(*shape, low=0.5, high=2.0, seed=seed)


def shape_id(shape: tuple[int, ...]) -> str:
    return "scalar" if shape == () else "x".join(map(str, shape))


# ---------------------------------------------------------------------- elementwise

UNARY_SHAPES = [(), (4,), (2, 3), (2, 1, 3)]

UNARY_OPS = {
    "neg": (lambda x: -x, away_from_zero),
    "exp": (ember.exp, leaf),
    "log": (ember.log, positive),
    "log1p": (ember.log1p, positive),
    "sqrt": (ember.sqrt, positive),
    "abs": (ember.abs, away_from_zero),
    "sin": (ember.sin, leaf),
    "cos": (ember.cos, leaf),
    "tanh": (ember.tanh, leaf),
    "sigmoid": (ember.sigmoid, leaf),
    "relu": (ember.relu, away_from_zero),
    "clamp_both": (lambda x: ember.clamp(x, -0.5, 0.5), away_from_zero),
    "clamp_min": (lambda x: x.clamp(min=0.1), away_from_zero),
    "clip_max": (lambda x: x.clip(max=-0.1), away_from_zero),
    "square_pow_2": (lambda x: x**2, leaf),
    "pow_half": (lambda x: x**0.5, positive),
    "rpow_2_to_x": (lambda x: 2.0**x, leaf),
    "reciprocal": (lambda x: 1.0 / x, positive),
    "rsub": (lambda x: 3.0 - x, leaf),
    "scalar_mul_add": (lambda x: 0.5 * x + 1.0, leaf),
}


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=shape_id)
@pytest.mark.parametrize("name", list(UNARY_OPS))
def test_unary_op_gradient(name: str, shape: tuple[int, ...]) -> None:
    fn, make = UNARY_OPS[name]
    assert gradcheck(fn, (make(*shape),))


BINARY_SHAPE_PAIRS = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((4, 1, 3), (2, 1)),
    ((1,), (2, 2)),
]

BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": ember.maximum,
    "minimum": ember.minimum,
    "where": lambda a, b: ember.where(a > b, a, b * 2),
}


def pair_id(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> str:
    return f"{shape_id(pair[0])}-{shape_id(pair[1])}"


@pytest.mark.parametrize("shapes", BINARY_SHAPE_PAIRS, ids=pair_id)
@pytest.mark.parametrize("name", list(BINARY_OPS))
def test_binary_op_gradient_with_broadcasting(name: str, shapes) -> None:
    a = positive(*shapes[0], seed=1)
    b = positive(*shapes[1], seed=2)
    assert gradcheck(BINARY_OPS[name], (a, b))


def test_where_gradient_with_broadcast_condition() -> None:
    condition = ember.tensor([[True], [False]])
    a, b = leaf(2, 3, seed=1), leaf(3, seed=2)
    assert gradcheck(lambda a, b: ember.where(condition, a, b), (a, b))


def test_maximum_splits_the_gradient_evenly_on_ties() -> None:
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ember.tensor([1.0, 5.0, 0.0], requires_grad=True)
    ember.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0]
    assert b.grad.tolist() == [0.5, 1.0, 0.0]


def test_masked_fill_gradient_is_zero_where_filled() -> None:
    mask = ember.tensor([[True, False, False], [False, False, True]])
    assert gradcheck(lambda x: x.masked_fill(mask, 0.0) * 3, (leaf(2, 3),))
    assert gradcheck(lambda x: ember.masked_fill(x, mask[0], -1.0), (leaf(2, 3),))


def test_clamp_with_tensor_bounds() -> None:
    low = ember.tensor([-0.5, 0.0, 0.5], dtype=ember.float64)
    assert gradcheck(lambda x: ember.clamp(x, min=low), (away_from_zero(2, 3),))


# ---------------------------------------------------------------------- matrix products

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 2, 3), (3,)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((3, 2, 3), (3, 3, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=pair_id)
def test_matmul_gradient(shapes) -> None:
    a, b = leaf(*shapes[0], seed=1), leaf(*shapes[1], seed=2)
    assert gradcheck(lambda a, b: a @ b, (a, b))
    assert gradcheck(ember.matmul, (a, b))


def test_dot_gradient() -> None:
    assert gradcheck(ember.dot, (leaf(4, seed=1), leaf(4, seed=2)))


@pytest.mark.parametrize(
    "shapes,dims",
    [(((2, 3, 4), (3, 4, 2)), 2), (((2, 3), (3, 4)), 1), (((2, 3), (4,)), 0),
     (((2, 3, 4), (4, 2, 3)), ([1, 2], [2, 0]))],
    ids=["dims2", "dims1", "outer", "explicit_axes"],
)
def test_tensordot_gradient(shapes, dims) -> None:
    a, b = leaf(*shapes[0], seed=1), leaf(*shapes[1], seed=2)
    assert gradcheck(lambda a, b: ember.tensordot(a, b, dims), (a, b))


@pytest.mark.parametrize("x_shape", [(3,), (2, 3), (2, 2, 3)], ids=shape_id)
@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no_bias"])
def test_linear_gradient(x_shape: tuple[int, ...], with_bias: bool) -> None:
    x, weight, bias = leaf(*x_shape, seed=1), leaf(4, 3, seed=2), leaf(4, seed=3)
    inputs = (x, weight, bias) if with_bias else (x, weight)
    assert gradcheck(F.linear, inputs)


# ---------------------------------------------------------------------- reductions

REDUCTION_DIMS = [None, 0, -1, (0, 2), (1,)]


def dims_id(dim) -> str:
    return "all" if dim is None else f"dim{dim}".replace(" ", "")


REDUCTIONS = {
    "sum": lambda x, dim, keep: x.sum(dim=dim, keepdim=keep),
    "mean": lambda x, dim, keep: x.mean(dim=dim, keepdim=keep),
    "var": lambda x, dim, keep: x.var(dim=dim, keepdim=keep),
    "var_biased": lambda x, dim, keep: x.var(dim=dim, keepdim=keep, unbiased=False),
    "std": lambda x, dim, keep: x.std(dim=dim, keepdim=keep),
    "prod": lambda x, dim, keep: x.prod(dim=dim, keepdim=keep),
    "amax": lambda x, dim, keep: x.amax(dim=dim, keepdim=keep),
    "amin": lambda x, dim, keep: ember.amin(x, dim=dim, keepdim=keep),
    "logsumexp": lambda x, dim, keep: x.logsumexp(dim=dim, keepdim=keep),
}


@pytest.mark.parametrize("keepdim", [False, True], ids=["dropdim", "keepdim"])
@pytest.mark.parametrize("dim", REDUCTION_DIMS, ids=dims_id)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_gradient(name: str, dim, keepdim: bool) -> None:
    x = away_from_zero(2, 3, 2)
    assert gradcheck(lambda t: REDUCTIONS[name](t, dim, keepdim), (x,))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "logsumexp", "var"])
def test_reduction_gradient_of_0d_tensor(name: str) -> None:
    x = ember.tensor(0.7, dtype=ember.float64, requires_grad=True)
    fn = (lambda t: t.var(unbiased=False) + t) if name == "var" else getattr(ember.Tensor, name)
    assert fn(x).shape == ()
    assert gradcheck(fn, (x,))
    assert x.shape == ()


@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_accept_numpy_axis_and_keepdims(keepdims: bool) -> None:
    x = leaf(2, 3)
    assert gradcheck(lambda t: t.sum(axis=1, keepdims=keepdims), (x,))
    assert gradcheck(lambda t: t.mean(axis=(0, 1), keepdims=keepdims), (x,))


def test_prod_gradient_with_a_zero_element() -> None:
    x = ember.tensor([[0.0, 2.0, 3.0], [1.5, -1.0, 0.5]], dtype=ember.float64,
                     requires_grad=True)
    assert gradcheck(lambda t: t.prod(dim=1), (x,))
    assert gradcheck(lambda t: t.prod(), (x,))


@pytest.mark.parametrize("keepdim", [False, True], ids=["dropdim", "keepdim"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_over_a_dim_gradient_of_values(op: str, dim: int, keepdim: bool) -> None:
    x = leaf(3, 4)
    assert gradcheck(lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)[0], (x,))
    assert gradcheck(lambda t: getattr(t, op)(dim, keepdim).values, (x,))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_of_everything_gradient(op: str) -> None:
    assert gradcheck(lambda t: getattr(ember, op)(t), (leaf(3, 4),))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_gradient(op: str, dim: int) -> None:
    weights = ember.tensor(np.arange(24.0).reshape(2, 3, 4), dtype=ember.float64)
    x = leaf(2, 3, 4)
    assert gradcheck(lambda t: (getattr(ember, op)(t, dim) * weights).sum(), (x,))
    assert gradcheck(lambda t: getattr(F, op)(t, dim=dim), (leaf(2, 3),) if dim != 2 else (x,))


# ---------------------------------------------------------------------- shapes

SHAPE_OPS = {
    "reshape": (lambda x: x.reshape(3, 4), (2, 6)),
    "reshape_minus_one": (lambda x: ember.reshape(x, (-1, 2)), (2, 3, 2)),
    "view": (lambda x: x.view(12), (3, 4)),
    "flatten": (lambda x: x.flatten(), (2, 3, 2)),
    "flatten_middle": (lambda x: ember.flatten(x, 1, 2), (2, 3, 2, 1)),
    "squeeze_all": (lambda x: x.squeeze(), (1, 3, 1, 2)),
    "squeeze_dim": (lambda x: x.squeeze(2), (1, 3, 1, 2)),
    "unsqueeze": (lambda x: x.unsqueeze(1), (3, 2)),
    "unsqueeze_last": (lambda x: ember.unsqueeze(x, -1), (3, 2)),
    "transpose": (lambda x: x.transpose(0, 2), (2, 3, 4)),
    "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    "T": (lambda x: x.T, (2, 3, 4)),
    "t": (lambda x: x.t(), (2, 3)),
    "expand": (lambda x: x.expand(2, 3, 4), (3, 1)),
    "expand_minus_one": (lambda x: x.expand(-1, 4), (3, 1)),
    "repeat": (lambda x: x.repeat(2, 3), (2, 2)),
    "repeat_new_dims": (lambda x: x.repeat(2, 1, 2), (3,)),
    "getitem_slices": (lambda x: x[1:, ::2], (3, 4)),
    "getitem_negative_step": (lambda x: x[::-1, 1], (3, 4)),
    "getitem_ellipsis_none": (lambda x: x[..., None, 0], (2, 3, 4)),
    "getitem_int_array_repeated": (lambda x: x[[0, 2, 0, 0]], (3, 2)),
    "getitem_tensor_index_repeated": (lambda x: x[ember.tensor([1, 1, 0])], (3, 2)),
    "getitem_pairs_of_arrays": (lambda x: x[[0, 1, 1], [2, 2, 0]], (2, 3)),
    "getitem_slice_and_array": (lambda x: x[:, [0, 0, 2]], (2, 3)),
    "getitem_bool_mask": (lambda x: x[x > 0], (3, 4)),
    "getitem_bool_rows": (lambda x: x[ember.tensor([True, False, True])], (3, 2)),
    "gather_repeated": (lambda x: x.gather(1, ember.tensor([[0, 0], [2, 1]])), (2, 3)),
    "gather_dim0": (lambda x: ember.gather(x, 0, ember.tensor([[1, 0, 1]])), (2, 3)),
    "split_size": (lambda x: x.split(2, dim=1), (2, 5)),
    "split_sections": (lambda x: ember.split(x, [1, 3], dim=0), (4, 2)),
    "chunk": (lambda x: x.chunk(3, dim=-1), (2, 5)),
    "unbind": (lambda x: ember.unbind(x, 1), (2, 3)),
    "clone": (lambda x: x.clone() * 2, (2, 3)),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
def test_shape_op_gradient(name: str) -> None:
    fn, shape = SHAPE_OPS[name]
    assert gradcheck(fn, (leaf(*shape),))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_gradient(dim: int) -> None:
    a, b = leaf(2, 3, seed=1), leaf(2, 3, seed=2)
    assert gradcheck(lambda a, b: ember.cat([a, b, a], dim), (a, b))


def test_cat_gradient_with_unequal_sizes() -> None:
    a, b = leaf(2, 1, seed=1), leaf(2, 3, seed=2)
    assert gradcheck(lambda a, b: ember.cat((a, b), dim=1), (a, b))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack_gradient(dim: int) -> None:
    a, b = leaf(2, 3, seed=1), leaf(2, 3, seed=2)
    assert gradcheck(lambda a, b: ember.stack([a, b], dim=dim), (a, b))


@pytest.mark.parametrize(
    "mode,pads",
    [("constant", (1, 2)), ("constant", (2, 1, 0, 1)), ("reflect", (2, 1)),
     ("reflect", (1, 1, 1, 0)), ("replicate", (2, 3)), ("replicate", (1, 0, 2, 1))],
    ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v)),
)
def test_pad_gradient(mode: str, pads) -> None:
    x = leaf(1, 3, 4)
    value = 0.5 if mode == "constant" else None  # PyTorch refuses a value in the other modes
    assert gradcheck(lambda t: F.pad(t, pads, mode=mode, value=value), (x,))


def test_setitem_under_grad_routes_gradients_to_both_sides() -> None:
    def overwrite_a_row(x: ember.Tensor, value: ember.Tensor) -> ember.Tensor:
        y = x * 1.0
        y[1] = value * 2
        return y * y

    assert gradcheck(overwrite_a_row, (leaf(3, 2, seed=1), leaf(2, seed=2)))
    assert gradcheck(overwrite_a_row, (leaf(3, 2, seed=1), leaf(1, seed=2)))


def test_setitem_with_mask_and_scalar_under_grad() -> None:
    def zero_the_negatives(x: ember.Tensor) -> ember.Tensor:
        y = x.clone()
        y[x < 0] = 0.0
        return y * x

    assert gradcheck(zero_the_negatives, (away_from_zero(3, 3),))


def test_setitem_of_grad_tensor_into_a_constant_tensor() -> None:
    def scatter(value: ember.Tensor) -> ember.Tensor:
        canvas = ember.zeros(2, 3, dtype=ember.float64)
        canvas[:, 1] = value
        return canvas.exp()

    assert gradcheck(scatter, (leaf(2),))


# ---------------------------------------------------------------------- activations

ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "elu": F.elu,
    "elu_alpha": lambda x: F.elu(x, alpha=0.5),
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "softplus": F.softplus,
    "softplus_beta_threshold": lambda x: F.softplus(x * 4, beta=2.0, threshold=3.0),
    "silu": F.silu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu6": lambda x: F.relu6(x * 4),
}


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=shape_id)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradient(name: str, shape: tuple[int, ...]) -> None:
    x = away_from_zero(*shape) * 2  # a non-leaf: magnitudes in [0.4, 2]
    x = x.detach().requires_grad_()
    assert gradcheck(ACTIVATIONS[name], (x,))


def test_dropout_gradient_with_a_fixed_seed() -> None:
    def dropout(x: ember.Tensor) -> ember.Tensor:
        ember.manual_seed(0)
        return F.dropout(x, p=0.4, training=True)

    assert gradcheck(dropout, (leaf(4, 5),))


# ---------------------------------------------------------------------- losses


def class_targets(*shape: int, classes: int, seed: int = 0) -> ember.Tensor:
    return ember.tensor(np.random.default_rng(seed).integers(0, classes, size=shape))


def probability_targets(*shape: int, dim: int = 1, seed: int = 0) -> ember.Tensor:
    logits = np.random.default_rng(seed).normal(size=shape)
    probs = np.exp(logits) / np.exp(logits).sum(axis=dim, keepdims=True)
    return ember.tensor(probs, dtype=ember.float64)


CLASS_WEIGHT = ember.tensor([0.5, 2.0, 1.0, 1.5], dtype=ember.float64)

CROSS_ENTROPY_INDEX_CASES = {
    "mean": {},
    "sum": {"reduction": "sum"},
    "none": {"reduction": "none"},
    "weight": {"weight": CLASS_WEIGHT},
    "weight_sum": {"weight": CLASS_WEIGHT, "reduction": "sum"},
    "ignore_index": {"ignore_index": 1},
    "label_smoothing": {"label_smoothing": 0.2},
    "smoothing_weight_ignore": {"label_smoothing": 0.1, "weight": CLASS_WEIGHT,
                                "ignore_index": 2},
}


@pytest.mark.parametrize("input_shape", [(5, 4), (2, 4, 3), (2, 4, 2, 2), (4,)], ids=shape_id)
@pytest.mark.parametrize("case", list(CROSS_ENTROPY_INDEX_CASES))
def test_cross_entropy_with_class_indices_gradient(case: str, input_shape) -> None:
    kwargs = CROSS_ENTROPY_INDEX_CASES[case]
    target_shape = (input_shape[0],) + input_shape[2:] if len(input_shape) > 1 else ()
    target = class_targets(*target_shape, classes=4)
    if target_shape and "ignore_index" in kwargs:
        target.view(-1)[0] = kwargs["ignore_index"]
    assert gradcheck(lambda x: F.cross_entropy(x, target, **kwargs), (leaf(*input_shape),))


@pytest.mark.parametrize("input_shape", [(5, 4), (2, 4, 3), (4,)], ids=shape_id)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.3},
     {"weight": CLASS_WEIGHT}],
    ids=["mean", "sum", "none", "label_smoothing", "weight"],
)
def test_cross_entropy_with_probabilities_gradient_wrt_logits_and_target(input_shape,
                                                                         kwargs) -> None:
    target = probability_targets(*input_shape, dim=1 if len(input_shape) > 1 else 0)
    target.requires_grad_()
    assert gradcheck(lambda x, q: F.cross_entropy(x, q, **kwargs), (leaf(*input_shape), target))


@pytest.mark.parametrize("input_shape", [(5, 4), (2, 4, 3), (4,)], ids=shape_id)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": CLASS_WEIGHT},
     {"ignore_index": 0}],
    ids=["mean", "sum", "none", "weight", "ignore_index"],
)
def test_nll_loss_gradient(input_shape, kwargs) -> None:
    target_shape = (input_shape[0],) + input_shape[2:] if len(input_shape) > 1 else ()
    target = class_targets(*target_shape, classes=4, seed=3)
    if target_shape and "ignore_index" in kwargs:
        target.view(-1)[-1] = 0
        target.view(-1)[0] = 1
    assert gradcheck(lambda x: F.nll_loss(F.log_softmax(x, dim=0 if len(input_shape) == 1
                                                        else 1), target, **kwargs),
                     (leaf(*input_shape),))


REGRESSION_LOSSES = {
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "smooth_l1_loss": F.smooth_l1_loss,
    "smooth_l1_loss_beta": lambda x, y, **kw: F.smooth_l1_loss(x, y, beta=0.5, **kw),
    "huber_loss": F.huber_loss,
    "huber_loss_delta": lambda x, y, **kw: F.huber_loss(x, y, delta=0.7, **kw),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(REGRESSION_LOSSES))
def test_regression_loss_gradient_wrt_input_and_target(name: str, reduction: str) -> None:
    # differences of 0.1..0.4 and 1.1..1.9: both sides of every kink, none on it.
    prediction = ember.tensor([[0.3, -1.2, 2.0], [0.5, 1.4, -0.25]], dtype=ember.float64,
                              requires_grad=True)
    target = ember.tensor([[0.1, 0.2, 0.1], [0.9, 0.0, -0.5]], dtype=ember.float64,
                          requires_grad=True)
    loss = REGRESSION_LOSSES[name]
    assert gradcheck(lambda x, y: loss(x, y, reduction=reduction), (prediction, target))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("with_weight", [False, True], ids=["plain", "weight"])
def test_binary_cross_entropy_gradient(reduction: str, with_weight: bool) -> None:
    probabilities = leaf(3, 2, low=0.1, high=0.9)
    target = ember.tensor([[1.0, 0.0], [0.3, 1.0], [0.0, 0.8]], dtype=ember.float64)
    weight = ember.tensor([0.5, 2.0], dtype=ember.float64) if with_weight else None
    assert gradcheck(
        lambda p: F.binary_cross_entropy(p, target, weight=weight, reduction=reduction),
        (probabilities,),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "options", ["plain", "pos_weight", "weight", "both"],
)
def test_binary_cross_entropy_with_logits_gradient(reduction: str, options: str) -> None:
    logits = leaf(3, 2, low=-3, high=3)
    target = ember.tensor([[1.0, 0.0], [0.3, 1.0], [0.0, 0.8]], dtype=ember.float64)
    pos_weight = ember.tensor([3.0, 0.5], dtype=ember.float64)
    weight = ember.tensor([[2.0], [1.0], [0.5]], dtype=ember.float64)
    kwargs = {"reduction": reduction}
    if options in ("pos_weight", "both"):
        kwargs["pos_weight"] = pos_weight
    if options in ("weight", "both"):
        kwargs["weight"] = weight
    assert gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, target, **kwargs),
                     (logits,))


# ---------------------------------------------------------------------- empty tensors

EMPTY_CASES = {
    "exp": lambda x: x.exp(),
    "add_broadcast": lambda x: x + ember.ones(3, dtype=ember.float64),
    "sum_dim0": lambda x: x.sum(dim=0),
    "mean_dim1": lambda x: x.mean(dim=1),
    "matmul": lambda x: x @ ember.ones(3, 2, dtype=ember.float64),
    "reshape": lambda x: x.reshape(3, 0),
    "cat": lambda x: ember.cat([x, x], 0),
    "getitem": lambda x: x[:, 1:],
    "softmax": lambda x: x.softmax(-1),
}


@pytest.mark.parametrize("name", list(EMPTY_CASES))
def test_ops_on_empty_tensors_give_empty_gradients(name: str) -> None:
    x = ember.zeros(0, 3, dtype=ember.float64, requires_grad=True)
    out = EMPTY_CASES[name](x)
    out.sum().backward()
    assert x.grad.shape == (0, 3)
    assert gradcheck(EMPTY_CASES[name], (x,))
