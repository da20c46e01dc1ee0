"""``Embedding``'s max_norm, norm_type, scale_grad_by_freq and sparse, as PyTorch has them."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


def test_max_norm_renormalises_the_rows_looked_up_in_place():
    ember.manual_seed(0)
    layer = nn.Embedding(10, 4, max_norm=0.1)
    before = layer.weight.detach().numpy().copy()
    out = layer(ember.tensor([1, 1, 2]))
    np.testing.assert_allclose(np.linalg.norm(out.detach().numpy(), axis=1), 0.1, rtol=1e-5)
    after = layer.weight.detach().numpy()
    np.testing.assert_allclose(np.linalg.norm(after[[1, 2]], axis=1), 0.1, rtol=1e-5)
    np.testing.assert_array_equal(after[[0, 3, 4]], before[[0, 3, 4]])  # rows not looked up
    # The direction is kept: the row is only rescaled.
    np.testing.assert_allclose(after[1] / np.linalg.norm(after[1]),
                               before[1] / np.linalg.norm(before[1]), rtol=1e-5)


def test_max_norm_leaves_short_rows_alone_and_uses_norm_type():
    weight = ember.tensor([[3.0, 4.0], [0.1, 0.1], [1.0, -1.0]])
    out = F.embedding(ember.tensor([0, 1, 2]), weight, max_norm=2.0, norm_type=1.0)
    assert np.allclose(out.numpy(), [[6 / 7, 8 / 7], [0.1, 0.1], [1.0, -1.0]], atol=1e-6)
    assert np.allclose(weight.numpy()[0], [6 / 7, 8 / 7], atol=1e-6)


def test_max_norm_bumps_the_weight_version():
    weight = ember.tensor([[3.0, 4.0], [0.1, 0.1]])
    version = weight._version
    F.embedding(ember.tensor([1]), weight, max_norm=1.0)
    assert weight._version == version  # nothing rescaled
    F.embedding(ember.tensor([0]), weight, max_norm=1.0)
    assert weight._version > version


def test_scale_grad_by_freq_divides_each_row_by_its_count():
    weight = ember.ones(4, 2, requires_grad=True)
    F.embedding(ember.tensor([[0, 2, 2], [2, 1, 0]]), weight, scale_grad_by_freq=True
                ).sum().backward()
    assert weight.grad.tolist() == [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]


def test_sparse_gradients_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(10, 4, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        F.embedding(ember.tensor([0]), ember.ones(2, 2), sparse=True)


def test_from_pretrained_passes_the_options_on():
    layer = nn.Embedding.from_pretrained(ember.tensor([[3.0, 4.0], [0.0, 1.0]]), max_norm=1.0)
    assert layer.max_norm == 1.0
    assert np.allclose(layer(ember.tensor([0])).numpy(), [[0.6, 0.8]], atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"max_norm": 0.5},
    {"max_norm": 1.5, "norm_type": 1.0},
    {"max_norm": 0.5, "norm_type": float("inf"), "padding_idx": 3},
    {"scale_grad_by_freq": True},
    {"scale_grad_by_freq": True, "padding_idx": 0, "max_norm": 2.0},
])
def test_embedding_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    reference = torch.nn.Embedding(6, 3, **kwargs)
    layer = nn.Embedding(6, 3, **kwargs)
    layer.load_state_dict(reference.state_dict())
    indices = np.array([[0, 3, 3, 5], [1, 3, 0, 0]])
    out, expected = layer(ember.tensor(indices)), reference(torch.tensor(indices))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(layer.weight.detach().numpy(), reference.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    seed = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    out.backward(ember.tensor(seed))
    expected.backward(torch.tensor(seed))
    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-6)


def test_embedding_input_errors_as_torch():
    weight = ember.ones(3, 2)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(ember.tensor([3]), weight)
    with pytest.raises(RuntimeError, match="indices must be integers"):
        F.embedding(ember.tensor([1.0]), weight)
    with pytest.raises(ValueError, match="padding_idx must be within"):
        F.embedding(ember.tensor([1]), weight, padding_idx=3)
