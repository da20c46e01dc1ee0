"""The benchmarks' plain-NumPy network (the floor ember is measured against) computes what
ember computes: same weights after the same RMSprop steps on the same batches."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_mlp import EmberMLP, NumpyMLP, initial_weights  # noqa: E402


def test_hand_written_numpy_mlp_follows_ember_step_for_step():
    gen = np.random.default_rng(0)
    ours, floor = EmberMLP(initial_weights(1)), NumpyMLP(initial_weights(1))
    for _ in range(5):
        x = gen.random((32, 784), dtype=np.float32)
        y = gen.integers(0, 10, 32)
        ours.step(x, y)
        floor.step(x, y)
    for p, q in zip(ours.params, floor.params):
        np.testing.assert_allclose(p.detach().numpy(), q, rtol=1e-4, atol=1e-6)
    x = gen.random((64, 784), dtype=np.float32)
    y = gen.integers(0, 10, 64)
    assert ours.accuracy(x, y) == floor.accuracy(x, y)
