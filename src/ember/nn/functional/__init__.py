"""Stateless functions behind every layer (PyTorch's ``torch.nn.functional``, imported as ``F``)."""

from __future__ import annotations

import numpy as np

from ember import random as _random
from ember.nn.functional.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    maybe_inplace,
    relu,
    relu6,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from ember.nn.functional.conv import conv2d
from ember.nn.functional.embedding import embedding
from ember.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ember.nn.functional.normalization import batch_norm
from ember.nn.functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ember.ops import linear, pad
from ember.tensor import Tensor


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) to int64 one-hot vectors along a new last dim.

    >>> F.one_hot(ember.tensor([0, 2]), num_classes=3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    labels = tensor._data
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects integer class indices, got {tensor.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"one_hot: class indices must be in [0, {num_classes}), got values in "
                         f"[{labels.min()}, {labels.max()}]")
    return Tensor._wrap(np.eye(num_classes, dtype=np.int64)[labels])


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), when training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x  # PyTorch returns the input itself here too, in place or not
    data = x._data
    if p == 1.0:
        scale = np.zeros(data.shape, dtype=data.dtype)
    else:
        keep = _random.rng().random(data.shape, dtype=np.float32) >= p
        scale = keep * np.asarray(1.0 / (1.0 - p), dtype=data.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * scale,)

    out = Tensor._op(data * scale, (x,), backward, "DropoutBackward", saved=())
    return maybe_inplace(x, out, inplace)


__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "conv2d", "embedding", "max_pool2d",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout",
    "elu", "gelu", "huber_loss", "l1_loss", "leaky_relu", "linear", "log_softmax", "mse_loss",
    "nll_loss", "one_hot", "pad", "relu", "relu6", "sigmoid", "silu", "smooth_l1_loss", "softmax",
    "softplus", "tanh",
]

# Issue 13: sequence, attention and normalisation functions, each from its own module.
from ember.nn.functional.attention import scaled_dot_product_attention  # noqa: E402
from ember.nn.functional.normalization_extra import (  # noqa: E402
    group_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    rms_norm,
)

__all__ += ["group_norm", "instance_norm", "layer_norm", "local_response_norm", "rms_norm",
            "scaled_dot_product_attention"]

# ---- issue 12: more activations, similarities and losses (composites of differentiable ops).
from ember.nn.functional.activation_extra import (  # noqa: E402
    celu,
    cosine_similarity,
    glu,
    gumbel_softmax,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    normalize,
    pairwise_distance,
    prelu,
    rrelu,
    selu,
    softmin,
    softsign,
    threshold,
)
from ember.nn.functional.loss_extra import (  # noqa: E402
    cosine_embedding_loss,
    gaussian_nll_loss,
    kl_div,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    triplet_margin_loss,
)

__all__ += [
    "celu", "cosine_embedding_loss", "cosine_similarity", "gaussian_nll_loss", "glu",
    "gumbel_softmax", "hardsigmoid", "hardswish", "hardtanh", "kl_div", "logsigmoid",
    "margin_ranking_loss", "mish", "multilabel_soft_margin_loss", "normalize",
    "pairwise_distance", "poisson_nll_loss", "prelu", "rrelu", "selu", "softmin", "softsign",
    "threshold", "triplet_margin_loss",
]

# Issue 13: convolutions, pools and resampling beyond 2-D, each from its own module.
from ember.nn.functional.conv_nd import (  # noqa: E402
    conv1d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ember.nn.functional.pooling_nd import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool3d,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
)
from ember.nn.functional.resample import (  # noqa: E402
    fold,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)

upsample = interpolate  # PyTorch's deprecated alias

__all__ += ["adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool2d", "avg_pool1d",
            "avg_pool3d", "conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "fold", "interpolate", "lp_pool1d", "lp_pool2d", "max_pool1d",
            "max_pool3d", "max_unpool1d", "max_unpool2d", "pixel_shuffle", "pixel_unshuffle",
            "unfold", "upsample"]
