"""PyTorch's typed-tensor constructors and its keyword names for operands (torch is the oracle
where installed)."""

import numpy as np
import pytest

import ember


def test_sizes_make_a_tensor_of_that_shape_and_dtype():
    assert ember.FloatTensor(2, 3).shape == (2, 3)
    assert ember.FloatTensor(2, 3).dtype == ember.float32
    assert ember.LongTensor(4).dtype == ember.int64
    assert ember.DoubleTensor().shape == (0,)


def test_data_is_converted_to_the_type():
    values = ember.FloatTensor([1, 2, 3])
    assert values.dtype == ember.float32 and values.tolist() == [1.0, 2.0, 3.0]
    assert ember.LongTensor([[1, 2]]).dtype == ember.int64
    assert ember.DoubleTensor([0.5]).dtype == ember.float64


def test_isinstance_checks_the_dtype_and_type_casts():
    labels = ember.tensor([1, 2])
    assert isinstance(labels, ember.LongTensor) and not isinstance(labels, ember.FloatTensor)
    as_float = labels.type(ember.FloatTensor)
    assert as_float.dtype == ember.float32 and isinstance(as_float, ember.FloatTensor)
    assert as_float.type(ember.DoubleTensor).dtype == ember.float64


def test_a_tensor_of_another_dtype_is_refused():
    with pytest.raises(TypeError, match="FloatTensor"):
        ember.FloatTensor(ember.tensor([1.0], dtype=ember.float64))


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"):
        ours, theirs = getattr(ember, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2])
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_operands_by_pytorch_keyword_names():
    a, b = ember.ones(2, 3), ember.full((3, 2), 2.0)
    assert ember.matmul(input=a, other=b).tolist() == [[6.0, 6.0], [6.0, 6.0]]
    assert ember.matmul(a, other=b).shape == (2, 2)
    assert ember.mm(input=a, mat2=b).shape == (2, 2)
    assert ember.add(input=a, other=a).sum().item() == 12.0
    assert ember.mul(input=a, other=3.0).sum().item() == 18.0
    out = ember.empty(2, 2)
    assert ember.matmul(input=a, other=b, out=out) is out
    with pytest.raises(TypeError, match="multiple values for argument 'input'"):
        ember.matmul(a, input=b)


# ---------------------------------------------------------------- ember.Tensor, the legacy form
def test_legacy_tensor_constructor_makes_floats_from_integer_data():
    values = ember.Tensor([1, 2])
    assert values.dtype == ember.float32 and values.tolist() == [1.0, 2.0]
    assert ember.Tensor(np.array([[1, 2]])).dtype == ember.float32
    assert ember.Tensor([True, False]).tolist() == [1.0, 0.0]
    assert ember.tensor([1, 2]).dtype == ember.int64  # the factory keeps integers


def test_legacy_tensor_constructor_takes_sizes_or_nothing():
    assert ember.Tensor(2, 3).shape == (2, 3) and ember.Tensor(2, 3).dtype == ember.float32
    assert ember.Tensor(ember.Size([4, 1])).shape == (4, 1)
    assert ember.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a plain tuple is data, not sizes
    empty = ember.Tensor()
    assert empty.shape == (0,) and empty.dtype == ember.float32


def test_legacy_tensor_constructor_follows_the_default_dtype():
    previous = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.Tensor([1, 2]).dtype == ember.float64
        assert ember.Tensor(2).dtype == ember.float64
    finally:
        ember.set_default_dtype(previous)


def test_legacy_tensor_of_a_tensor_is_an_alias():
    source = ember.tensor([1.0, 2.0], requires_grad=True)
    alias = ember.Tensor(source)
    assert alias is not source and alias.requires_grad and alias.grad_fn is not None
    alias.sum().backward()
    assert source.grad.tolist() == [1.0, 1.0]
    assert ember.Tensor(ember.tensor([1, 2])).dtype == ember.int64


@pytest.mark.parametrize("args,kwargs,error", [
    ((2.5,), {}, TypeError), (("ab",), {}, TypeError), ((-1,), {}, RuntimeError),
    (([1, 2],), {"dtype": ember.float64}, TypeError), ((2, [3]), {}, TypeError),
    (([1, 2],), {"requires_grad": True}, TypeError),
])
def test_legacy_tensor_constructor_refuses_what_pytorch_refuses(args, kwargs, error):
    with pytest.raises(error):
        ember.Tensor(*args, **kwargs)


def test_legacy_tensor_constructor_against_pytorch():
    torch = pytest.importorskip("torch")
    for args in [([1, 2],), ([[1, 2], [3, 4]],), ((2, 3),), ([True, False],), ([],)]:
        ours, theirs = ember.Tensor(*args), torch.Tensor(*args)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch", "ember")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for args in [(2, 3), (), (0,)]:
        assert tuple(ember.Tensor(*args).shape) == tuple(torch.Tensor(*args).shape)
    for args, kwargs in [((2.5,), {}), ((-1,), {}), (([1],), {"dtype": torch.float64})]:
        with pytest.raises(Exception) as theirs:
            torch.Tensor(*args, **kwargs)
        ember_kwargs = {k: ember.float64 for k in kwargs}
        with pytest.raises(theirs.type):
            ember.Tensor(*args, **ember_kwargs)
