"""RNN, LSTM, GRU and their cells against PyTorch (float64, same weights through state dicts):
outputs, final states, and the gradients of the input, the initial states and every weight."""

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.utils import rnn as rnn_utils


def _torch():
    return pytest.importorskip("torch")


def _array(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _e(a, grad=False):
    return ember.tensor(a, dtype=ember.float64, requires_grad=grad)


def _twins(name, **kwargs):
    torch = _torch()
    theirs = getattr(torch.nn, name)(**kwargs).double()
    ours = getattr(nn, name)(**kwargs).double()
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _flat(result):
    """Every tensor in a layer's result, in order (output, h_n, c_n, ...)."""
    if isinstance(result, (tuple, list)):
        return [t for part in result for t in _flat(part)]
    if isinstance(result, rnn_utils.PackedSequence) or type(result).__name__ == "PackedSequence":
        return [result.data]
    return [result]


def _backprop_and_compare(ours, theirs, out, t_out, inputs, t_inputs):
    torch = _torch()
    flat, t_flat = _flat(out), _flat(t_out)
    assert len(flat) == len(t_flat)
    loss, t_loss = 0, 0
    for k, (a, b) in enumerate(zip(flat, t_flat)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-10)
        weights = np.cos(np.arange(b.numel()).reshape(b.shape) + k)
        loss = loss + (a * _e(weights)).sum()
        t_loss = t_loss + (b * torch.tensor(weights)).sum()
    loss.backward()
    t_loss.backward()
    for a, b in zip(inputs, t_inputs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)
    t_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), t_params[name].grad.numpy(), atol=1e-10,
                                   err_msg=name)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("options, shape", [
    ({}, (6, 2, 3)),
    ({"num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 6, 3)),
    ({"bias": False}, (5, 3)),  # unbatched
])
def test_layer_matches_pytorch(name, options, shape):
    torch = _torch()
    ours, theirs = _twins(name, input_size=3, hidden_size=4, **options)
    x = _array(*shape)
    ex, tx = _e(x, True), torch.tensor(x, requires_grad=True)
    _backprop_and_compare(ours, theirs, ours(ex), theirs(tx), [ex], [tx])


@pytest.mark.parametrize("options", [{"proj_size": 2, "num_layers": 2, "bidirectional": True},
                                     {"nonlinearity": "relu"}])
def test_projection_and_relu_variants(options):
    torch = _torch()
    name = "LSTM" if "proj_size" in options else "RNN"
    ours, theirs = _twins(name, input_size=3, hidden_size=5, **options)
    x = _array(4, 2, 3)
    ex, tx = _e(x, True), torch.tensor(x, requires_grad=True)
    _backprop_and_compare(ours, theirs, ours(ex), theirs(tx), [ex], [tx])


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_initial_states_get_gradients(name):
    torch = _torch()
    ours, theirs = _twins(name, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    x, h, c = _array(5, 3, 3), _array(4, 3, 4, seed=1), _array(4, 3, 4, seed=2)
    ex, eh, ec = _e(x, True), _e(h, True), _e(c, True)
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    if name == "LSTM":
        out, t_out = ours(ex, (eh, ec)), theirs(tx, (th, tc))
        _backprop_and_compare(ours, theirs, out, t_out, [ex, eh, ec], [tx, th, tc])
    else:
        out, t_out = ours(ex, eh), theirs(tx, th)
        _backprop_and_compare(ours, theirs, out, t_out, [ex, eh], [tx, th])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_packed_variable_lengths_match_pytorch(name):
    torch = _torch()
    from torch.nn.utils import rnn as t_rnn

    ours, theirs = _twins(name, input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                          batch_first=True)
    x, lengths = _array(3, 5, 3), [2, 5, 3]
    ex, tx = _e(x, True), torch.tensor(x, requires_grad=True)
    packed = rnn_utils.pack_padded_sequence(ex, lengths, batch_first=True, enforce_sorted=False)
    t_packed = t_rnn.pack_padded_sequence(tx, lengths, batch_first=True, enforce_sorted=False)
    np.testing.assert_array_equal(packed.batch_sizes.numpy(), t_packed.batch_sizes.numpy())
    out, state = ours(packed)
    t_out, t_state = theirs(t_packed)
    padded, out_lengths = rnn_utils.pad_packed_sequence(out, batch_first=True, total_length=6)
    t_padded, t_lengths = t_rnn.pad_packed_sequence(t_out, batch_first=True, total_length=6)
    np.testing.assert_array_equal(out_lengths.numpy(), t_lengths.numpy())
    _backprop_and_compare(ours, theirs, (padded, state), (t_padded, t_state), [ex], [tx])


@pytest.mark.parametrize("name, options", [("RNNCell", {"nonlinearity": "relu"}),
                                           ("LSTMCell", {}), ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_pytorch(name, options, batched):
    torch = _torch()
    ours, theirs = _twins(name, input_size=3, hidden_size=4, **options)
    x = _array(2, 3) if batched else _array(3)
    h = _array(*((2, 4) if batched else (4,)), seed=1)
    ex, eh = _e(x, True), _e(h, True)
    tx, th = torch.tensor(x, requires_grad=True), torch.tensor(h, requires_grad=True)
    if name == "LSTMCell":
        out, t_out = ours(ex, (eh, eh * 0.5)), theirs(tx, (th, th * 0.5))
    else:
        out, t_out = ours(ex, eh), theirs(tx, th)
    _backprop_and_compare(ours, theirs, out, t_out, [ex, eh], [tx, th])
    assert ours(ex)[0].shape == theirs(tx)[0].shape  # zero state by default


def test_state_dict_names_load_both_ways():
    torch = _torch()
    ours = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    theirs = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    state = ours.state_dict()
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in state.items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ours.state_dict()[k].detach().numpy())


def test_init_is_uniform_within_one_over_sqrt_hidden():
    layer = nn.GRU(10, 16)
    for param in layer.parameters():
        assert np.abs(param.detach().numpy()).max() <= 0.25
        assert param.dtype == ember.float32


def test_dropout_between_layers_only_when_training():
    layer = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    layer.eval()
    first, second = layer(x)[0], layer(x)[0]
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    layer.train()
    assert not np.array_equal(layer(x)[0].detach().numpy(), layer(x)[0].detach().numpy())


def test_bad_input_raises_like_pytorch():
    layer = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match="input_size"):
        layer(ember.randn(5, 2, 7))
    with pytest.raises(ValueError, match="2D or 3D"):
        layer(ember.randn(5))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        layer(ember.randn(5, 2, 3), ember.zeros(1, 3, 4))
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=4)


def test_pad_sequence_and_pack_sequence():
    torch = _torch()
    from torch.nn.utils import rnn as t_rnn

    arrays = [_array(3, 2), _array(5, 2, seed=1), _array(1, 2, seed=2)]
    for side in ("right", "left"):
        ours = rnn_utils.pad_sequence([_e(a) for a in arrays], batch_first=True,
                                      padding_value=-1.0, padding_side=side)
        theirs = t_rnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first=True,
                                    padding_value=-1.0, padding_side=side)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    packed = rnn_utils.pack_sequence([_e(a) for a in arrays], enforce_sorted=False)
    t_packed = t_rnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(packed.data.numpy(), t_packed.data.numpy())
    np.testing.assert_array_equal(packed.sorted_indices.numpy(), t_packed.sorted_indices.numpy())
    back = rnn_utils.unpack_sequence(packed)
    for a, b in zip(back, arrays):
        np.testing.assert_array_equal(a.numpy(), b)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        rnn_utils.pack_sequence([_e(a) for a in arrays])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(norm_type):
    torch = _torch()
    arrays = [_array(3, 4), _array(5, seed=1)]
    ours = [_e(a, True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, t in zip(ours, theirs):
        (p * p * 3).sum().backward()
        (t * t * 3).sum().backward()
    total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type=norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), t_total.item())
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy())


def test_clip_grad_value_and_parameter_vectors():
    layer = nn.Linear(3, 2)
    layer(ember.randn(4, 3)).sum().backward()
    layer.weight.grad = layer.weight.grad * 100
    nn.utils.clip_grad_value_(layer.parameters(), 0.1)
    assert np.abs(layer.weight.grad.numpy()).max() <= 0.1
    vector = nn.utils.parameters_to_vector(layer.parameters())
    assert tuple(vector.shape) == (8,)
    nn.utils.vector_to_parameters(vector * 0 + 1, layer.parameters())
    np.testing.assert_array_equal(layer.bias.detach().numpy(), np.ones(2, dtype=np.float32))
