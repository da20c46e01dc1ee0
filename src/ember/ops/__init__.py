"""Every differentiable op, with its gradient rule beside its forward.

``ember.Tensor`` methods and the ``ember.*`` functions both call into here.
"""

from ember.ops._util import as_array, cast
from ember.ops.activation import elu, erf, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from ember.ops.elementwise import (
    abs,
    add,
    allclose,
    ceil,
    clamp,
    clip,
    cos,
    div,
    eq,
    equal,
    exp,
    floor,
    floor_divide,
    ge,
    gt,
    isclose,
    le,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    remainder,
    round,
    sign,
    sin,
    sqrt,
    sub,
    where,
)
from ember.ops.indexing import clone, gather, getitem, inplace, setitem
from ember.ops.linalg import bmm, dot, linear, matmul, mm, tensordot
from ember.ops.reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    softmax,
    std,
    sum,
    var,
)
from ember.ops.shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    expand,
    flatten,
    pad,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unbind,
    unsqueeze,
    view,
)
from ember.ops.sorting import argsort, median, mode, sort, topk
from ember.random import normal_array as random_normal
from ember.random import uniform_array as random_uniform

__all__ = [name for name in dir() if not name.startswith("_")]
