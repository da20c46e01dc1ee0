"""Normalisation, attention and Transformer layers against PyTorch (float64, same weights through
state dicts): outputs and the gradients of the inputs and of every weight."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


def _torch():
    return pytest.importorskip("torch")


def _array(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _e(a, grad=False):
    return ember.tensor(a, dtype=ember.float64, requires_grad=grad)


def _twins(name, *args, **kwargs):
    torch = _torch()
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs).double()
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _compare(ours, theirs, arrays, call=None, atol=1e-9):
    """Run both on the same inputs, compare the output and every gradient."""
    torch = _torch()
    inputs = [_e(a, True) for a in arrays]
    t_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    call = call or (lambda layer, *xs: layer(*xs))
    out, t_out = call(ours, *inputs), call(theirs, *t_inputs)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=atol)
    weights = np.cos(np.arange(t_out.numel()).reshape(t_out.shape))
    (out * _e(weights)).sum().backward()
    (t_out * torch.tensor(weights)).sum().backward()
    for a, b in zip(inputs, t_inputs):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol)
    t_params = dict(theirs.named_parameters())
    assert sorted(t_params) == sorted(dict(ours.named_parameters()))
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), t_params[name].grad.numpy(), atol=atol,
                                   err_msg=name)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("LayerNorm", ((4,),), {}, (2, 3, 4)),
    ("LayerNorm", ((3, 4),), {"bias": False}, (2, 3, 4)),
    ("LayerNorm", (4,), {"elementwise_affine": False}, (5, 4)),
    ("GroupNorm", (2, 6), {}, (3, 6, 5)),
    ("GroupNorm", (3, 6), {"affine": False}, (2, 6, 2, 3)),
    ("RMSNorm", ((4,),), {}, (2, 3, 4)),
    ("RMSNorm", (4,), {"eps": 1e-3}, (3, 4)),
    ("InstanceNorm1d", (3,), {"affine": True}, (2, 3, 7)),
    ("InstanceNorm2d", (3,), {}, (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {}, (3, 4, 5)),
    ("LocalResponseNorm", (3,), {}, (2, 5, 4)),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "k": 2.0}, (2, 4, 3, 3)),
    ("BatchNorm3d", (3,), {}, (2, 3, 2, 3, 2)),
])
def test_normalisation_layers_match_pytorch(name, args, kwargs, shape):
    ours, theirs = _twins(name, *args, **kwargs)
    _compare(ours, theirs, [_array(*shape) * 3 + 1])


def test_instance_norm_running_stats_follow_pytorch():
    ours, theirs = _twins("InstanceNorm1d", 3, track_running_stats=True, momentum=0.3)
    x = _array(4, 3, 6) * 2 + 1
    _compare(ours, theirs, [x])
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy())
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy())
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, [x])


@pytest.mark.parametrize("kwargs", [
    {},
    {"is_causal": True},
    {"attn_mask": "bool"},
    {"attn_mask": "float", "scale": 0.3},
])
def test_scaled_dot_product_attention_matches_pytorch(kwargs):
    torch = _torch()
    q, k, v = _array(2, 3, 4, 5), _array(2, 3, 6, 5, seed=1), _array(2, 3, 6, 2, seed=2)
    mask = kwargs.pop("attn_mask", None)
    masks = {"bool": _array(4, 6, seed=3) > -0.5, "float": _array(4, 6, seed=4)}
    inputs = [_e(a, True) for a in (q, k, v)]
    t_inputs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    m = masks.get(mask)
    out = F.scaled_dot_product_attention(*inputs, attn_mask=None if m is None else _e(m)
                                         if m.dtype != bool else ember.tensor(m), **kwargs)
    t_out = torch.nn.functional.scaled_dot_product_attention(
        *t_inputs, attn_mask=None if m is None else torch.tensor(m), **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), atol=1e-10)
    out.sum().backward()
    t_out.sum().backward()
    for a, b in zip(inputs, t_inputs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)


def test_scaled_dot_product_attention_grouped_query_heads():
    torch = _torch()
    q, k, v = _array(2, 4, 3, 5), _array(2, 2, 6, 5, seed=1), _array(2, 2, 6, 5, seed=2)
    out = F.scaled_dot_product_attention(_e(q), _e(k), _e(v), enable_gqa=True)
    t_out = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v), enable_gqa=True)
    np.testing.assert_allclose(out.numpy(), t_out.numpy(), atol=1e-10)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(_e(q), _e(q), _e(q), attn_mask=_e(np.zeros((3, 3))),
                                       is_causal=True)


@pytest.mark.parametrize("kwargs, masks", [
    ({}, {}),
    ({"batch_first": True}, {"key_padding_mask": True}),
    ({"bias": False, "add_bias_kv": True, "add_zero_attn": True}, {"attn_mask": "bool"}),
    ({"kdim": 3, "vdim": 2}, {"attn_mask": "float"}),
])
@pytest.mark.parametrize("average", [True, False])
def test_multihead_attention_matches_pytorch(kwargs, masks, average):
    torch = _torch()
    ours, theirs = _twins("MultiheadAttention", 8, 2, **kwargs)
    batch_first = kwargs.get("batch_first", False)
    shape_q, shape_kv = ((2, 4, 8), (2, 5)) if batch_first else ((4, 2, 8), (5, 2))
    arrays = [_array(*shape_q), _array(*shape_kv, kwargs.get("kdim", 8), seed=1),
              _array(*shape_kv, kwargs.get("vdim", 8), seed=2)]
    mask_kind = masks.get("attn_mask")
    extra, t_extra = {}, {}
    if mask_kind == "bool":
        m = _array(4, 5, seed=3) > 0.8
        extra["attn_mask"], t_extra["attn_mask"] = ember.tensor(m), torch.tensor(m)
    elif mask_kind == "float":
        m = _array(4, 5, seed=3)
        extra["attn_mask"], t_extra["attn_mask"] = _e(m), torch.tensor(m)
    if masks.get("key_padding_mask"):
        m = np.array([[False] * 5, [False, False, True, False, True]])
        extra["key_padding_mask"], t_extra["key_padding_mask"] = ember.tensor(m), torch.tensor(m)

    def call(layer, q, k, v):
        chosen = t_extra if layer is theirs else extra
        out, weights = layer(q, k, v, average_attn_weights=average, **chosen)
        return out + (weights * weights).mean()  # both results take part in the gradient

    _compare(ours, theirs, arrays, call)
    out, weights = ours(*(_e(a) for a in arrays), need_weights=False)
    assert weights is None


def test_multihead_attention_self_attention_unbatched():
    ours, theirs = _twins("MultiheadAttention", 6, 3)
    _compare(ours, theirs, [_array(4, 6)], lambda layer, x: layer(x, x, x)[0])


@pytest.mark.parametrize("kwargs", [{}, {"norm_first": True, "activation": "gelu",
                                         "batch_first": True}])
def test_transformer_encoder_layer_matches_pytorch(kwargs):
    torch = _torch()
    ours, theirs = _twins("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0,
                          **kwargs)
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    t_mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    np.testing.assert_array_equal(mask.numpy(), t_mask.numpy())

    def call(layer, x):
        return layer(x, src_mask=t_mask if layer is theirs else mask)

    # ember's gelu evaluates erf to about 1e-7 (ops.activation.erf), hence the tolerance.
    _compare(ours, theirs, [_array(5, 3, 8) if not kwargs else _array(3, 5, 8)], call,
             atol=1e-9 if not kwargs else 1e-6)


def test_transformer_matches_pytorch():
    torch = _torch()
    ours, theirs = _twins("Transformer", d_model=8, nhead=2, num_encoder_layers=2,
                          num_decoder_layers=2, dim_feedforward=12, dropout=0.0)
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    t_mask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)

    def call(layer, src, tgt):
        return layer(src, tgt, tgt_mask=t_mask if layer is theirs else mask)

    _compare(ours, theirs, [_array(5, 2, 8), _array(4, 2, 8, seed=1)], call)


def test_transformer_state_dict_loads_into_pytorch():
    torch = _torch()
    ours = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                          dim_feedforward=12)
    theirs = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
                                  num_decoder_layers=1, dim_feedforward=12)
    state = {k: torch.tensor(v.detach().numpy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)  # strict: every name and shape matches
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_dropout_in_attention_only_when_training():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5)
    x = ember.randn(4, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    assert not np.array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
