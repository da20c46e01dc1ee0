"""Module mechanics: registration, walking, modes, state dicts, dtype conversion, containers."""

from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.bn = nn.BatchNorm1d(2)
        self.scale = nn.Parameter(ember.ones(1))
        self.register_buffer("steps", ember.zeros(1))
        self.register_buffer("scratch", ember.zeros(1), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.5), nn.Linear(2, 1))

    def forward(self, x):
        return self.head(self.block(x))


def test_registration_order_and_names():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == [
        "block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight", "block.bn.bias",
        "head.2.weight", "head.2.bias"]
    assert [name for name, _ in net.named_children()] == ["block", "head"]
    assert [name for name, _ in net.named_modules()] == [
        "", "block", "block.fc", "block.bn", "head", "head.0", "head.1", "head.2"]
    assert [name for name, _ in net.named_buffers()] == [
        "block.steps", "block.scratch", "block.bn.running_mean", "block.bn.running_var",
        "block.bn.num_batches_tracked"]
    assert len(list(net.parameters())) == 7 and len(list(net.children())) == 2
    assert net.block.note == "plain attribute"
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        _ = net.missing


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3


def test_assigning_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super"):
        Broken()


def test_state_dict_round_trip_and_persistent_buffers():
    net, other = Net(), Net()
    state = net.state_dict()
    assert isinstance(state, OrderedDict)
    assert "block.scratch" not in state and "block.bn.num_batches_tracked" in state
    # As PyTorch: a module's own parameters, then its own buffers, then its children's.
    assert list(state)[:3] == ["block.scale", "block.steps", "block.fc.weight"]
    assert not state["block.fc.weight"].requires_grad
    result = other.load_state_dict(state)
    assert result == ([], [])
    for (name, value), other_value in zip(state.items(), other.state_dict().values()):
        np.testing.assert_array_equal(value.numpy(), other_value.numpy(), err_msg=name)
    # Loading copies: the two models do not share memory afterwards.
    other.block.fc.weight.data.zero_()
    assert net.block.fc.weight.abs().sum().item() > 0


def test_load_state_dict_errors_list_missing_unexpected_and_shapes():
    net = Net()
    state = net.state_dict()
    del state["head.2.bias"]
    state["extra.weight"] = ember.zeros(1)
    state["block.fc.weight"] = ember.zeros(5, 3)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert 'Missing key(s) in state_dict: "head.2.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    assert "size mismatch for block.fc.weight" in message
    assert "[5, 3]" in message and "[2, 3]" in message
    del state["block.fc.weight"]
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == ["block.fc.weight", "head.2.bias"] and unexpected == ["extra.weight"]


def test_train_eval_switch_dropout_and_batchnorm():
    net = Net()
    assert net.training and net.head[1].training
    assert net.eval() is net
    assert not net.training and not net.block.bn.training and not net.head[1].training
    x = ember.randn(8, 2)
    dropout = net.head[1]
    assert ember.equal(dropout(x), x)
    net.train()
    dropped = dropout(ember.ones(1000))
    zeros = (dropped == 0).sum().item()
    assert 350 < zeros < 650 and set(np.unique(dropped.numpy())) <= {0.0, 2.0}


def test_batchnorm_running_stats_update_only_in_training():
    bn = nn.BatchNorm1d(2, momentum=0.5)
    x = ember.tensor([[1.0, 10.0], [3.0, 20.0]])
    bn(x)
    np.testing.assert_allclose(bn.running_mean.numpy(), [1.0, 7.5])
    np.testing.assert_allclose(bn.running_var.numpy(), [0.5 + 0.5 * 2.0, 0.5 + 0.5 * 50.0])
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    before = bn.running_mean.numpy().copy()
    out = bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)
    expected = (x.numpy() - before) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5)


def test_batchnorm_checks_its_input():
    with pytest.raises(RuntimeError, match=r"BatchNorm2d\(4.*\(N, 4, H, W\).*\(2, 3, 5, 5\)"):
        nn.BatchNorm2d(4)(ember.randn(2, 3, 5, 5))


def test_conv2d_wrong_channels_names_layer_and_shapes():
    with pytest.raises(RuntimeError, match=r"Conv2d\(3, 8.*\(N, 3, H, W\).*\(1, 28, 28\)"):
        nn.Conv2d(3, 8, 3)(ember.randn(1, 28, 28))


def test_zero_grad_requires_grad_and_apply():
    net = Net()
    net(ember.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_dtype_conversion_keeps_parameter_identity():
    net = Net()
    weight = net.block.fc.weight
    assert net.double() is net
    assert weight.dtype == ember.float64 and net.block.fc.weight is weight
    assert net.block.bn.running_mean.dtype == ember.float64
    assert net.block.bn.num_batches_tracked.dtype == ember.int64
    out = net(ember.randn(4, 3, dtype=ember.float64))
    assert out.dtype == ember.float64
    net.to(ember.float32).to("cpu")
    assert weight.dtype == ember.float32


def test_sequential_indexing_and_mutation():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert model[0] is layers[0] and model[-1] is layers[2] and len(model) == 3
    head = model[1:]
    assert isinstance(head, nn.Sequential) and list(head) == layers[1:]
    assert [name for name, _ in head.named_children()] == ["1", "2"]
    with pytest.raises(IndexError, match="out of range"):
        model[3]
    model.append(nn.Sigmoid())
    assert len(model) == 4 and isinstance(model[3], nn.Sigmoid)
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert named.fc is named[0] and list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert named(ember.randn(5, 2)).shape == (5, 2)


def test_module_list_and_dict():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.ReLU())
    assert len(blocks) == 4 and len(list(blocks.parameters())) == 6
    assert isinstance(blocks[-1], nn.ReLU) and len(blocks[:2]) == 2
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    assert list(heads) == ["a", "b"] and "b" in heads
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_flatten_unflatten_identity():
    x = ember.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Identity(54, unused="ok")(x) is x


def test_module_repr_of_a_custom_net():
    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden1 = nn.Linear(784, 128)
            self.act = nn.ReLU()
            self.out = nn.Sequential(nn.Linear(128, 10), nn.LogSoftmax(dim=1))

    assert repr(Small()) == (
        "Small(\n"
        "  (hidden1): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (act): ReLU()\n"
        "  (out): Sequential(\n"
        "    (0): Linear(in_features=128, out_features=10, bias=True)\n"
        "    (1): LogSoftmax(dim=1)\n"
        "  )\n"
        ")"
    )


def test_deepcopy_and_pickle_keep_structure_and_values():
    import copy
    import pickle

    net = Net()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert repr(clone) == repr(net)
        assert isinstance(clone.block.fc.weight, nn.Parameter)
        assert clone.block.fc.weight is not net.block.fc.weight
        for (name, value), other in zip(net.state_dict().items(), clone.state_dict().values()):
            np.testing.assert_array_equal(value.numpy(), other.numpy(), err_msg=name)


def test_linear_given_the_wrong_width_names_the_layer_and_both_shapes() -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(5, 2))
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=5, out_features=2, bias=True\) "
                                           r"expected input of shape \(\.\.\., 5\), got \(2, 3\)"):
        model(ember.ones(2, 4))
