"""Each layer, and the seed CNN, against PyTorch: same weights via state_dict, same results."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def pair_of(ember_layer, torch_layer):
    """Copy torch_layer's state into ember_layer through the state_dict interface."""
    ember_layer.load_state_dict(torch_layer.state_dict())
    return ember_layer, torch_layer


def compare(ember_layer, torch_layer, x_np, atol=1e-5, grad_input=True):
    x = ember.tensor(x_np, requires_grad=grad_input)
    tx = torch.tensor(x_np, requires_grad=grad_input)
    out, t_out = ember_layer(x), torch_layer(tx)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=atol, rtol=1e-4)
    seed = np.random.default_rng(1).standard_normal(t_out.shape).astype(np.float32)
    out.backward(ember.tensor(seed))
    t_out.backward(torch.tensor(seed))
    if grad_input:
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=atol, rtol=1e-4)
    t_params = dict(torch_layer.named_parameters())
    for name, param in ember_layer.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), t_params[name].grad.numpy(), atol=atol,
                                   rtol=1e-4, err_msg=name)


def images(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_linear():
    compare(*pair_of(nn.Linear(5, 3), tnn.Linear(5, 3)), images(4, 5))


@pytest.mark.parametrize("kwargs", [
    {},
    {"stride": 2, "padding": 1},
    {"padding": "same", "dilation": 2},
    {"padding": (1, 2), "stride": (2, 1), "bias": False},
])
def test_conv2d(kwargs):
    compare(*pair_of(nn.Conv2d(3, 4, 3, **kwargs), tnn.Conv2d(3, 4, 3, **kwargs)),
            images(2, 3, 9, 8))


@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool2d(2),
    lambda m: m.MaxPool2d(3, stride=2, padding=1),
    lambda m: m.AvgPool2d(2),
    lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    lambda m: m.AdaptiveAvgPool2d(1),
    lambda m: m.AdaptiveAvgPool2d((3, 2)),
])
def test_pooling(make):
    compare(make(nn), make(tnn), images(2, 3, 9, 7))


def test_max_pool_gradient_with_relu_ties_matches_torch():
    x = np.maximum(images(2, 2, 6, 6), 0)
    x[0, 0, :2, :2] = 0.0
    compare(nn.MaxPool2d(2), tnn.MaxPool2d(2), x)


@pytest.mark.parametrize("make, shape", [
    (lambda m: m.BatchNorm1d(3), (6, 3)),
    (lambda m: m.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    (lambda m: m.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda m: m.BatchNorm2d(3, affine=False), (4, 3, 5, 5)),
])
def test_batch_norm_training_then_eval(make, shape):
    layer, reference = make(nn), make(tnn)
    with torch.no_grad():
        for p in reference.parameters():
            p.uniform_(0.5, 1.5)
    layer.load_state_dict(reference.state_dict())
    for seed in range(2):
        compare(layer, reference, images(*shape, seed=seed) * 2 + 1)
        layer.zero_grad()
        reference.zero_grad()
    for (name, value), t_value in zip(layer.state_dict().items(),
                                      reference.state_dict().values()):
        np.testing.assert_allclose(value.numpy(), t_value.numpy(), rtol=1e-5, err_msg=name)
    layer.eval()
    reference.eval()
    compare(layer, reference, images(*shape, seed=5))


def test_embedding_with_padding_idx():
    layer, reference = pair_of(nn.Embedding(6, 3, padding_idx=0), tnn.Embedding(6, 3,
                                                                                  padding_idx=0))
    idx = np.array([[0, 1, 1], [5, 0, 2]])
    out, t_out = layer(ember.tensor(idx)), reference(torch.tensor(idx))
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy())
    out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy())


@pytest.mark.parametrize("name, args", [
    ("ReLU", ()), ("LeakyReLU", (0.2,)), ("ELU", ()), ("GELU", ()), ("Sigmoid", ()),
    ("Tanh", ()), ("Softmax", (1,)), ("LogSoftmax", (1,)), ("Softplus", ()), ("SiLU", ()),
    ("Flatten", ()), ("Identity", ()),
])
def test_activations_and_shape_layers(name, args):
    compare(getattr(nn, name)(*args), getattr(tnn, name)(*args), images(3, 4, 2))


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"])
def test_regression_losses(name):
    x, y = images(4, 3), images(4, 3, seed=1)
    out = getattr(nn, name)()(ember.tensor(x), ember.tensor(y))
    ref = getattr(tnn, name)()(torch.tensor(x), torch.tensor(y))
    assert out.item() == pytest.approx(ref.item(), rel=1e-5)


def test_classification_losses():
    logits, labels = images(5, 4), np.array([0, 3, 1, 1, 2])
    probs = 1 / (1 + np.exp(-logits))
    targets = (images(5, 4, seed=2) > 0).astype(np.float32)
    cases = [
        ("CrossEntropyLoss", logits, labels), ("NLLLoss", np.log(np.exp(logits) / np.exp(
            logits).sum(1, keepdims=True)), labels),
        ("BCELoss", probs, targets), ("BCEWithLogitsLoss", logits, targets),
    ]
    for name, x, y in cases:
        out = getattr(nn, name)()(ember.tensor(x), ember.tensor(y))
        ref = getattr(tnn, name)()(torch.tensor(x), torch.tensor(y))
        assert out.item() == pytest.approx(ref.item(), rel=1e-5), name


class SeedCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = ember.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


class TorchSeedCNN(tnn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = tnn.Conv2d(1, 32, 3, 1)
        self.conv2 = tnn.Conv2d(32, 64, 3, 1)
        self.dropout1 = tnn.Dropout(0.25)
        self.dropout2 = tnn.Dropout(0.5)
        self.fc1 = tnn.Linear(9216, 128)
        self.fc2 = tnn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.nn.functional.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = self.dropout2(x)
        return torch.log_softmax(self.fc2(x), dim=1)


def test_seed_cnn_matches_torch_in_eval_mode():
    model, reference = SeedCNN().eval(), TorchSeedCNN().eval()
    model.load_state_dict(reference.state_dict())
    x, labels = images(8, 1, 28, 28), np.arange(8) % 10
    loss = F.nll_loss(model(ember.tensor(x)), ember.tensor(labels))
    t_loss = torch.nn.functional.nll_loss(reference(torch.tensor(x)), torch.tensor(labels))
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-5)
    loss.backward()
    t_loss.backward()
    t_params = dict(reference.named_parameters())
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), t_params[name].grad.numpy(), atol=1e-5,
                                   rtol=1e-3, err_msg=name)


def test_repr_matches_torch():
    def build(m):
        return m.Sequential(
            m.Conv2d(1, 8, 3, padding=1), m.BatchNorm2d(8), m.ReLU(inplace=True),
            m.MaxPool2d(2), m.Conv2d(8, 8, 3, stride=2, padding=1,
                                     dilation=2, bias=False),
            m.AvgPool2d(2), m.AdaptiveAvgPool2d((1, 1)), m.Flatten(), m.Dropout(0.3),
            m.Linear(8, 4), m.LeakyReLU(0.1), m.ELU(), m.GELU(), m.SiLU(), m.Softplus(),
            m.Softmax(dim=1), m.LogSoftmax(dim=-1), m.Embedding(10, 3, padding_idx=0),
            m.BatchNorm1d(4, momentum=None), m.Identity(), m.Unflatten(1, (2, 2)),
            m.ModuleList([m.Linear(2, 2) for _ in range(3)] + [m.Tanh()]),
            m.ModuleDict({"act": m.Sigmoid(), "loss": m.CrossEntropyLoss()}),
            m.Conv2d(3, 3, 2, padding="same"),
        )

    assert repr(build(nn)) == repr(build(tnn))
