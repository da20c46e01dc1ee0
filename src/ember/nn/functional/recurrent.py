"""One recurrent layer (one direction) over a whole sequence as one op, with backprop through time.

The input projections of every step come in precomputed (``xp = x W_ih^T + b``: one large matrix
multiply done by the caller, with its own gradient); the op runs the time loop in NumPy, one
(N, Hp) @ (Hp, G*H) multiply per step, and its backward runs the loop in reverse, gathering the
recurrent weight's gradient in one multiply at the end. A whole layer is one graph node, so the
engine's cost does not grow with the sequence length.

``valid`` (T, N) bool, or None, marks the steps that exist for each sample (variable-length,
packed sequences): at a missing step the state is carried over unchanged, so the state after the
last step is each sample's final state.
"""

from __future__ import annotations

import numpy as np

from ember.ops._sums import sum_over
from ember.tensor import Tensor


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _sigmoid_into(x, out)
    return out


def _carry(new: np.ndarray, old: np.ndarray, valid_t: np.ndarray | None) -> np.ndarray:
    return new if valid_t is None else np.where(valid_t, new, old)


def _split_valid(g: np.ndarray, valid_t: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | int]:
    """(gradient through the cell, gradient that skips the cell at a missing step)."""
    if valid_t is None:
        return g, 0
    return g * valid_t, g * ~valid_t


def _order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _valid_column(valid: np.ndarray | None, t: int) -> np.ndarray | None:
    return None if valid is None else valid[t][:, None]


def simple_rnn_layer(xp: Tensor, w_hh: Tensor, h0: Tensor, nonlinearity: str = "tanh",
                     valid: np.ndarray | None = None, reverse: bool = False) -> Tensor:
    """Elman recurrence ``h_t = act(xp_t + h_{t-1} W_hh^T)``.

    xp: (T, N, H) with both biases added; w_hh: (H, H); h0: (N, H). Returns the states (T, N, H).
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}, expected 'tanh' or 'relu'")
    xs, w, h = xp._data, w_hh._data, h0._data
    order = _order(xs.shape[0], reverse)
    states = np.empty(xs.shape[:2] + h.shape[1:], dtype=xs.dtype)
    before = np.empty_like(states)  # the state each step starts from
    state = h
    for t in order:
        before[t] = state
        pre = xs[t] + state @ w.T
        new = np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)
        state = states[t] = _carry(new, state, _valid_column(valid, t))

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        g_pre = np.empty_like(xs)
        g_h = np.zeros_like(h)
        for t in reversed(order):
            through, skip = _split_valid(g[t] + g_h, _valid_column(valid, t))
            out = states[t]
            g_pre[t] = through * (1 - out * out) if nonlinearity == "tanh" else through * (out > 0)
            g_h = g_pre[t] @ w + skip
        g_w = g_pre.reshape(-1, w.shape[0]).T @ before.reshape(-1, w.shape[1])
        return g_pre, g_w, g_h

    return Tensor._op(states, (xp, w_hh, h0), backward, "RnnTanhBackward"
                      if nonlinearity == "tanh" else "RnnReluBackward", saved=(1,))


def _sigmoid_into(x: np.ndarray, out: np.ndarray) -> None:
    """``out = sigmoid(x) = (1 + tanh(x / 2)) / 2`` without temporaries: NumPy's tanh is about
    ten times faster than its exp on float32, and this is the hot loop's main cost."""
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def lstm_layer(xp: Tensor, w_hh: Tensor, h0: Tensor, c0: Tensor, w_hr: Tensor | None = None,
               valid: np.ndarray | None = None, reverse: bool = False) -> Tensor:
    """LSTM recurrence (gates i, f, g, o as PyTorch orders them), with an optional projection.

    xp: (T, N, 4H) with both biases added; w_hh: (4H, P); h0: (N, P); c0: (N, H); w_hr: (P, H)
    or None (then P = H). Returns (T, N, P + H): every step's hidden state then its cell state.

    The forward loop keeps only what the recursion needs; the gates' local derivatives are
    then computed for all steps at once, so the backward loop is a few operations per step.
    """
    # Time-major and contiguous: every step reads and writes one block of memory.
    xs = np.ascontiguousarray(xp._data)
    w, h, c = w_hh._data, h0._data, c0._data
    proj = None if w_hr is None else w_hr._data
    order = _order(xs.shape[0], reverse)
    steps, batch = xs.shape[:2]
    hidden, out_size = c.shape[1], h.shape[1]
    dtype = xs.dtype
    w_t = np.ascontiguousarray(w.T)
    result = np.empty((steps, batch, out_size + hidden), dtype=dtype)
    gates = np.empty(xs.shape, dtype=dtype)  # activated: sigmoid(i, f), tanh(g), sigmoid(o)
    tanh_c = np.empty((steps, batch, hidden), dtype=dtype)
    cell_out = None if proj is None else np.empty_like(tanh_c)  # o * tanh(c) before projecting
    pre = np.empty((batch, 4 * hidden), dtype=dtype)
    for t in order:
        np.matmul(h, w_t, out=pre)
        pre += xs[t]
        act = gates[t]
        _sigmoid_into(pre, act)
        np.tanh(pre[:, 2 * hidden:3 * hidden], out=act[:, 2 * hidden:3 * hidden])
        c_new = act[:, hidden:2 * hidden] * c
        c_new += act[:, :hidden] * act[:, 2 * hidden:3 * hidden]
        np.tanh(c_new, out=tanh_c[t])
        h_new = act[:, 3 * hidden:] * tanh_c[t]
        if proj is not None:
            cell_out[t] = h_new
            h_new = h_new @ proj.T
        valid_t = _valid_column(valid, t)
        c = result[t, :, out_size:] = _carry(c_new, c, valid_t)
        h = result[t, :, :out_size] = _carry(h_new, h, valid_t)
    # The state before each step: the initial state or the previous step's (carried) result.
    before = np.empty_like(result)
    first, rest, previous = ((steps - 1, slice(0, steps - 1), slice(1, steps)) if reverse
                             else (0, slice(1, steps), slice(0, steps - 1)))
    before[first, :, :out_size], before[first, :, out_size:] = h0._data, c0._data
    before[rest] = result[previous]
    h_before, c_before = before[..., :out_size], before[..., out_size:]
    # Local derivatives of every step at once: d(pre-activation)/d(c_new) per gate, d/d(h).
    i, f, g, o = (gates[..., k * hidden:(k + 1) * hidden] for k in range(4))
    # [i', f', g'] multiply the cell state's gradient, o' the hidden state's.
    through_c = np.empty(gates.shape, dtype=dtype)
    through_c[..., :hidden] = g * i * (1 - i)
    through_c[..., hidden:2 * hidden] = c_before * f * (1 - f)
    through_c[..., 2 * hidden:3 * hidden] = i * (1 - g * g)
    through_c[..., 3 * hidden:] = tanh_c * o * (1 - o)
    h_to_c = o * (1 - tanh_c * tanh_c)  # d(c_new) contribution of g_h (through o * tanh(c))
    forget = np.ascontiguousarray(f)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_pre = np.empty(xs.shape, dtype=dtype)
        g_h = np.zeros_like(h0._data)
        g_c = np.zeros_like(c0._data)
        g_proj = None if proj is None else np.zeros_like(proj)
        four = g_pre.reshape(steps, batch, 4, hidden)
        local = through_c.reshape(steps, batch, 4, hidden)
        # Often only some steps' outputs are used (the last, for a classifier): skip the rest.
        steps_with_grad = np.any(grad != 0, axis=(1, 2))
        for t in reversed(order):
            valid_t = _valid_column(valid, t)
            if steps_with_grad[t]:
                g_h = g_h + grad[t, :, :out_size]
                g_c = g_c + grad[t, :, out_size:]
            h_through, h_skip = _split_valid(g_h, valid_t)
            c_through, c_skip = _split_valid(g_c, valid_t)
            if proj is not None:
                g_proj += h_through.T @ cell_out[t]
                h_through = h_through @ proj
            c_through += h_through * h_to_c[t]
            np.multiply(c_through[:, None, :], local[t, :, :3], out=four[t, :, :3])
            np.multiply(h_through, local[t, :, 3], out=four[t, :, 3])
            g_h = g_pre[t] @ w
            g_c = c_through * forget[t]
            if valid_t is not None:
                g_h += h_skip
                g_c += c_skip
        g_w = g_pre.reshape(-1, w.shape[0]).T @ h_before.reshape(-1, out_size)
        grads = [g_pre, g_w, g_h, g_c]
        if proj is not None:
            grads.append(g_proj)
        return tuple(grads)

    inputs = (xp, w_hh, h0, c0) if w_hr is None else (xp, w_hh, h0, c0, w_hr)
    saved = (1,) if w_hr is None else (1, 4)
    return Tensor._op(result, inputs, backward, "LstmBackward", saved=saved)


def gru_layer(xp: Tensor, w_hh: Tensor, b_hh: Tensor | None, h0: Tensor,
              valid: np.ndarray | None = None, reverse: bool = False) -> Tensor:
    """GRU recurrence (gates r, z, n as PyTorch orders them; ``b_hh``'s n part inside r * (.)).

    xp: (T, N, 3H) with b_ih added; w_hh: (3H, H); b_hh: (3H,) or None; h0: (N, H).
    Returns the states (T, N, H).
    """
    xs, w, h = xp._data, w_hh._data, h0._data
    bias = None if b_hh is None else b_hh._data
    order = _order(xs.shape[0], reverse)
    hidden = h.shape[1]
    states = np.empty(xs.shape[:2] + (hidden,), dtype=xs.dtype)
    before = np.empty_like(states)
    rz = np.empty(xs.shape[:2] + (2 * hidden,), dtype=xs.dtype)
    n_gate = np.empty_like(states)
    h_n = np.empty_like(states)  # h W_hn^T + b_hn, which r scales
    for t in order:
        before[t] = h
        rec = h @ w.T
        if bias is not None:
            rec += bias
        rz[t] = _sigmoid(xs[t, :, :2 * hidden] + rec[:, :2 * hidden])
        h_n[t] = rec[:, 2 * hidden:]
        n_gate[t] = np.tanh(xs[t, :, 2 * hidden:] + rz[t, :, :hidden] * h_n[t])
        z = rz[t, :, hidden:]
        h = states[t] = _carry((1 - z) * n_gate[t] + z * h, h, _valid_column(valid, t))

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_x = np.empty_like(xs)
        g_rec = np.empty_like(xs)  # gradient of h W_hh^T + b_hh, per step
        g_h = np.zeros_like(h0._data)
        for t in reversed(order):
            through, skip = _split_valid(g[t] + g_h, _valid_column(valid, t))
            r, z, n = rz[t, :, :hidden], rz[t, :, hidden:], n_gate[t]
            g_pre_n = through * (1 - z) * (1 - n * n)
            g_x[t, :, :hidden] = g_pre_n * h_n[t] * r * (1 - r)
            g_x[t, :, hidden:2 * hidden] = through * (before[t] - n) * z * (1 - z)
            g_x[t, :, 2 * hidden:] = g_pre_n
            g_rec[t, :, :2 * hidden] = g_x[t, :, :2 * hidden]
            g_rec[t, :, 2 * hidden:] = g_pre_n * r
            g_h = g_rec[t] @ w + through * z + skip
        flat = g_rec.reshape(-1, w.shape[0])
        g_w = flat.T @ before.reshape(-1, hidden)
        if bias is None:
            return g_x, g_w, g_h
        return g_x, g_w, sum_over(flat, (0,)), g_h

    inputs = (xp, w_hh, h0) if b_hh is None else (xp, w_hh, b_hh, h0)
    return Tensor._op(states, inputs, backward, "GruBackward",
                      saved=(1,) if b_hh is None else (1, 2))
