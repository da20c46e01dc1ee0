"""Large parameters are updated in cache-sized blocks, on one thread or several, with exactly
the result of one update of the whole array."""

import os

import numpy as np
import pytest

import ember
from ember import _parallel, optim

CASES = [  # every branch of every element-wise rule
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
]

SIZE = 3 * _parallel.BLOCK + 123  # several blocks and a ragged last one


@pytest.fixture
def restore_threads():
    before = ember.get_num_threads()
    yield
    ember.set_num_threads(before)


def _train(name, kwargs, threads, steps=4, shape=(SIZE,), whole=False):
    ember.set_num_threads(threads)
    gen = np.random.default_rng(1)
    big = ember.from_numpy(gen.normal(size=shape).astype(np.float32)).requires_grad_()
    small = ember.from_numpy(gen.normal(size=(5,)).astype(np.float32)).requires_grad_()
    opt = getattr(optim, name)([big, small], **kwargs)
    if whole:
        opt._elementwise_update = False  # the reference: one call on each whole array
    for _ in range(steps):
        big.grad = ember.from_numpy(gen.normal(size=shape).astype(np.float32))
        small.grad = ember.from_numpy(gen.normal(size=(5,)).astype(np.float32))
        opt.step()
    return big, small, opt


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("threads", [1, 3])
def test_blockwise_update_is_bit_identical_to_the_whole_array_update(name, kwargs, threads,
                                                                      restore_threads,
                                                                      monkeypatch):
    big1, small1, opt1 = _train(name, kwargs, threads=1, whole=True)
    runs = []
    run = _parallel.run
    monkeypatch.setattr(_parallel, "run", lambda tasks: (runs.append(len(tasks)), run(tasks)))
    big3, small3, opt3 = _train(name, kwargs, threads=threads)
    assert runs and set(runs) == {threads}  # the big parameter really went through the blocks
    np.testing.assert_array_equal(big3._data, big1._data)
    np.testing.assert_array_equal(small3._data, small1._data)
    state1, state3 = opt1.state_dict()["state"], opt3.state_dict()["state"]
    for index in state1:
        assert state1[index].keys() == state3[index].keys()
        for key, value in state1[index].items():
            if isinstance(value, ember.Tensor):
                np.testing.assert_array_equal(state3[index][key].numpy(), value.numpy())
            else:
                assert state3[index][key] == value, key  # counters advance once per step


def test_step_counter_advances_once_per_step_not_per_block(restore_threads):
    _, _, opt = _train("Adam", {}, threads=4, steps=3)
    assert [s["step"] for s in opt.state.values()] == [3, 3]


def test_multi_dimensional_and_non_contiguous_parameters(restore_threads):
    big1, _, _ = _train("RMSprop", dict(momentum=0.9), threads=1, shape=(512, 784), whole=True)
    big2, _, _ = _train("RMSprop", dict(momentum=0.9), threads=2, shape=(512, 784))
    np.testing.assert_array_equal(big2._data, big1._data)

    ember.set_num_threads(2)
    data = np.ones((784, 512), dtype=np.float32).T  # a transposed view: updated whole
    p = ember.from_numpy(data).requires_grad_()
    p.grad = ember.ones(512, 784)
    optim.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(data, np.full((512, 784), 0.5, dtype=np.float32))


def test_set_num_threads_rejects_non_positive_counts(restore_threads):
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(ValueError, match="positive integer"):
            ember.set_num_threads(bad)
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3


def test_split_covers_the_range_in_block_aligned_parts(restore_threads):
    ember.set_num_threads(4)
    parts = _parallel.split(SIZE)
    assert len(parts) == 3  # at most one part per whole block
    assert parts[0][0] == 0 and parts[-1][1] == SIZE
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert all(start % _parallel.BLOCK == 0 for start, _ in parts)
    assert _parallel.split(_parallel.BLOCK) == [(0, _parallel.BLOCK)]


def test_an_error_in_a_worker_thread_reaches_the_caller(restore_threads):
    ember.set_num_threads(2)

    def fail() -> None:
        raise RuntimeError("worker failed")

    with pytest.raises(RuntimeError, match="worker failed"):
        _parallel.run([lambda: None, fail])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_threads(restore_threads):
    _train("Adam", {}, threads=2, steps=1)  # the parent's pool now exists
    pid = os.fork()
    if pid == 0:  # child: a threaded step must not wait on the parent's (absent) threads
        code = 1
        try:
            _train("Adam", {}, threads=2, steps=1)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
