"""The extra activation, dropout and loss layers and nn.init's additions: the same results and
gradients as PyTorch's twins, and the dropouts' and initialisers' defining properties."""

import numpy as np
import pytest

import ember
from ember import nn


def _torch():
    return pytest.importorskip("torch")


def _array(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("name, args", [
    ("ReLU6", ()), ("Hardtanh", (-0.5, 0.7)), ("Hardswish", ()), ("Hardsigmoid", ()),
    ("Mish", ()), ("SELU", ()), ("CELU", (0.7,)), ("Softsign", ()), ("LogSigmoid", ()),
    ("Softmin", (1,)), ("GLU", (1,)), ("Threshold", (0.2, -1.0)), ("PReLU", ()),
    ("PReLU", (6,)),
])
def test_activation_layers_match_pytorch(name, args):
    torch = _torch()
    theirs = getattr(torch.nn, name)(*args).double()
    ours = getattr(nn, name)(*args).double()
    ours.load_state_dict(theirs.state_dict())
    x = _array(4, 6) * 4
    ex, tx = ember.tensor(x, dtype=ember.float64, requires_grad=True), torch.tensor(
        x, requires_grad=True)
    out, t_out = ours(ex), theirs(tx)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=1e-6)
    out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-6)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("name, inputs, kwargs", [
    ("KLDivLoss", ("logp", "p"), {"reduction": "batchmean"}),
    ("CosineEmbeddingLoss", ("x", "x2", "sign"), {"margin": 0.1}),
    ("MarginRankingLoss", ("v", "v2", "sign"), {"margin": 0.2}),
    ("TripletMarginLoss", ("x", "x2", "x3"), {}),
    ("PoissonNLLLoss", ("x", "count"), {}),
    ("MultiLabelSoftMarginLoss", ("x", "bits"), {}),
])
def test_loss_layers_match_pytorch(name, inputs, kwargs):
    torch = _torch()
    rng = np.random.default_rng(0)
    p = rng.random((4, 5)) + 0.1
    values = {"x": _array(4, 5), "x2": _array(4, 5, seed=1), "x3": _array(4, 5, seed=2),
              "v": _array(4), "v2": _array(4, seed=1), "sign": np.array([1.0, -1, 1, -1]),
              "logp": np.log(p / p.sum(1, keepdims=True)),
              "p": rng.dirichlet(np.ones(5), 4), "count": rng.poisson(2.0, (4, 5)) * 1.0,
              "bits": (rng.random((4, 5)) > 0.5) * 1.0}
    arrays = [values[k] for k in inputs]
    ours = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = getattr(nn, name)(**kwargs)(*ours)
    t_loss = getattr(torch.nn, name)(**kwargs)(*theirs)
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-6)
    loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(ours[0].grad.numpy(), theirs[0].grad.numpy(), atol=1e-8)


@pytest.mark.parametrize("name, shape", [("Dropout1d", (8, 16, 5)), ("Dropout2d", (8, 16, 3, 3)),
                                         ("Dropout3d", (4, 16, 2, 2, 2))])
def test_channel_dropout_zeroes_whole_channels_and_keeps_the_mean(name, shape):
    layer = getattr(nn, name)(0.5)
    x = ember.ones(*shape)
    out = layer(x).numpy()
    per_channel = out.reshape(shape[0], shape[1], -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # whole channels
    assert 0.2 < (per_channel[:, :, 0] == 0).mean() < 0.8
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())


def test_alpha_dropout_keeps_selu_statistics():
    ember.manual_seed(0)
    x = ember.randn(200_000)
    out = nn.AlphaDropout(0.2).train()(x).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02


def test_init_additions():
    weight = ember.empty(4, 6)
    nn.init.orthogonal_(weight, gain=2.0)
    np.testing.assert_allclose(weight.numpy() @ weight.numpy().T, 4 * np.eye(4), atol=1e-5)
    nn.init.eye_(weight)
    np.testing.assert_array_equal(weight.numpy(), np.eye(4, 6))
    nn.init.sparse_(weight, 0.5)
    assert ((weight.numpy() == 0).sum(axis=0) == 2).all()
    kernel = ember.empty(2, 2, 3, 3)
    nn.init.dirac_(kernel)
    x = ember.randn(1, 2, 5, 5)
    np.testing.assert_allclose(ember.nn.functional.conv2d(x, kernel, padding=1).numpy(),
                               x.numpy(), atol=1e-6)
