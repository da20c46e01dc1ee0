"""Random small shifts, rotations, zooms and brightness changes for a batch of images, in NumPy.

One call transforms a whole batch: every image gets its own random affine map, and all of
them are resampled together with one vectorised bilinear gather (edges are replicated).
"""

from __future__ import annotations

import numpy as np


def random_affine(x: np.ndarray, rng: np.random.Generator, max_shift: float = 2.0,
                  max_degrees: float = 10.0, max_zoom: float = 0.1,
                  max_brightness: float = 0.2) -> np.ndarray:
    """Augment ``x``: (N, C, H, W) float32 (already normalised); returns a new array.

    Each image is rotated by up to ``max_degrees``, zoomed by up to ``max_zoom``, shifted by
    up to ``max_shift`` pixels, then scaled by ``1 +- max_brightness`` and offset by
    ``+- max_brightness`` (in normalised units).
    """
    n, _, height, width = x.shape
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees, n)).astype(np.float32)
    zoom = rng.uniform(1 - max_zoom, 1 + max_zoom, n).astype(np.float32)
    shift_y = rng.uniform(-max_shift, max_shift, n).astype(np.float32)
    shift_x = rng.uniform(-max_shift, max_shift, n).astype(np.float32)
    cy, cx = (height - 1) / 2.0, (width - 1) / 2.0
    grid_y, grid_x = np.meshgrid(np.arange(height, dtype=np.float32) - cy,
                                 np.arange(width, dtype=np.float32) - cx, indexing="ij")
    cos = (np.cos(angle) / zoom)[:, None, None]
    sin = (np.sin(angle) / zoom)[:, None, None]
    # where each output pixel comes from: the inverse of rotate-zoom-shift
    src_y = cos * grid_y - sin * grid_x + cy - shift_y[:, None, None]
    src_x = sin * grid_y + cos * grid_x + cx - shift_x[:, None, None]
    np.clip(src_y, 0, height - 1, out=src_y)
    np.clip(src_x, 0, width - 1, out=src_x)
    y0 = np.minimum(src_y.astype(np.int64), height - 2)
    x0 = np.minimum(src_x.astype(np.int64), width - 2)
    wy = (src_y - y0)[..., None]
    wx = (src_x - x0)[..., None]
    images = x.transpose(0, 2, 3, 1)  # (N, H, W, C) view
    batch = np.arange(n)[:, None, None]
    top = images[batch, y0, x0] * (1 - wx) + images[batch, y0, x0 + 1] * wx
    bottom = images[batch, y0 + 1, x0] * (1 - wx) + images[batch, y0 + 1, x0 + 1] * wx
    out = top * (1 - wy) + bottom * wy
    gain = rng.uniform(1 - max_brightness, 1 + max_brightness, (n, 1, 1, 1)).astype(np.float32)
    offset = rng.uniform(-max_brightness, max_brightness, (n, 1, 1, 1)).astype(np.float32)
    out = out * gain + offset
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2), dtype=np.float32)
