"""Every optimizer follows PyTorch's trajectory, option by option, for 20 steps."""

import numpy as np
import pytest

import ember
from ember import optim

torch = pytest.importorskip("torch")

STEPS = 20

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, maximize=True)),
]


def _problem(dtype):
    gen = np.random.default_rng(0)
    inits = [gen.normal(size=(3, 4)).astype(dtype), gen.normal(size=(4,)).astype(dtype)]
    targets = [gen.normal(size=a.shape).astype(dtype) for a in inits]
    noise = [[gen.normal(size=a.shape).astype(dtype) * 0.3 for a in inits]
             for _ in range(STEPS)]
    return inits, targets, noise


def _run_ember(name, kwargs, dtype):
    inits, targets, noise = _problem(dtype)
    params = [ember.from_numpy(a.copy()).requires_grad_() for a in inits]
    opt = getattr(optim, name)(params, **kwargs)
    for t in range(STEPS):
        for p, target, n in zip(params, targets, noise[t]):
            p.grad = ember.from_numpy((p._data - target) + n)
        opt.step()
    return [p._data for p in params]


def _run_torch(name, kwargs, dtype):
    inits, targets, noise = _problem(dtype)
    params = [torch.tensor(a.copy(), requires_grad=True) for a in inits]
    opt = getattr(torch.optim, name)(params, **kwargs)
    for t in range(STEPS):
        for p, target, n in zip(params, targets, noise[t]):
            p.grad = (p.detach() - torch.from_numpy(target)) + torch.from_numpy(n)
        opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch_float64(name, kwargs):
    for ours, theirs in zip(_run_ember(name, kwargs, np.float64),
                            _run_torch(name, kwargs, np.float64)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_trajectory_matches_torch_float32(name):
    kwargs = dict(lr=0.01, weight_decay=0.01)
    if name in ("SGD", "RMSprop"):
        kwargs["momentum"] = 0.9
    ours = _run_ember(name, kwargs, np.float32)
    theirs = _run_torch(name, kwargs, np.float32)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_closure_and_param_groups_match_torch(name):
    """Two groups with their own lr, gradients from a real backward() inside a closure."""
    gen = np.random.default_rng(1)
    w0, b0 = gen.normal(size=(3, 2)), gen.normal(size=(2,))
    x, y = gen.normal(size=(8, 3)), gen.normal(size=(8, 2))
    results = []
    for lib in (ember, torch):
        w = lib.from_numpy(w0.copy()).requires_grad_()
        b = lib.from_numpy(b0.copy()).requires_grad_()
        xs, ys = lib.from_numpy(x), lib.from_numpy(y)
        module = optim if lib is ember else torch.optim
        extra = {"momentum": 0.9} if name != "Adam" else {}
        opt = getattr(module, name)([{"params": [w]}, {"params": [b], "lr": 0.001}],
                                    lr=0.01, **extra)

        def closure(w=w, b=b, xs=xs, ys=ys, opt=opt):
            opt.zero_grad()
            loss = ((xs @ w + b - ys) ** 2).mean()
            loss.backward()
            return loss

        losses = [float(opt.step(closure).item()) for _ in range(10)]
        results.append((w.detach().numpy(), b.detach().numpy(), losses))
    (w_e, b_e, l_e), (w_t, b_t, l_t) = results
    np.testing.assert_allclose(w_e, w_t, rtol=1e-9)
    np.testing.assert_allclose(b_e, b_t, rtol=1e-9)
    np.testing.assert_allclose(l_e, l_t, rtol=1e-9)
