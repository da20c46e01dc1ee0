"""Every scheduler's lr sequence matches PyTorch's (each comparison skips on its own where
PyTorch is missing); state dicts and argument errors need no PyTorch."""

import numpy as np
import pytest

import ember
from ember import optim
from ember.optim import lr_scheduler

EPOCHS = 40

SCHEDULERS = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 10, 10, 25], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=12, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1.0 / (1 + epoch))),
    ("LinearLR", dict(start_factor=0.25, end_factor=1.0, total_iters=8)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.1, total_iters=30)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=EPOCHS)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=EPOCHS, anneal_strategy="linear",
                        three_phase=True)),
]


def _lrs(lib, name, kwargs, optimizer="SGD", metrics=None):
    module = optim if lib is ember else lib.optim
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    extra = {"momentum": 0.9} if optimizer == "SGD" else {}
    opt = getattr(module, optimizer)([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1,
                                     **extra)
    sched = getattr(module.lr_scheduler, name)(opt, **kwargs)
    history = [list(sched.get_last_lr())]
    momenta = []
    for epoch in range(EPOCHS):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[epoch])
        history.append([float(lr) for lr in sched.get_last_lr()])
        group = opt.param_groups[0]
        momenta.append(group["betas"][0] if "betas" in group else group.get("momentum"))
    return np.array(history), momenta


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULERS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_lr_sequence_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours, our_momenta = _lrs(ember, name, kwargs)
    theirs, their_momenta = _lrs(torch, name, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(our_momenta, their_momenta, rtol=1e-12)


def test_one_cycle_cycles_adams_beta1_like_torch():
    torch = pytest.importorskip("torch")
    kwargs = dict(max_lr=0.01, epochs=4, steps_per_epoch=10)
    ours, our_betas = _lrs(ember, "OneCycleLR", kwargs, optimizer="Adam")
    theirs, their_betas = _lrs(torch, "OneCycleLR", kwargs, optimizer="Adam")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(our_betas, their_betas, rtol=1e-12)


METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7] + [
    0.7] * 26


@pytest.mark.parametrize("kwargs", [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2, min_lr=0.01),
    dict(patience=0, threshold=0.05, threshold_mode="abs", min_lr=[0.0, 0.02]),
    dict(mode="max", patience=2, factor=0.2),
    dict(mode="max", threshold_mode="abs", threshold=0.0, patience=3, eps=1e-3),
])
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours, _ = _lrs(ember, "ReduceLROnPlateau", kwargs, metrics=METRICS)
    theirs, _ = _lrs(torch, "ReduceLROnPlateau", kwargs, metrics=METRICS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_scheduler_state_dict_round_trip():
    def build():
        w = ember.zeros(2, requires_grad=True)
        opt = optim.SGD([w], lr=0.1)
        return opt, lr_scheduler.CosineAnnealingLR(opt, T_max=10)

    opt, sched = build()
    for _ in range(4):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    expected = []
    for _ in range(4):
        opt.step()
        sched.step()
        expected.append(sched.get_last_lr()[0])

    opt2, sched2 = build()
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    got = []
    for _ in range(4):
        opt2.step()
        sched2.step()
        got.append(sched2.get_last_lr()[0])
    assert got == expected


def test_scheduler_errors():
    w = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(TypeError, match="Optimizer"):
        lr_scheduler.StepLR("not an optimizer", step_size=1)
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(ValueError, match="expected 1 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optim.SGD([w], lr=0.1), step_size=2, last_epoch=3)
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
