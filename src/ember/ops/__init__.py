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

# ---- issue 12: the rest of PyTorch's tensor-op surface (one new module per family). ``div`` and
# ``remainder`` are rebound here to their fuller forms (rounding_mode; gradients, PyTorch's sign
# and integer-zero rules).
from ember.ops.arrange import (  # noqa: E402
    diag,
    diag_embed,
    diagonal,
    flip,
    fliplr,
    flipud,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    repeat_interleave,
    roll,
    tril,
    triu,
    unflatten,
    unfold,
)
from ember.ops.bitwise import (  # noqa: E402
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    view_as_dtype,
)
from ember.ops.einsum import einsum  # noqa: E402
from ember.ops.index_ops import (  # noqa: E402
    argwhere,
    index_add,
    index_fill,
    index_select,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take,
    take_along_dim,
)
from ember.ops.math import (  # noqa: E402
    acos,
    acosh,
    arctan2,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    copysign,
    cosh,
    deg2rad,
    div,  # noqa: F811 - rebound: see above
    erfc,
    erfinv,
    exp2,
    expm1,
    fix,
    float_power,
    fmod,
    frac,
    hypot,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    isreal,
    lerp,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    nan_to_num,
    rad2deg,
    reciprocal,
    remainder,  # noqa: F811 - rebound: see above
    rsqrt,
    sgn,
    signbit,
    sinc,
    sinh,
    square,
    tan,
    true_divide,
    trunc,
    xlogy,
)
from ember.ops.math import erf as erf_op  # noqa: E402 - ops.erf stays the array helper gelu uses
from ember.ops.reduce_extra import (  # noqa: E402
    aminmax,
    count_nonzero,
    nanmean,
    nansum,
    std_mean,
    var_mean,
)
from ember.ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from ember.ops.search import (  # noqa: E402
    bincount,
    bucketize,
    histc,
    searchsorted,
    unique,
    unique_consecutive,
)

__all__ = [name for name in dir() if not name.startswith("_")]

# ---- issue 12, continued: linear-algebra composites, shape composites and PyTorch's aliases.
from ember.ops.linalg_extra import (  # noqa: E402
    addbmm,
    addmm,
    addmv,
    addr,
    baddbmm,
    block_diag,
    cartesian_prod,
    cdist,
    corrcoef,
    cov,
    cross,
    dist,
    ger,
    inner,
    kron,
    mv,
    outer,
    trace,
    vdot,
)
from ember.ops.shape_extra import (  # noqa: E402
    absolute,
    addcdiv,
    addcmul,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    clamp_max,
    clamp_min,
    column_stack,
    diff,
    divide,
    dstack,
    heaviside,
    hstack,
    kthvalue,
    logit,
    logspace,
    msort,
    multiply,
    nanquantile,
    negative,
    numel,
    positive,
    quantile,
    rot90,
    row_stack,
    rsub,
    select,
    subtract,
    swapaxes,
    swapdims,
    t,
    tile,
    vstack,
)

__all__ = [name for name in dir() if not name.startswith("_")]
from ember.ops.math import round  # noqa: E402, F811 - rebound: with decimals=
from ember.ops.search import isin  # noqa: E402
from ember.ops.shape_extra import tensor_split  # noqa: E402

__all__ = [name for name in dir() if not name.startswith("_")]
from ember.ops.math import digamma, i0, lgamma  # noqa: E402

__all__ = [name for name in dir() if not name.startswith("_")]
from ember.ops.index_ops import index_put, masked_scatter  # noqa: E402

__all__ = [name for name in dir() if not name.startswith("_")]
from ember.ops.surface_extra import (  # noqa: E402
    chain_matmul,
    cumulative_trapezoid,
    diagflat,
    dsplit,
    fmax,
    fmin,
    gcd,
    hsplit,
    index_copy,
    lcm,
    ldexp,
    matrix_power,
    narrow_copy,
    nextafter,
    polygamma,
    ravel,
    select_scatter,
    slice_scatter,
    trapezoid,
    trapz,
    tril_indices,
    triu_indices,
    unravel_index,
    vander,
    vsplit,
)

__all__ = [name for name in dir() if not name.startswith("_")]
