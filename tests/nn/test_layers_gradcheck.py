"""Every layer, converted to float64, passes a finite-difference check w.r.t. input and weights."""

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck

LAYERS = [
    (lambda: nn.Linear(4, 3), (2, 4)),
    (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
    (lambda: nn.Conv2d(2, 2, (2, 3), padding="same", dilation=2, bias=False), (1, 2, 5, 6)),
    (lambda: nn.MaxPool2d(2), (2, 2, 4, 4)),
    (lambda: nn.AvgPool2d(3, stride=2, padding=1), (1, 2, 5, 5)),
    (lambda: nn.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
    (lambda: nn.BatchNorm1d(3), (5, 3)),
    (lambda: nn.BatchNorm2d(2), (3, 2, 2, 3)),
    (lambda: nn.BatchNorm2d(2).eval(), (3, 2, 2, 3)),
    (lambda: nn.ReLU(), (3, 4)),
    (lambda: nn.LeakyReLU(0.1), (3, 4)),
    (lambda: nn.ELU(), (3, 4)),
    (lambda: nn.GELU(), (3, 4)),
    (lambda: nn.Sigmoid(), (3, 4)),
    (lambda: nn.Tanh(), (3, 4)),
    (lambda: nn.Softmax(dim=1), (3, 4)),
    (lambda: nn.LogSoftmax(dim=1), (3, 4)),
    (lambda: nn.Softplus(), (3, 4)),
    (lambda: nn.SiLU(), (3, 4)),
    (lambda: nn.Flatten(), (2, 2, 3)),
    (lambda: nn.Unflatten(1, (2, 3)), (2, 6)),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), (2, 3)),
]


@pytest.mark.parametrize("make, shape", LAYERS)
def test_layer_gradcheck(make, shape):
    ember.manual_seed(0)
    layer = make().double()
    values = np.random.default_rng(0).standard_normal(shape) + 0.05  # keep off ReLU's kink
    x = ember.tensor(values, dtype=ember.float64, requires_grad=True)
    params = list(layer.parameters())

    def run(x, *weights):
        return layer(x)

    assert gradcheck(run, (x, *params))


def test_embedding_layer_gradcheck():
    ember.manual_seed(0)
    layer = nn.Embedding(6, 2).double()
    indices = ember.tensor([[1, 1, 4], [0, 5, 1]])
    assert gradcheck(lambda w: layer(indices), (layer.weight,))


def test_loss_modules_gradcheck():
    logits = ember.tensor(np.random.default_rng(0).standard_normal((4, 3)),
                          dtype=ember.float64, requires_grad=True)
    labels = ember.tensor([0, 2, 1, 2])
    targets = ember.tensor(np.random.default_rng(1).random((4, 3)), dtype=ember.float64)
    assert gradcheck(lambda x: nn.CrossEntropyLoss()(x, labels), (logits,))
    assert gradcheck(lambda x: nn.NLLLoss()(x.log_softmax(dim=1), labels), (logits,))
    for loss in (nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.HuberLoss(),
                 nn.BCEWithLogitsLoss()):
        assert gradcheck(lambda x, loss=loss: loss(x, targets), (logits,)), type(loss).__name__
    assert gradcheck(lambda x: nn.BCELoss()(x.sigmoid(), targets), (logits,))
