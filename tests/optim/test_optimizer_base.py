"""The Optimizer base class: groups, validation, zero_grad, in-place updates, state_dict."""

import numpy as np
import pytest

import ember
from ember import optim

ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adadelta]


def _params(seed=0):
    gen = np.random.default_rng(seed)
    return [ember.tensor(gen.normal(size=(3, 4)).astype(np.float32), requires_grad=True),
            ember.tensor(gen.normal(size=(4,)).astype(np.float32), requires_grad=True)]


def _set_grads(params, t):
    for i, p in enumerate(params):
        gen = np.random.default_rng(100 * t + i)
        p.grad = ember.tensor(p._data * 0.5 + gen.normal(size=p.shape).astype(np.float32))


def _make(cls, params):
    kwargs = {"lr": 0.01}
    if cls in (optim.SGD, optim.RMSprop):
        kwargs["momentum"] = 0.9
    if cls is optim.Adam:
        kwargs["amsgrad"] = True
    return cls(params, **kwargs)


@pytest.mark.parametrize("cls", ALL)
def test_step_is_in_place_keeps_float32_and_bumps_version(cls):
    params = _params()
    arrays = [p._data for p in params]
    before = [a.copy() for a in arrays]
    opt = _make(cls, params)
    for t in range(3):
        _set_grads(params, t)
        versions = [p._version for p in params]
        opt.step()
        assert [p._version for p in params] == [v + 1 for v in versions]
    for p, a, b in zip(params, arrays, before):
        assert p._data is a
        assert a.dtype == np.float32
        assert not np.allclose(a, b)
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


@pytest.mark.parametrize("cls", ALL)
def test_state_dict_round_trip_continues_identically(cls):
    straight = _params()
    opt = _make(cls, straight)
    for t in range(10):
        _set_grads(straight, t)
        opt.step()

    first_params = _params()
    first = _make(cls, first_params)
    for t in range(5):
        _set_grads(first_params, t)
        first.step()
    saved = first.state_dict()
    snapshot = [p._data.copy() for p in first_params]
    for t in range(5, 8):  # later steps of the old optimizer must not leak into the checkpoint
        _set_grads(first_params, t)
        first.step()

    resumed = [ember.tensor(a, requires_grad=True) for a in snapshot]
    second = _make(cls, resumed)
    second.load_state_dict(saved)
    for t in range(5, 10):
        _set_grads(resumed, t)
        second.step()
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a._data, b._data)


def test_state_dict_layout_is_pytorchs():
    params = _params()
    opt = optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1)
    _set_grads(params, 0)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["lr"] == 0.1
    assert set(sd["state"]) == {0, 1}
    assert sd["state"][0]["step"] == 1
    exp_avg = sd["state"][0]["exp_avg"]
    assert isinstance(exp_avg, ember.Tensor)
    assert exp_avg._data is not opt.state[params[0]]["exp_avg"]


def test_load_state_dict_rejects_mismatched_groups():
    a, b = _params()
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="group 0 has 2 parameters.*has 1"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="2 parameter groups.*has 1"):
        two = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
        optim.SGD([a, b], lr=0.1).load_state_dict(two)


def test_zero_grad_set_to_none_and_to_zero():
    params = _params()
    opt = optim.SGD(params, lr=0.1)
    _set_grads(params, 0)
    grad_array = params[0].grad._data
    opt.zero_grad(set_to_none=False)
    assert params[0].grad._data is grad_array
    assert not grad_array.any()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_params_without_grad_are_skipped():
    params = _params()
    opt = optim.Adam(params)
    params[0].grad = ember.ones(3, 4)
    before = params[1]._data.copy()
    opt.step()
    np.testing.assert_array_equal(params[1]._data, before)
    assert params[1] not in opt.state


def test_param_groups_defaults_and_add_param_group():
    a, b = _params()
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"] == [b]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert "Parameter Group 1" in repr(opt)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (lambda p: optim.AdamW(p, eps=-1e-8), "Invalid epsilon value"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), "Invalid alpha value"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.SGD([{"params": p, "lr": -0.5}], lr=0.1), "Invalid learning rate: -0.5"),
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD([p[0], p[0]], lr=0.1), "more than once"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), "non-leaf"),
])
def test_bad_hyperparameters_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make(_params())


def test_bad_param_types_are_rejected():
    a, _ = _params()
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="ordered"):
        optim.SGD({a}, lr=0.1)
    with pytest.raises(TypeError, match="ndarray"):
        optim.SGD([np.zeros(3)], lr=0.1)


def test_a_new_optimizer_needs_only_its_update_rule():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def _hyperparameters(self, group):
            return (group["lr"],)

        def _update(self, param, grad, state, hyper):
            param -= hyper[0] * np.sign(grad)

    w = ember.tensor([1.0, -1.0], requires_grad=True)
    opt = SignSGD([w])
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w._data, [0.9, -0.9])
