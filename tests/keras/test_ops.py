"""``ember.keras.ops``: Keras 3's op namespace, compared with Keras's own ``keras.ops`` (on
whatever backend it has) for values, shapes and dtypes, and differentiable through ember."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.keras import ops

X = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]], dtype=np.float32)
Y = np.array([[1.0, 2.0, 0.5], [-1.0, 0.5, 4.0]], dtype=np.float32)
P = np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]], dtype=np.float32)
LABELS = np.array([2, 0], dtype=np.int32)
INTS = np.array([[3, 1, 2], [0, 5, 4]], dtype=np.int32)

CASES = {
    "matmul": lambda k: k.matmul(X, Y.T),
    "dot": lambda k: k.dot(X, Y.T),
    "einsum": lambda k: k.einsum("ij,kj->ik", X, Y),
    "tensordot": lambda k: k.tensordot(X, Y.T, axes=1),
    "outer": lambda k: k.outer(X[0], Y[0]),
    "add_multiply": lambda k: k.multiply(k.add(X, 1.0), Y),
    "subtract_divide": lambda k: k.divide(k.subtract(X, Y), 2.0),
    "power": lambda k: k.power(k.abs(X), 1.5),
    "maximum_minimum": lambda k: k.maximum(X, k.minimum(Y, 1.0)),
    "clip": lambda k: k.clip(X, -1.0, 1.0),
    "where": lambda k: k.where(X > 0, X, Y),
    "exp_log_sqrt": lambda k: k.exp(X) + k.log(k.abs(X)) + k.sqrt(k.abs(Y)),
    "trig": lambda k: k.sin(X) + k.cos(X) + k.tanh(X) + k.arctan(X),
    "square_sign_floor": lambda k: k.square(X) + k.sign(X) + k.floor(X) + k.ceil(Y),
    "round_decimals": lambda k: k.round(X * 1.2345, decimals=2),
    "mean_sum": lambda k: (k.mean(X), k.mean(X, axis=0), k.sum(X, axis=1, keepdims=True)),
    "mean_of_ints": lambda k: k.mean(INTS, axis=1),
    "max_min_prod": lambda k: (k.max(X, axis=1), k.min(X), k.prod(X, axis=0)),
    "var_std": lambda k: (k.var(X, axis=1), k.std(X)),
    "argmax_argmin": lambda k: (k.argmax(X, axis=1), k.argmin(X, axis=0), k.argmax(X)),
    "logsumexp": lambda k: k.logsumexp(X, axis=1),
    "cumsum_cumprod": lambda k: (k.cumsum(X, axis=1), k.cumprod(X, axis=0), k.cumsum(X)),
    "norm": lambda k: (k.norm(X), k.norm(X, axis=1)),
    "reshape_transpose": lambda k: (k.reshape(X, (3, 2)), k.transpose(X), k.transpose(X[None],
                                                                                   (2, 0, 1))),
    "expand_squeeze": lambda k: (k.expand_dims(X, 1), k.squeeze(X[None], axis=0)),
    "concat_stack": lambda k: (k.concatenate([X, Y], axis=1), k.stack([X, Y], axis=0)),
    "split": lambda k: tuple(k.split(X, 3, axis=1)),
    "tile_repeat": lambda k: (k.tile(X, (2, 1)), k.repeat(X, 2, axis=1)),
    "flip_roll": lambda k: (k.flip(X, axis=1), k.roll(X, 1, axis=1)),
    "take": lambda k: (k.take(X, np.array([2, 0], np.int32), axis=1),
                       k.take_along_axis(X, np.array([[1], [2]], np.int32), axis=1)),
    "tril_triu_trace": lambda k: (k.tril(X), k.triu(X, 1), k.trace(X[:, :2])),
    "sort_argsort_top_k": lambda k: (k.sort(X, axis=1), k.argsort(X, axis=1),
                                     *k.top_k(X, 2)),
    "pad": lambda k: k.pad(X, ((1, 0), (0, 2))),
    "comparisons": lambda k: (k.equal(X, Y), k.greater(X, Y), k.less_equal(X, 0.5),
                              k.logical_and(X > 0, Y > 0)),
    "zeros_ones_full": lambda k: (k.zeros((2, 3)), k.ones((2,)), k.full((2,), 3.0),
                                  k.zeros_like(X), k.ones_like(INTS)),
    "arange_linspace_eye": lambda k: (k.arange(5), k.arange(0.0, 1.0, 0.25), k.linspace(0, 1, 5),
                                      k.eye(3)),
    "cast_shape": lambda k: (k.cast(X, "int32"), k.cast(INTS, "float32")),
    "relu_sigmoid_softmax": lambda k: (k.relu(X), k.sigmoid(X), k.softmax(X), k.log_softmax(X)),
    "activations": lambda k: (k.gelu(X), k.gelu(X, approximate=False), k.silu(X), k.elu(X),
                              k.selu(X), k.leaky_relu(X), k.softplus(X), k.softsign(X),
                              k.relu6(X * 4), k.hard_sigmoid(X), k.log_sigmoid(X)),
    "one_hot": lambda k: k.one_hot(LABELS, 3),
    "categorical_crossentropy": lambda k: (k.categorical_crossentropy(k.one_hot(LABELS, 3), P),
                                           k.categorical_crossentropy(k.one_hot(LABELS, 3), X,
                                                                      from_logits=True)),
    "sparse_categorical_crossentropy": lambda k: (
        k.sparse_categorical_crossentropy(LABELS, P),
        k.sparse_categorical_crossentropy(LABELS, X, from_logits=True)),
    "binary_crossentropy": lambda k: (k.binary_crossentropy(k.cast(P > 0.25, "float32"), P),
                                      k.binary_crossentropy(k.cast(P > 0.25, "float32"), X,
                                                            from_logits=True)),
    "normalize_moments": lambda k: (k.normalize(X), *k.moments(X, axes=[0])),
    "slice_and_update": lambda k: (k.slice(X, (0, 1), (2, 2)),
                                   k.slice_update(X, (1, 1), np.ones((1, 2), np.float32))),
    "scatter": lambda k: (k.scatter(np.array([[0, 1], [1, 2], [0, 1]]),
                                    np.array([1.0, 2.0, 3.0], np.float32), (2, 3)),
                          k.scatter_update(X, np.array([[0, 0], [1, 2]]),
                                           np.array([9.0, 8.0], np.float32))),
    "control_flow": lambda k: (k.cond(True, lambda: k.ones(2), lambda: k.zeros(2)),
                               k.fori_loop(0, 3, lambda i, v: v + i, k.zeros(2)),
                               k.while_loop(lambda v: k.sum(v) < 10.0, lambda v: v * 2.0,
                                            k.ones(2)),
                               k.vectorized_map(lambda row: k.sum(row), X)),
    "convert_round_trip": lambda k: k.convert_to_numpy(k.convert_to_tensor([[1.5, 2.0]])),
}


@pytest.fixture(scope="module")
def keras_ops():
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras").ops


@pytest.mark.parametrize("name", list(CASES))
def test_matches_keras_ops(name: str, keras_ops) -> None:
    ours = CASES[name](ops)
    theirs = CASES[name](keras_ops)
    ours = list(ours) if isinstance(ours, tuple) else [ours]
    theirs = list(theirs) if isinstance(theirs, tuple) else [theirs]
    assert len(ours) == len(theirs)
    for mine, ref in zip(ours, theirs):
        mine, ref = ops.convert_to_numpy(mine), keras_ops.convert_to_numpy(ref)
        assert mine.shape == ref.shape, (mine.shape, ref.shape)
        assert mine.dtype == ref.dtype, (mine.dtype, ref.dtype)
        np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-6)


def test_keras_guide_style_code_is_differentiable() -> None:
    w = ember.tensor(Y.T.copy(), requires_grad=True)
    logits = ops.matmul(ops.convert_to_tensor(X), w)
    loss = ops.mean(ops.sparse_categorical_crossentropy(LABELS, logits, from_logits=True))
    loss.backward()
    assert w.grad is not None and w.grad.shape == (3, 2)
    assert isinstance(ops.convert_to_numpy(loss), np.ndarray)


def test_convert_to_tensor_keeps_numpy_dtypes_and_standardises_python_numbers() -> None:
    assert ops.convert_to_tensor(np.ones(2, np.float64)).dtype == ember.float64
    assert ops.convert_to_tensor([1.5]).dtype == ember.float32
    assert ops.convert_to_tensor([1, 2]).dtype == ember.int32
    assert ops.convert_to_tensor([1, 2], dtype="float32").dtype == ember.float32
    assert ops.shape(X) == (2, 3) and ops.ndim(X) == 2 and ops.is_tensor(ops.ones(1))


def test_keras_random_draws_shapes_dtypes_and_reproducible_seeds() -> None:
    from ember.keras import random

    assert random.normal((2, 3)).shape == (2, 3) and random.normal((2,)).dtype == ember.float32
    assert np.array_equal(random.uniform((4,), seed=3).numpy(), random.uniform((4,), seed=3)
                          .numpy())
    stream = random.SeedGenerator(1337)
    first, second = random.normal((3,), seed=stream), random.normal((3,), seed=stream)
    assert not np.array_equal(first.numpy(), second.numpy())
    again = random.SeedGenerator(1337)
    assert np.array_equal(first.numpy(), random.normal((3,), seed=again).numpy())
    ints = random.randint((100,), 2, 5, seed=0)
    assert ints.dtype == ember.int32 and ints.min().item() >= 2 and ints.max().item() < 5
    assert np.abs(random.truncated_normal((500,), seed=1).numpy()).max() <= 2
    x = ember.ones(1000, requires_grad=True)
    dropped = random.dropout(x, 0.25, seed=2)
    dropped.sum().backward()
    kept = dropped.detach().numpy() > 0
    assert abs(kept.mean() - 0.75) < 0.06 and np.allclose(dropped.detach().numpy()[kept], 4 / 3)
    assert np.array_equal(x.grad.numpy() > 0, kept)
    shuffled = random.shuffle(ember.arange(10), seed=4)
    assert sorted(shuffled.tolist()) == list(range(10))
    picks = random.categorical(ember.tensor([[0.0, 10.0, 0.0]]), 50, seed=5)
    assert picks.shape == (1, 50) and picks.dtype == ember.int32 and (picks == 1).all().item()
    with pytest.raises(ValueError):
        random.normal((2,), seed="abc")
