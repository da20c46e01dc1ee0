"""How the autograd engine behaves: accumulation, grad modes, graph lifetime, in-place rules,
custom Functions, gradcheck itself and seeded randomness."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import Function, GradcheckError, gradcheck


def test_grad_accumulates_across_backward_calls() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_grad_can_be_reset_with_none_or_zero_() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    grad_array = x.grad._data
    x.grad.zero_()
    assert x.grad._data is grad_array and x.grad.tolist() == [0.0, 0.0]
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    (x * 4).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_gradient_of_a_tensor_used_twice_is_summed() -> None:
    x = ember.tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad.item() == 7.0


def test_leaf_grads_do_not_share_memory() -> None:
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(1.0)
    assert b.grad.tolist() == [1.0, 1.0]


def test_requires_grad_() -> None:
    x = ember.ones(2)
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2]).requires_grad_()


def test_detach_shares_values_but_leaves_the_graph() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    z = x.detach()
    z.add_(1.0)
    assert x.tolist() == [2.0, 3.0]


def test_no_grad_records_nothing() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        y = x * 2 + 1
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad


def test_no_grad_as_a_decorator() -> None:
    @ember.no_grad()
    def double(t: ember.Tensor) -> ember.Tensor:
        return t * 2

    x = ember.tensor([1.0], requires_grad=True)
    y = double(x)
    assert not y.requires_grad and y.grad_fn is None
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = ember.tensor([1.0], requires_grad=True)
    with ember.no_grad():
        with ember.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad


def test_set_grad_enabled_as_context_manager() -> None:
    x = ember.tensor([1.0], requires_grad=True)
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()


def test_backward_on_a_non_scalar_needs_a_gradient() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(ember.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 1.0]


def test_backward_gradient_of_the_wrong_shape_is_rejected() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*shape \(2,\)"):
        (x * 2).backward(ember.ones(3))


def test_backward_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_backward_through_a_freed_graph_raises() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_in_place_change_of_a_saved_tensor_is_caught_at_backward() -> None:
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    x = ember.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    with ember.no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_in_place_change_of_a_saved_output_is_caught_at_backward() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    with ember.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace operation"):
        y.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad() -> None:
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    for update in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.zero_(),
                   lambda: w.fill_(1.0), lambda: w.copy_(ember.ones(2))):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*no_grad"):
            update()
    with pytest.raises(RuntimeError, match="leaf"):
        w -= 1.0


def test_parameter_update_under_no_grad_is_in_place() -> None:
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    storage = p._data
    with ember.no_grad():
        p -= 0.5 * p.grad
    assert p._data is storage
    assert p.tolist() == [0.0, 0.0]
    assert p.is_leaf and p.requires_grad


def test_in_place_methods_without_grad() -> None:
    t = ember.tensor([1.0, 2.0, 3.0])
    storage = t._data
    assert t.add_(1.0) is t and t.tolist() == [2.0, 3.0, 4.0]
    t.add_(ember.ones(3), alpha=2)
    assert t.tolist() == [4.0, 5.0, 6.0]
    t.mul_(0.5)
    assert t.tolist() == [2.0, 2.5, 3.0]
    t.copy_(ember.tensor([7.0, 8.0, 9.0]))
    assert t.tolist() == [7.0, 8.0, 9.0]
    t.fill_(3.0)
    assert t.tolist() == [3.0, 3.0, 3.0]
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert t._data is storage


def test_in_place_op_on_a_non_leaf_is_recorded() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(x)
    y.add_(1.0)
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_deep_graph_backward_has_no_recursion_error() -> None:
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a 5000-node chain must not recurse either


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]


def test_autograd_grad_returns_gradients_without_touching_dot_grad() -> None:
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (gx,) = ember.autograd.grad((x * x).sum(), [x])
    assert gx.tolist() == [2.0, 4.0]
    assert x.grad is None


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y


class ClampBetween(Function):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return x.clamp(low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        inside = (x >= ctx.low) & (x <= ctx.high)
        return grad_output * inside, None, None


def test_custom_function_matches_the_builtin_op() -> None:
    values = np.array([[-1.0, 0.5], [2.0, 0.1]])
    ours = ember.tensor(values, requires_grad=True)
    builtin = ember.tensor(values, requires_grad=True)
    out = Exp.apply(ours)
    assert out.grad_fn is not None
    np.testing.assert_allclose(out.detach().numpy(), builtin.exp().detach().numpy())
    (out * 2).sum().backward()
    (builtin.exp() * 2).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), builtin.grad.numpy())


def test_custom_functions_pass_gradcheck() -> None:
    x = ember.tensor([[-1.2, 0.5], [2.0, 0.1]], dtype=ember.float64, requires_grad=True)
    assert gradcheck(Exp.apply, (x,))
    assert gradcheck(lambda t: ClampBetween.apply(t, -0.5, 1.0), (x,))
    assert gradcheck(lambda t: ClampBetween.apply(t * t, -0.5, 1.0).sum(), (x,))


def test_gradcheck_detects_a_wrong_backward() -> None:
    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * x  # should be 2 * x

    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="analytical .* vs numerical"):
        gradcheck(WrongSquare.apply, (x,))
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_insists_on_float64() -> None:
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, (ember.ones(2, requires_grad=True),))


def test_manual_seed_makes_random_ops_reproducible() -> None:
    def draw():
        return (ember.rand(3).tolist(), ember.randn(2, 2).tolist(),
                ember.randint(0, 10, (4,)).tolist(), ember.randperm(5).tolist(),
                F.dropout(ember.ones(8), p=0.5).tolist())

    ember.manual_seed(123)
    first = draw()
    ember.manual_seed(123)
    assert draw() == first
    ember.manual_seed(124)
    assert draw() != first


def test_random_dtypes_and_ranges() -> None:
    ember.manual_seed(0)
    assert ember.rand(2, 3).dtype == ember.float32
    assert ember.randn(2, dtype=ember.float64).dtype == ember.float64
    ints = ember.randint(3, 7, size=(100,))
    assert ints.dtype == ember.int64 and 3 <= ints.min().item() and ints.max().item() < 7
    assert sorted(ember.randperm(6).tolist()) == list(range(6))


def test_no_grad_as_a_bare_decorator() -> None:
    @ember.no_grad
    def double(t: ember.Tensor) -> ember.Tensor:
        return t * 2

    assert not double(ember.ones(1, requires_grad=True)).requires_grad
    assert ember.is_grad_enabled()


def test_recorded_in_place_op_cannot_change_the_shape() -> None:
    y = ember.ones(3, requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match=r"add_: the result has shape \[2, 3\] but the "
                                           r"tensor it updates has shape \[3\]"):
        y.add_(ember.ones(2, 3))
    assert y.shape == (3,)
