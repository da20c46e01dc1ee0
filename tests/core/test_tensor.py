"""Tensor basics: constructors, dtypes (no silent float64), conversions, metadata and repr."""

from __future__ import annotations

import numpy as np
import pytest

import ember


@pytest.mark.parametrize(
    "make,shape,dtype",
    [
        (lambda: ember.tensor([[1, 2], [3, 4]]), (2, 2), ember.int64),
        (lambda: ember.tensor([1.5, 2.0]), (2,), ember.float32),
        (lambda: ember.tensor(3.0), (), ember.float32),
        (lambda: ember.tensor([True, False]), (2,), ember.bool),
        (lambda: ember.zeros(2, 3), (2, 3), ember.float32),
        (lambda: ember.zeros((2, 3), dtype=ember.int64), (2, 3), ember.int64),
        (lambda: ember.ones(4), (4,), ember.float32),
        (lambda: ember.full((2, 2), 7.0), (2, 2), ember.float32),
        (lambda: ember.full((2,), 7), (2,), ember.int64),
        (lambda: ember.empty(3, 1), (3, 1), ember.float32),
        (lambda: ember.zeros_like(ember.ones(2, dtype=ember.float64)), (2,), ember.float64),
        (lambda: ember.ones_like(ember.tensor([1, 2, 3])), (3,), ember.int64),
        (lambda: ember.arange(5), (5,), ember.int64),
        (lambda: ember.arange(1, 2, 0.25), (4,), ember.float32),
        (lambda: ember.linspace(0, 1, 5), (5,), ember.float32),
        (lambda: ember.eye(3), (3, 3), ember.float32),
        (lambda: ember.eye(2, 3), (2, 3), ember.float32),
        (lambda: ember.rand(2, 3), (2, 3), ember.float32),
        (lambda: ember.randn(4), (4,), ember.float32),
        (lambda: ember.randint(0, 5, (3,)), (3,), ember.int64),
        (lambda: ember.randint(5, size=(2, 2)), (2, 2), ember.int64),
        (lambda: ember.randperm(4), (4,), ember.int64),
    ],
    ids=["tensor_int", "tensor_float", "tensor_scalar", "tensor_bool", "zeros", "zeros_int",
         "ones", "full_float", "full_int", "empty", "zeros_like", "ones_like", "arange_int",
         "arange_float", "linspace", "eye", "eye_rect", "rand", "randn", "randint",
         "randint_high_only", "randperm"],
)
def test_constructor_shape_and_dtype(make, shape, dtype) -> None:
    t = make()
    assert t.shape == shape
    assert t.dtype == dtype


def test_constructor_values() -> None:
    assert ember.arange(2, 8, 2).tolist() == [2, 4, 6]
    assert ember.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ember.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert ember.full((2,), 1.5).tolist() == [1.5, 1.5]
    assert ember.zeros(2, requires_grad=True).requires_grad


def test_tensor_from_float64_numpy_becomes_float32_and_copies() -> None:
    array = np.array([1.0, 2.0])
    t = ember.tensor(array)
    assert t.dtype == ember.float32
    array[0] = 5.0
    assert t.tolist() == [1.0, 2.0]
    assert ember.tensor(array, dtype=ember.float64).dtype == ember.float64


def test_from_numpy_keeps_dtype_and_shares_memory() -> None:
    array = np.array([1.0, 2.0])
    t = ember.from_numpy(array)
    assert t.dtype == ember.float64
    array[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    t.add_(1.0)
    assert array.tolist() == [6.0, 3.0]
    assert ember.from_numpy(np.arange(3, dtype=np.int32)).dtype == ember.int32
    with pytest.raises(TypeError, match="np.ndarray"):
        ember.from_numpy([1, 2])


@pytest.mark.parametrize(
    "convert,dtype",
    [(lambda t: t.float(), ember.float32), (lambda t: t.double(), ember.float64),
     (lambda t: t.long(), ember.int64), (lambda t: t.int(), ember.int32),
     (lambda t: t.bool(), ember.bool), (lambda t: t.to(ember.float64), ember.float64),
     (lambda t: t.to("cpu", dtype=ember.int64), ember.int64),
     (lambda t: t.to(dtype=ember.float16), ember.float16),
     (lambda t: t.type(ember.float64), ember.float64),
     (lambda t: t.type("ember.LongTensor"), ember.int64)],
    ids=["float", "double", "long", "int", "bool", "to_dtype", "to_cpu_dtype", "to_kw",
         "type_dtype", "type_name"],
)
def test_dtype_conversions(convert, dtype) -> None:
    converted = convert(ember.tensor([1.5, 0.0, 2.0]))
    assert converted.dtype == dtype


def test_type_without_argument_names_the_tensor_type() -> None:
    assert ember.ones(1).type() == "ember.FloatTensor"
    assert ember.tensor([1]).type() == "ember.LongTensor"


def test_conversion_is_differentiable() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == ember.float32 and x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize(
    "compute",
    [lambda x: x * 0.5, lambda x: x + 1.0, lambda x: 2.0 - x, lambda x: x / 3.0,
     lambda x: x**2.0, lambda x: 1.0 / x, lambda x: x * np.float64(2.0), lambda x: x.mean(),
     lambda x: x.var(), lambda x: x.exp(), lambda x: ember.where(x > 0, x, 0.0),
     lambda x: x.clamp(0.1, 0.2), lambda x: x + np.array([1.0, 2.0])],
    ids=["mul", "add", "rsub", "div", "pow", "rdiv", "np_float64_scalar", "mean", "var", "exp",
         "where_scalar", "clamp", "float64_ndarray"],
)
def test_float32_computations_stay_float32(compute) -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    out = compute(x)
    assert out.dtype == ember.float32
    out.sum().backward()
    assert x.grad.dtype == ember.float32


def test_integer_promotion_rules() -> None:
    ints = ember.tensor([1, 2])
    assert (ints * 0.5).dtype == ember.float32
    assert (ints / ember.tensor([2, 4])).dtype == ember.float32
    assert (ints / 2).tolist() == [0.5, 1.0]
    assert (ints * 2).dtype == ember.int64
    assert (ints + ember.tensor([1.0, 2.0])).dtype == ember.float32
    assert ints.float().mean().dtype == ember.float32
    assert ints.exp().dtype == ember.float32


def test_values_out() -> None:
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().dtype == np.float32
    assert t.numpy() is t._data
    assert np.asarray(t) is t._data
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert t[1, 0].item() == 3.0 and isinstance(t.sum().item(), float)
    assert ember.tensor([3]).item() == 3 and isinstance(ember.tensor([3]).item(), int)
    assert float(ember.tensor(2.5)) == 2.5 and int(ember.tensor(7)) == 7
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    with pytest.raises(RuntimeError, match="detach"):
        ember.ones(2, requires_grad=True).numpy()


def test_0d_results_hold_arrays_and_support_in_place() -> None:
    total = ember.tensor([1.0, 2.0]).sum()
    assert isinstance(total.numpy(), np.ndarray) and total.numpy().shape == ()
    total += 1.0
    assert total.item() == 4.0


def test_metadata() -> None:
    t = ember.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4) and t.size(1) == 3
    assert repr(t.shape) == "ember.Size([2, 3, 4])"
    assert t.ndim == 3 and t.dim() == 3
    assert t.numel() == 24 and t.shape.numel() == 24
    assert len(t) == 2
    assert t.dtype == ember.float32 and t.is_floating_point()
    with pytest.raises(TypeError, match="0-d"):
        len(ember.tensor(1.0))


def test_iteration_and_truth_value() -> None:
    assert [row.tolist() for row in ember.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    assert bool(ember.tensor([1.0])) is True
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    "make,expected",
    [
        (lambda: ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
         "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)"),
        (lambda: ember.tensor([1.5, -2.25]), "tensor([ 1.5000, -2.2500])"),
        (lambda: ember.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
        (lambda: ember.tensor(3.0), "tensor(3.)"),
        (lambda: ember.tensor([True, False]), "tensor([ True, False])"),
        (lambda: ember.tensor([1.0, 2.0], dtype=ember.float64),
         "tensor([1., 2.], dtype=ember.float64)"),
        (lambda: ember.tensor([1, 2], dtype=ember.int32), "tensor([1, 2], dtype=ember.int32)"),
        (lambda: ember.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
        (lambda: ember.tensor([0.1, 1000.0]), "tensor([1.0000e-01, 1.0000e+03])"),
        (lambda: ember.tensor([1.0, 2000.0]), "tensor([1.0000e+00, 2.0000e+03])"),
        (lambda: ember.tensor([1.0, 1000.0]), "tensor([   1., 1000.])"),
        (lambda: ember.tensor([1e8]), "tensor([100000000.])"),
        (lambda: ember.zeros(0), "tensor([])"),
        (lambda: ember.zeros(2, 0), "tensor([], size=(2, 0))"),
        (lambda: ember.zeros(0, dtype=ember.int64), "tensor([], dtype=ember.int64)"),
    ],
    ids=["grad_matrix", "decimals", "int", "scalar", "bool", "float64", "int32", "scientific",
         "spread_over_1000", "integral_spread", "spread_of_1000", "1e8_not_past", "empty",
         "empty_2d", "empty_int"],
)
def test_repr_like_pytorch(make, expected: str) -> None:
    assert repr(make()) == expected


def test_repr_wraps_lines_as_pytorch() -> None:
    # PyTorch puts floor((80 - indent) / (item width + 2)) items on a line
    row = ember.tensor([[-0.0073, -0.1459, 0.0207, -0.0825, 0.0159, -0.0186, 0.0031, -0.0856,
                         0.0033, -0.1210]])
    assert repr(row) == ("tensor([[-0.0073, -0.1459,  0.0207, -0.0825,  0.0159, -0.0186,  "
                         "0.0031, -0.0856,\n          0.0033, -0.1210]])")
    assert repr(ember.arange(20.0)) == (
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "        14., 15., 16., 17., 18., 19.])")


def test_repr_summarizes_past_1000_items_as_pytorch() -> None:
    # the width and notation come from the items shown, "..." stands for the rest
    values = ember.cat([ember.full((600,), 1e-5), ember.full((600,), 123.25)])
    assert repr(values) == ("tensor([1.0000e-05, 1.0000e-05, 1.0000e-05,  ..., 1.2325e+02, "
                            "1.2325e+02,\n        1.2325e+02])")
    assert repr(ember.arange(2000) * 0.5) == (
        "tensor([0.0000e+00, 5.0000e-01, 1.0000e+00,  ..., 9.9850e+02, 9.9900e+02,\n"
        "        9.9950e+02])")
    assert repr(ember.ones(40, 40)) == (
        "tensor([[1., 1., 1.,  ..., 1., 1., 1.],\n        [1., 1., 1.,  ..., 1., 1., 1.],\n"
        "        [1., 1., 1.,  ..., 1., 1., 1.],\n        ...,\n"
        "        [1., 1., 1.,  ..., 1., 1., 1.],\n        [1., 1., 1.,  ..., 1., 1., 1.],\n"
        "        [1., 1., 1.,  ..., 1., 1., 1.]])")


def test_repr_moves_a_long_suffix_to_its_own_line() -> None:
    row = ember.full((2, 7), 0.5, dtype=ember.float64, requires_grad=True)
    assert repr(row) == (
        "tensor([[0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000],\n"
        "        [0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000]],\n"
        "       dtype=ember.float64, requires_grad=True)")


def test_repr_names_the_grad_fn() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward>)"


def test_clone_copies_and_is_differentiable() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y._data is not x._data
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_indexing_views_and_setitem_without_grad() -> None:
    t = ember.arange(6).reshape(2, 3)
    t[0, 1] = 10
    t[1] = ember.tensor([7, 8, 9])
    t[:, 0] = 0
    assert t.tolist() == [[0, 10, 2], [0, 8, 9]]
    t[t > 8] = -1
    assert t.tolist() == [[0, -1, 2], [0, 8, -1]]


def test_ember_module_level_functions_mirror_methods() -> None:
    x = ember.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert ember.sum(x, dim=0).tolist() == x.sum(0).tolist()
    assert ember.abs(x).tolist() == x.abs().tolist()
    assert ember.max(x).item() == 4.0
    assert ember.max(x, ember.zeros(2, 2)).tolist() == [[1.0, 0.0], [3.0, 4.0]]
    assert ember.is_tensor(x) and not ember.is_tensor(x.numpy())


def test_cat_of_int_and_float32_is_float32() -> None:
    joined = ember.cat([ember.tensor([1]), ember.tensor([1.5])])
    assert joined.dtype == ember.float32 and joined.tolist() == [1.0, 1.5]
    assert ember.stack([ember.tensor(1), ember.tensor(2.5)]).dtype == ember.float32
    assert ember.cat([ember.ones(1), ember.ones(1, dtype=ember.float64)]).dtype == ember.float64
