"""ember.nn.functional: stability of the fused losses, dropout, one_hot, the inplace flag."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

HUGE_LOGITS = [[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]]


def finite(t: ember.Tensor) -> bool:
    return bool(np.all(np.isfinite(t.detach().numpy())))


STABLE = {
    "cross_entropy": lambda x: F.cross_entropy(x, ember.tensor([1, 0])),
    "cross_entropy_smoothing": lambda x: F.cross_entropy(x, ember.tensor([1, 0]),
                                                         label_smoothing=0.1),
    "cross_entropy_probabilities": lambda x: F.cross_entropy(
        x, ember.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], dtype=x.dtype)),
    "log_softmax": lambda x: F.log_softmax(x, dim=1),
    "softmax": lambda x: F.softmax(x, dim=1),
    "logsumexp": lambda x: x.logsumexp(dim=1),
    "logsumexp_all": lambda x: ember.logsumexp(x),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(
        x, ember.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.5]], dtype=x.dtype)),
    "bce_with_logits_pos_weight": lambda x: F.binary_cross_entropy_with_logits(
        x, ember.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.5]], dtype=x.dtype),
        pos_weight=ember.tensor([2.0, 2.0, 2.0], dtype=x.dtype)),
    "sigmoid": ember.sigmoid,
    "softplus": F.softplus,
    "silu": F.silu,
    "elu": F.elu,
}


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
@pytest.mark.parametrize("name", list(STABLE))
def test_huge_logits_give_finite_values_and_gradients(name: str, dtype) -> None:
    x = ember.tensor(HUGE_LOGITS, dtype=dtype, requires_grad=True)
    out = STABLE[name](x)
    assert finite(out), out
    (out * ember.ones_like(out)).sum().backward()
    assert finite(x.grad), x.grad


def test_cross_entropy_of_huge_logits_has_the_exact_value() -> None:
    x = ember.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([2]))
    assert loss.item() == pytest.approx(1e4)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, 0.0, -1.0]], atol=1e-6)


def test_softmax_rows_sum_to_one_and_log_softmax_agrees() -> None:
    x = ember.randn(4, 5)
    np.testing.assert_allclose(F.softmax(x, dim=1).sum(dim=1).numpy(), np.ones(4), rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(x, dim=1).exp().numpy(),
                               F.softmax(x, dim=1).numpy(), rtol=1e-5)


def test_cross_entropy_equals_nll_of_log_softmax() -> None:
    x = ember.randn(6, 4)
    target = ember.tensor([0, 1, 2, 3, 3, 1])
    np.testing.assert_allclose(F.cross_entropy(x, target).item(),
                               F.nll_loss(F.log_softmax(x, dim=1), target).item(), rtol=1e-6)


def test_cross_entropy_all_ignored_is_nan_like_pytorch() -> None:
    loss = F.cross_entropy(ember.zeros(2, 3), ember.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_binary_cross_entropy_clamps_its_logs() -> None:
    loss = F.binary_cross_entropy(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 0.0]),
                                  reduction="none")
    assert loss.tolist() == [100.0, 100.0]


def test_dropout_scales_the_kept_elements_and_is_off_in_eval() -> None:
    ember.manual_seed(0)
    x = ember.ones(1000)
    out = F.dropout(x, p=0.25)
    kept = out.numpy() != 0
    np.testing.assert_allclose(out.numpy()[kept], 1 / 0.75)
    assert 0.65 < kept.mean() < 0.85
    assert F.dropout(x, p=0.25, training=False) is x
    assert F.dropout(x, p=0.0) is x
    assert F.dropout(x, p=1.0).sum().item() == 0.0


def test_dropout_gradient_uses_the_same_mask() -> None:
    ember.manual_seed(1)
    x = ember.ones(20, requires_grad=True)
    out = F.dropout(x, p=0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


def test_dropout_keeps_float64() -> None:
    assert F.dropout(ember.ones(4, dtype=ember.float64), p=0.5).dtype == ember.float64


def test_one_hot() -> None:
    encoded = F.one_hot(ember.tensor([0, 2, 1]), num_classes=4)
    assert encoded.dtype == ember.int64
    assert encoded.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert F.one_hot(ember.tensor([[1], [3]])).shape == (2, 1, 4)


def test_inplace_activation_flag() -> None:
    x = ember.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    w = ember.tensor([-1.0, 2.0], requires_grad=True)
    y = w * 1.0
    out = F.relu(y, inplace=True)
    out.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0]


def test_regression_losses_reduce_as_documented() -> None:
    prediction = ember.tensor([1.0, 2.0, 5.0])
    target = ember.tensor([1.5, 2.0, 2.0])
    assert F.mse_loss(prediction, target).item() == pytest.approx((0.25 + 9) / 3)
    assert F.l1_loss(prediction, target, reduction="sum").item() == pytest.approx(3.5)
    assert F.smooth_l1_loss(prediction, target, reduction="none").tolist() == \
        pytest.approx([0.125, 0.0, 2.5])
    assert F.huber_loss(prediction, target, delta=2.0, reduction="none").tolist() == \
        pytest.approx([0.125, 0.0, 4.0])
