"""nn.init: bounds and statistics match PyTorch's formulas; layers initialise as PyTorch's do."""

import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import init


def test_calculate_gain():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("conv2d") == 1.0
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swishy")


def test_fans_follow_pytorch():
    assert init._calculate_fan_in_and_fan_out(ember.empty(64, 32, 3, 3)) == (288, 576)
    with pytest.raises(ValueError, match="fewer than 2"):
        init.kaiming_uniform_(ember.empty(5))


def test_kaiming_and_xavier_bounds_and_spread():
    ember.manual_seed(0)
    w = init.kaiming_uniform_(ember.empty(256, 400), nonlinearity="relu")
    bound = math.sqrt(6 / 400)
    assert w.abs().max().item() <= bound and w.abs().max().item() > 0.99 * bound
    w = init.kaiming_normal_(ember.empty(256, 400), mode="fan_out", nonlinearity="relu")
    assert w.std().item() == pytest.approx(math.sqrt(2 / 256), rel=0.02)
    w = init.xavier_uniform_(ember.empty(300, 200))
    assert w.abs().max().item() <= math.sqrt(6 / 500)
    w = init.xavier_normal_(ember.empty(300, 200), gain=2.0)
    assert w.std().item() == pytest.approx(2 * math.sqrt(2 / 500), rel=0.02)
    assert w.dtype == ember.float32


def test_in_place_fillers_do_not_record_a_graph():
    p = nn.Parameter(ember.empty(3, 4))
    assert init.constant_(p, 0.5) is p
    assert p.grad_fn is None and p.requires_grad and (p == 0.5).all().item()
    init.zeros_(p)
    init.ones_(p)
    assert p.sum().item() == 12
    init.normal_(p, 2.0, 0.0)
    assert (p == 2.0).all().item()
    init.uniform_(p, -1, 1)
    assert p.abs().max().item() <= 1


def test_layer_default_initialisation():
    ember.manual_seed(0)
    linear = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    assert linear.weight.abs().max().item() <= bound
    assert linear.weight.abs().max().item() > 0.99 * bound
    assert linear.bias.abs().max().item() <= bound
    conv = nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)
    assert conv.weight.abs().max().item() <= bound and conv.bias.abs().max().item() <= bound
    emb = nn.Embedding(1000, 20, padding_idx=3)
    assert emb.weight.std().item() == pytest.approx(1.0, rel=0.05)
    assert emb.weight[3].abs().sum().item() == 0
    bn = nn.BatchNorm2d(4)
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.ones(4))
    np.testing.assert_array_equal(bn.bias.detach().numpy(), np.zeros(4))


def test_manual_seed_makes_layers_reproducible():
    ember.manual_seed(7)
    a = nn.Linear(5, 5)
    ember.manual_seed(7)
    b = nn.Linear(5, 5)
    assert ember.equal(a.weight, b.weight) and ember.equal(a.bias, b.bias)
