import copy
import pickle

import ember
from ember import nn


def test_parameter_requires_grad_and_shares_memory():
    t = ember.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf
    t._data[0] = 5.0
    assert p[0].item() == 5.0
    assert not nn.Parameter(ember.ones(2), requires_grad=False).requires_grad


def test_parameter_repr_matches_pytorch():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"


def test_parameter_grad_is_a_plain_tensor():
    p = nn.Parameter(ember.ones(2))
    (p * 3).sum().backward()
    assert type(p.grad) is ember.Tensor
    assert p.grad.tolist() == [3.0, 3.0]


def test_parameter_survives_deepcopy_and_pickle():
    p = nn.Parameter(ember.ones(2))
    for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert isinstance(clone, nn.Parameter) and clone.requires_grad
        assert clone.tolist() == [1.0, 1.0]
