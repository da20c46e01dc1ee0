"""conv2d against textbook im2col: index-built columns, one GEMM each way, col2im by np.add.at.

ember's conv2d is a strided-view im2col with a per-offset scatter in its backward; whatever
faster path replaces either, it must keep giving these values and gradients for every geometry.
"""

import numpy as np
import pytest

import ember
import ember.nn.functional as F

GEOMETRIES = [
    {},
    {"padding": 1},
    {"padding": (2, 0), "dilation": (2, 1)},
    {"stride": 2, "padding": 1},  # input gradient through the strided scatter
    {"stride": (1, 2), "dilation": 2},
    {"padding": "same", "dilation": (1, 3)},
]


def plain_im2col_conv2d(x, w, b, stride, padding, dilation):
    """Forward and all three gradients (for an all-ones-weighted output gradient g) by plain
    im2col: explicit padding, every window copied, one GEMM each way, col2im by index add."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph0, ph1, pw0, pw1), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph0, ph1), (pw0, pw1)))
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    rows = (np.arange(oh)[:, None] * sh + np.arange(kh)[None, :] * dh)  # (oh, kh)
    cols = (np.arange(ow)[:, None] * sw + np.arange(kw)[None, :] * dw)  # (ow, kw)
    # columns[n, y, x, c, i, j] = xp[n, c, rows[y, i], cols[x, j]]
    columns = xp[:, :, rows[:, None, :, None], cols[None, :, None, :]].transpose(0, 2, 3, 1, 4, 5)
    columns = columns.reshape(n * oh * ow, c * kh * kw)
    out = (columns @ w.reshape(o, -1).T + b).reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
    g = np.random.default_rng(7).standard_normal(out.shape)
    g_matrix = g.transpose(0, 2, 3, 1).reshape(-1, o)
    g_w = (g_matrix.T @ columns).reshape(w.shape)
    g_columns = (g_matrix @ w.reshape(o, -1)).reshape(n, oh, ow, c, kh, kw)
    g_xp = np.zeros_like(xp)
    index = (slice(None), slice(None), rows[:, None, :, None], cols[None, :, None, :])
    np.add.at(g_xp, index, g_columns.transpose(0, 3, 1, 2, 4, 5))
    g_x = g_xp[:, :, ph0:ph0 + h, pw0:pw0 + width]
    return out, g, g_x, g_w, g.sum(axis=(0, 2, 3))


def explicit_padding(kwargs, kernel):
    padding = kwargs.get("padding", 0)
    dilation = kwargs.get("dilation", 1)
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "same":
        total_h, total_w = dh * (kernel[0] - 1), dw * (kernel[1] - 1)
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return ph, ph, pw, pw


@pytest.mark.parametrize("kwargs", GEOMETRIES)
def test_conv2d_matches_plain_im2col(kwargs):
    rng = np.random.default_rng(0)
    x_np, w_np = rng.standard_normal((5, 3, 9, 8)), rng.standard_normal((4, 3, 3, 2))
    b_np = rng.standard_normal(4)
    x, w, b = (ember.tensor(v, dtype=ember.float64, requires_grad=True) for v in (x_np, w_np, b_np))
    out = F.conv2d(x, w, b, **kwargs)

    stride = kwargs.get("stride", 1)
    dilation = kwargs.get("dilation", 1)
    pairs = [(v, v) if isinstance(v, int) else v for v in (stride, dilation)]
    expected, g, g_x, g_w, g_b = plain_im2col_conv2d(
        x_np, w_np, b_np, pairs[0], explicit_padding(kwargs, (3, 2)), pairs[1])
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    out.backward(ember.tensor(g, dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), g_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), g_w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), g_b, rtol=1e-12, atol=1e-12)

