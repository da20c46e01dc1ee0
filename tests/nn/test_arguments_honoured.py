"""Arguments ember.nn used to accept and ignore now work as in PyTorch, or raise naming
themselves."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


@pytest.mark.parametrize("size_average, reduce, reduction", [
    (False, None, "sum"),
    (None, False, "none"),
    (True, True, "mean"),
    (False, False, "none"),
])
def test_legacy_size_average_and_reduce_pick_the_reduction(size_average, reduce, reduction):
    logits, target = ember.randn(4, 3), ember.tensor([0, 2, 1, 1])
    values, targets = ember.randn(4), ember.randn(4)
    with pytest.warns(UserWarning, match="size_average and reduce"):
        legacy = F.cross_entropy(logits, target, size_average=size_average, reduce=reduce)
    expected = F.cross_entropy(logits, target, reduction=reduction)
    np.testing.assert_allclose(legacy.numpy(), expected.numpy(), rtol=1e-6)
    with pytest.warns(UserWarning):
        legacy = F.mse_loss(values, targets, size_average=size_average, reduce=reduce)
    np.testing.assert_allclose(legacy.numpy(), F.mse_loss(values, targets, reduction=reduction)
                               .numpy(), rtol=1e-6)


@pytest.mark.parametrize("make", [nn.ReLU, lambda inplace: nn.LeakyReLU(0.1, inplace),
                                  nn.ELU, nn.SiLU], ids=["relu", "leaky_relu", "elu", "silu"])
def test_inplace_activations_write_into_their_input(make):
    x = ember.tensor([-1.0, 0.5, 2.0])
    assert make(inplace=True)(x) is x
    expected = make(inplace=False)(ember.tensor([-1.0, 0.5, 2.0]))
    np.testing.assert_allclose(x.numpy(), expected.numpy())


def test_inplace_activation_inside_a_graph_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.array([-1.0, 2.0, 3.0], dtype=np.float32)
    a, ta = ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    h, th = a * 2, ta * 2
    assert F.relu(h, inplace=True) is h
    torch.nn.functional.relu(th, inplace=True)
    np.testing.assert_array_equal(h.detach().numpy(), th.detach().numpy())
    (h * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    (th * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())


def test_inplace_activation_on_a_leaf_that_requires_grad_raises_as_in_torch():
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(ember.ones(2, requires_grad=True), inplace=True)


def test_dropout_inplace_writes_into_its_input():
    ember.manual_seed(0)
    x = ember.ones(1000)
    out = F.dropout(x, 0.5, training=True, inplace=True)
    assert out is x
    assert set(np.unique(x.numpy())) == {0.0, 2.0}
    layer = nn.Dropout(0.5, inplace=True)
    y = ember.ones(10)
    assert layer(y) is y


@pytest.mark.parametrize("make", [
    lambda: nn.Linear(2, 3, device="cuda"),
    lambda: nn.BatchNorm1d(3, device="cuda:0"),
    lambda: nn.Embedding(4, 2, device="mps"),
    lambda: nn.Conv2d(1, 2, 3, device="cuda"),
    lambda: nn.Linear(2, 3).to("cuda"),
    lambda: nn.Linear(2, 3).to(device="cuda", dtype=ember.float64),
], ids=["Linear", "BatchNorm1d", "Embedding", "Conv2d", "to", "to_device_dtype"])
def test_other_devices_are_refused_by_name(make):
    with pytest.raises(NotImplementedError, match="device='(cuda|cuda:0|mps)'"):
        make()


def test_module_to_accepts_the_cpu_with_a_dtype():
    layer = nn.Linear(2, 3, device="cpu").to("cpu", ember.float64)
    assert layer.weight.dtype == ember.float64
    assert layer.to(ember.device("cpu")).weight.dtype == ember.float64
    with pytest.raises(TypeError, match="copy"):
        layer.to(copy=True)


def test_load_state_dict_assign_keeps_the_state_dicts_dtype():
    layer = nn.Linear(2, 3)
    state = {name: value.double() for name, value in layer.state_dict().items()}
    layer.load_state_dict(state, assign=True)
    assert layer.weight.dtype == ember.float64
    assert np.shares_memory(layer.weight.detach().numpy(), state["weight"].numpy())


def test_batchnorm_and_linear_shape_errors_are_torchs_types():
    with pytest.raises(RuntimeError, match=r"\(N, 4, H, W\)"):
        nn.BatchNorm2d(4)(ember.randn(2, 3, 5, 5))
    with pytest.raises(ValueError, match=r"\(N, 4, H, W\)"):
        nn.BatchNorm2d(4)(ember.randn(4, 5, 5))
    with pytest.raises(RuntimeError, match=r"\(\.\.\., 5\)"):
        nn.Linear(5, 2)(ember.ones(2, 3))
