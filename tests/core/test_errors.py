"""Mistakes get errors that name the op and what was received and expected."""

from __future__ import annotations

import pytest

import ember
import ember.nn.functional as F


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum", "pow"])
def test_broadcast_mismatch_names_the_op_and_both_shapes(op: str) -> None:
    a, b = ember.ones(2, 3), ember.ones(3, 2)
    pattern = rf"{op}: shapes \(2, 3\) and \(3, 2\) cannot be broadcast"
    with pytest.raises(RuntimeError, match=pattern):  # PyTorch raises RuntimeError
        getattr(ember, op)(a, b) if op != "pow" else a**b


def test_operator_broadcast_mismatch() -> None:
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4,\)"):
        ember.ones(2, 3) + ember.ones(4)


def test_where_mismatch_names_all_three_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"where: condition \(2, 3\), input \(3, 2\)"):
        ember.where(ember.ones(2, 3) > 0, ember.ones(3, 2), 0.0)


@pytest.mark.parametrize(
    "a_shape,b_shape",
    [((2, 3), (2, 3)), ((3,), (4,)), ((2, 2, 3), (3, 3, 2)), ((5,), (2, 4, 3))],
)
def test_matmul_mismatch_names_both_shapes(a_shape, b_shape) -> None:
    pattern = rf"matmul: shapes \({a_shape[0]},.*\) and \({b_shape[0]},.*\) cannot be multiplied"
    with pytest.raises(RuntimeError, match=pattern):
        ember.ones(*a_shape) @ ember.ones(*b_shape)


def test_matmul_of_a_0d_tensor() -> None:
    with pytest.raises(RuntimeError, match=r"matmul: both operands need at least 1 dim"):
        ember.matmul(ember.tensor(2.0), ember.ones(2))


def test_dot_and_linear_shape_errors() -> None:
    with pytest.raises(RuntimeError, match=r"dot: expects two 1-D tensors, got shapes \(2, 2\)"):
        ember.dot(ember.ones(2, 2), ember.ones(2))
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(2, 3\).*weight of shape "
                                           r"\(4, 2\)"):
        F.linear(ember.ones(2, 3), ember.ones(4, 2))
    with pytest.raises(RuntimeError, match=r"tensordot: dim"):
        ember.tensordot(ember.ones(2, 3), ember.ones(4, 2), dims=1)


def test_cross_entropy_label_out_of_range() -> None:
    with pytest.raises(IndexError, match=r"target labels must be in \[0, 3\).*got 3"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 3]))
    with pytest.raises(IndexError, match=r"got -1"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([-1, 0]))
    with pytest.raises(IndexError, match=r"nll_loss: target labels must be in \[0, 3\)"):
        F.nll_loss(ember.zeros(2, 3), ember.tensor([5, 0]))


def test_cross_entropy_float_class_targets() -> None:
    with pytest.raises(RuntimeError, match=r"probability targets must have the input's shape "
                                           r"\(2, 3\).*\.long\(\)"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError,
                       match=r"nll_loss: target must hold class indices.*\.long\(\)"):
        F.nll_loss(ember.zeros(2, 3), ember.tensor([0.0, 1.0]))


def test_cross_entropy_target_shape_and_weight_shape() -> None:
    with pytest.raises(ValueError, match=r"needs a target of shape \(2,\), got \(3,\)"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"weight must have shape \(3,\), got \(2,\)"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 1]), weight=ember.ones(2))
    with pytest.raises(RuntimeError, match=r"label_smoothing must be in \[0, 1\]"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 1]), label_smoothing=1.5)


@pytest.mark.parametrize(
    "loss",
    [lambda r: F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 1]), reduction=r),
     lambda r: F.nll_loss(ember.zeros(2, 3), ember.tensor([0, 1]), reduction=r),
     lambda r: F.mse_loss(ember.zeros(2), ember.zeros(2), reduction=r),
     lambda r: F.l1_loss(ember.zeros(2), ember.zeros(2), reduction=r),
     lambda r: F.smooth_l1_loss(ember.zeros(2), ember.zeros(2), reduction=r),
     lambda r: F.huber_loss(ember.zeros(2), ember.zeros(2), reduction=r),
     lambda r: F.binary_cross_entropy(ember.zeros(2), ember.zeros(2), reduction=r),
     lambda r: F.binary_cross_entropy_with_logits(ember.zeros(2), ember.zeros(2), reduction=r)],
    ids=["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
         "binary_cross_entropy", "binary_cross_entropy_with_logits"],
)
def test_bad_reduction(loss) -> None:
    with pytest.raises(ValueError, match=r"reduction must be one of .*got 'avg'"):
        loss("avg")


@pytest.mark.parametrize(
    "loss", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits],
    ids=lambda fn: fn.__name__,
)
def test_binary_cross_entropies_refuse_mismatched_shapes(loss) -> None:
    with pytest.raises(ValueError, match=r"input of shape \(4, 1\) and target of shape \(4,\)"):
        loss(ember.full((4, 1), 0.5), ember.full((4,), 0.5))


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss],
                         ids=lambda fn: fn.__name__)
def test_regression_losses_broadcast_mismatched_shapes_with_pytorchs_warning(loss) -> None:
    prediction, target = ember.tensor([[0.0], [1.0], [3.0]]), ember.tensor([0.0, 1.0, 3.0])
    with pytest.warns(UserWarning, match=r"Using a target size \(ember.Size\(\[3\]\)\) that is "
                                         r"different to the input size"):
        broadcast = loss(prediction, target)
    assert broadcast.item() == pytest.approx(loss(prediction.expand(3, 3), target.expand(3, 3))
                                             .item())
    with pytest.warns(UserWarning), pytest.raises(RuntimeError):
        loss(ember.zeros(2, 3), ember.zeros(4))


def test_binary_cross_entropy_needs_probabilities() -> None:
    with pytest.raises(RuntimeError, match="probabilities in \\[0, 1\\].*with_logits"):
        F.binary_cross_entropy(ember.tensor([2.0]), ember.tensor([1.0]))


@pytest.mark.parametrize(
    "action,error,pattern",
    [
        (lambda: ember.ones(2, 3).reshape(4), RuntimeError, r"reshape: shape \[4\] is invalid for "
                                                          r"a tensor of shape \[2, 3\]"),
        (lambda: ember.ones(2, 3)[3], IndexError, r"index 3 is invalid for a tensor of shape"),
        (lambda: ember.ones(2, 3).sum(dim=2), IndexError, r"sum: dimension 2 is out of range"),
        (lambda: ember.ones(2, 3).softmax(dim=-3), IndexError, r"softmax: dimension -3"),
        (lambda: ember.cat([ember.ones(2, 3), ember.ones(3, 2)]), RuntimeError,
         r"cat: tensors must have the same shape except in dim 0; got \[2, 3\], \[3, 2\]"),
        (lambda: ember.cat([]), ValueError, r"cat: expected a non-empty sequence"),
        (lambda: ember.stack([ember.ones(2), ember.ones(3)]), RuntimeError,
         r"stack: all tensors must have the same shape"),
        (lambda: ember.ones(2, 3).expand(4, 3), RuntimeError, r"expand: can't expand shape"),
        (lambda: ember.ones(2, 3).permute(0, 0), RuntimeError, r"not a permutation"),
        (lambda: ember.ones(2, 3).repeat(2), RuntimeError, r"repeat: needs at least 2"),
        (lambda: ember.ones(4).split([1, 2]), RuntimeError, r"don't add up to the dim's size 4"),
        (lambda: ember.ones(3).topk(5), RuntimeError, r"topk: k=5 is out of range"),
        (lambda: ember.ones(2).gather(0, ember.tensor([0.5])), TypeError,
         r"gather: index must be an integer tensor"),
        (lambda: F.pad(ember.ones(2, 3), (1, 1), mode="bogus"), NotImplementedError,
         r"pad: mode must be .*got 'bogus'"),
        (lambda: F.pad(ember.ones(3), (1, 1, 1, 1)), RuntimeError, r"pad: expected pairs"),
        (lambda: ember.ones(0).max(), RuntimeError, r"max\(\): expected a non-empty tensor"),
        (lambda: ember.tensor(["a"]), TypeError, r"can't make a tensor from data"),
        (lambda: ember.ones(2).clamp(), ValueError, r"clamp: at least one of min and max"),
        (lambda: ember.tensor([2]) ** ember.tensor([-1]), ValueError, r"negative integer"),
        (lambda: F.one_hot(ember.tensor([0, 5]), 3), ValueError,
         r"one_hot: class indices must be in \[0, 3\)"),
        (lambda: F.one_hot(ember.tensor([0.0]), 3), TypeError, r"one_hot: expects integer"),
        (lambda: F.dropout(ember.ones(2), p=1.5), ValueError, r"dropout: probability"),
        (lambda: F.gelu(ember.ones(2), approximate="fast"), RuntimeError, r"gelu: approximate"),
        (lambda: ember.ones(2).to("float128x"), TypeError, r"unknown dtype"),
        (lambda: ember.ones(2).sum(bad=1), TypeError, r"unexpected keyword arguments \['bad'\]"),
    ],
    ids=["reshape", "index", "dim_out_of_range", "softmax_dim", "cat_shapes", "cat_empty",
         "stack_shapes", "expand", "permute", "repeat", "split_sizes", "topk", "gather_index",
         "pad_mode", "pad_too_many", "max_empty", "tensor_strings", "clamp_no_bounds",
         "int_negative_pow", "one_hot_range", "one_hot_float", "dropout_p", "gelu_approximate",
         "bad_dtype", "unknown_kwarg"],
)
def test_clear_error(action, error, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        action()


def test_in_place_update_of_the_wrong_shape() -> None:
    t = ember.ones(3)
    # PyTorch raises RuntimeError for each of these shape mismatches.
    with pytest.raises(RuntimeError, match=r"add_: a value of shape \[2, 3\] can't update a "
                                           r"tensor of shape \[3\]"):
        t += ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"copy_: the source of shape \[2\] can't be broadcast "
                                           r"to the destination's shape \[3\]"):
        t.copy_(ember.ones(2))
    with pytest.raises(RuntimeError, match=r"setitem: can't assign a value of shape \[3\] to a "
                                         r"selection of shape \[2\]"):
        t[1:] = ember.ones(3)


def test_true_division_in_place_into_an_integer_tensor() -> None:
    with pytest.raises(RuntimeError, match=r"div_: result of true division can't be stored "
                                           r"in ember.int64"):
        ember.tensor([1, 2]).div_(2)


def test_where_and_t_raise_runtime_error_as_pytorch() -> None:
    with pytest.raises(RuntimeError, match="where: condition"):
        ember.where(ember.ones(2) > 0, ember.ones(2), ember.ones(3))
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        ember.ones(2, 3, 4).t()
