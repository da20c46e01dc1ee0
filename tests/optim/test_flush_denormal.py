"""Optimizer steps flush subnormal floats to zero (they make x86 arithmetic ~100x slower and are
far below any eps), without changing the caller's own floating-point mode."""

import platform
import sys

import numpy as np
import pytest

import ember
from ember import _fpenv, optim

TINY = np.finfo(np.float32).tiny  # the smallest normal float32
supported = pytest.mark.skipif(
    _fpenv._SWITCH is None,
    reason=f"no flush-to-zero switch on {sys.platform} {platform.machine()}")


def subnormal_product() -> float:
    """1e-30 * 1e-10 in float32: a subnormal, or 0.0 while flushing is on."""
    return float(np.float32(1e-30) * np.float32(1e-10))


@pytest.fixture
def restore_mode():
    yield
    ember.set_flush_denormal(False)


def subnormal_count(array: np.ndarray) -> int:
    return int(((array != 0) & (np.abs(array) < TINY)).sum())


@supported
@pytest.mark.parametrize("name,key", [("RMSprop", "square_avg"), ("Adam", "exp_avg_sq"),
                                      ("Adam", "exp_avg"), ("SGD", "momentum_buffer")])
def test_state_decaying_towards_zero_skips_the_subnormal_range(name, key, monkeypatch):
    """A weight whose gradient stops (a dead unit) has state decaying geometrically to zero:
    through the subnormal range without the flush, straight to zero with it."""
    kwargs = {"SGD": {"momentum": 0.5}, "RMSprop": {"alpha": 0.9},
              "Adam": {"betas": (0.9, 0.9)}}[name]

    def decay() -> tuple[int, np.ndarray]:
        p = ember.zeros(1000, requires_grad=True)
        opt = getattr(optim, name)([p], lr=1e-3, **kwargs)
        p.grad = ember.full((1000,), 1e-3)
        opt.step()
        p.grad = ember.zeros(1000)
        seen = 0
        for _ in range(1500):  # 0.9 ** 1000 takes 1e-6 through the subnormal range to zero
            opt.step()
            seen += subnormal_count(opt.state[p][key])
        return seen, opt.state[p][key]

    with monkeypatch.context() as no_switch:
        no_switch.setattr(_fpenv, "_SWITCH", None)  # the same steps with nothing to flush
        seen_unflushed, _ = decay()
    assert seen_unflushed > 0  # the state does pass through the subnormal range ...
    seen, state = decay()
    assert seen == 0  # ... and the flush inside step() keeps it out
    # decayed all the way (Adam's lerp form stops at ~10 * TINY, where its step flushes to 0)
    assert np.abs(state).max() < 1e-36


@supported
def test_a_step_leaves_the_callers_mode_as_it_was():
    assert subnormal_product() != 0.0
    p = ember.ones(3, requires_grad=True)
    p.grad = ember.ones(3)
    optim.Adam([p]).step()
    assert subnormal_product() != 0.0  # flushing was only on inside the step


@supported
def test_flushing_changes_no_update_of_a_normal_training_run():
    def run(flush: bool) -> np.ndarray:
        gen = np.random.default_rng(0)
        p = ember.from_numpy(gen.normal(size=500).astype(np.float32)).requires_grad_()
        opt = optim.RMSprop([p], lr=1e-2)
        for step in range(50):
            p.grad = ember.from_numpy(gen.normal(size=500).astype(np.float32) * (step < 5))
            if flush:
                opt.step()
            else:  # the same rule with flushing switched off
                opt._update(p._data, p.grad._data, opt.state.setdefault(
                    p, opt._init_state(p._data, opt.param_groups[0])),
                    opt._hyperparameters(opt.param_groups[0]))
        return p._data.copy()

    np.testing.assert_array_equal(run(flush=True), run(flush=False))


@supported
def test_set_flush_denormal_switches_the_calling_thread(restore_mode):
    assert ember.set_flush_denormal(True) is True
    assert subnormal_product() == 0.0
    assert ember.set_flush_denormal(False) is True
    assert subnormal_product() != 0.0


@supported
def test_flush_denormals_restores_the_mode_after_an_error():
    with pytest.raises(ZeroDivisionError):
        with _fpenv.flush_denormals():
            assert subnormal_product() == 0.0
            raise ZeroDivisionError
    assert subnormal_product() != 0.0


@supported
def test_flush_denormals_inside_a_flushing_thread_keeps_it_flushing(restore_mode):
    ember.set_flush_denormal(True)
    with _fpenv.flush_denormals():
        pass
    assert subnormal_product() == 0.0


def test_steps_work_where_there_is_no_flush_switch(monkeypatch):
    """macOS, Windows, musl: nothing to switch, and an optimizer step must still run."""
    monkeypatch.setattr(_fpenv, "_SWITCH", None)
    p = ember.ones(3, requires_grad=True)
    p.grad = ember.ones(3)
    optim.SGD([p], lr=0.5).step()
    assert p.detach().tolist() == [0.5, 0.5, 0.5]
    assert ember.set_flush_denormal(True) is False
