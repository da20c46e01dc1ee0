"""ember: a readable deep-learning framework on NumPy, with PyTorch's names and semantics.

>>> import ember
>>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> y = (x @ x).sum()
>>> y.backward()
>>> x.grad
tensor([[ 7., 11.],
        [ 9., 13.]])
"""

from ember import autograd
from ember._fpenv import set_flush_denormal
from ember._lazy import submodule_getattr
from ember._parallel import get_num_threads, set_num_threads
from ember.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ember.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ember.devices import device
from ember.dtypes import (
    bool_,
    double,
    dtype,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from ember.ops import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    bmm,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    cos,
    div,
    dot,
    eq,
    equal,
    exp,
    flatten,
    floor,
    gather,
    ge,
    gt,
    isclose,
    le,
    log,
    log1p,
    log_softmax,
    logsumexp,
    lt,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    median,
    min,
    minimum,
    mm,
    mode,
    mul,
    ne,
    neg,
    norm,
    permute,
    pow,
    prod,
    relu,
    repeat,
    reshape,
    return_types,
    round,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    sum,
    tanh,
    tensordot,
    topk,
    transpose,
    unbind,
    unsqueeze,
    var,
    where,
)
from ember.random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ember.tensor import Size, Tensor

bool = bool_  # noqa: A001 - PyTorch's name: ember.bool
float = float32  # noqa: A001
int = int32  # noqa: A001

__version__ = "0.1.0"


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


# ``import ember`` loads the core (Tensor, ops, autograd, creation) and nothing else: the
# subpackages PyTorch code reaches through the top-level name (``torch.nn.Linear``,
# ``torch.optim.SGD``, ``torch.utils.data.DataLoader``, ``torch.save``) load on first use
# (PEP 562), so a script that only builds tensors never pays for them. ``import ember.nn``,
# ``from ember import nn`` and ``dir(ember)`` work as if they had been imported eagerly.
_LAZY_SUBMODULES = ("nn", "optim", "utils", "serialization", "keras", "datasets", "models",
                    "cli", "distributed", "onnx", "vision")
_LAZY_ATTRIBUTES = {"save": "serialization", "load": "serialization",
                    "ModelFileError": "serialization", "StateDictError": "serialization",
                    "UnsafeFileError": "serialization"}


_submodule = submodule_getattr(__name__, _LAZY_SUBMODULES)


def __getattr__(name: str) -> object:
    if name in _LAZY_ATTRIBUTES:
        import importlib

        module = importlib.import_module(f"ember.{_LAZY_ATTRIBUTES[name]}")
        for lazy_name, module_name in _LAZY_ATTRIBUTES.items():  # later lookups skip this
            if module_name == _LAZY_ATTRIBUTES[name]:
                globals()[lazy_name] = getattr(module, lazy_name)
        return globals()[name]
    return _submodule(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_SUBMODULES, *_LAZY_ATTRIBUTES})


# ---- issue 12: PyTorch's first lines (devices, defaults, legacy names) and the rest of its
# tensor-op surface.
from ember import (  # noqa: E402
    accelerator,
    backends,
    cuda,
    hub,
    linalg,
)
from ember.autograd.inference_mode import inference_mode, is_inference_mode_enabled  # noqa: E402
from ember.compiler import compile  # noqa: E402, A004
from ember.creation import bernoulli, multinomial, randint_like  # noqa: E402
from ember.defaults import (  # noqa: E402
    get_default_device,
    get_default_dtype,
    set_default_device,
    set_default_dtype,
)
from ember.ops import (  # noqa: E402
    acos,
    acosh,
    aminmax,
    arctan2,
    argwhere,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bincount,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    broadcast_to,  # noqa: E402
    bucketize,
    copysign,
    cosh,
    count_nonzero,
    cummax,
    cummin,
    cumprod,
    cumsum,
    deg2rad,
    diag,
    diag_embed,
    diagonal,
    div,  # noqa: F811 - the fuller form, with rounding_mode
    einsum,
    erfc,
    erfinv,
    exp2,
    expm1,
    fix,
    flip,
    fliplr,
    flipud,
    float_power,
    floor_divide,
    fmod,
    frac,
    histc,
    hypot,
    index_add,
    index_fill,
    index_select,
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
    logcumsumexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    masked_select,
    meshgrid,
    moveaxis,
    movedim,
    nan_to_num,
    nanmean,
    nansum,
    narrow,
    nonzero,
    rad2deg,
    reciprocal,
    remainder,
    repeat_interleave,
    roll,
    rsqrt,
    scatter,
    scatter_add,
    scatter_reduce,
    searchsorted,
    sgn,
    signbit,
    sinc,
    sinh,
    square,
    std_mean,
    take,
    take_along_dim,
    tan,
    tril,
    triu,
    true_divide,
    trunc,
    unflatten,
    unique,
    unique_consecutive,
    var_mean,
    xlogy,
)
from ember.ops import erf_op as erf  # noqa: E402

# ``out=`` on the functions tutorials call with it (see ember/ops/out_arg.py).
from ember.ops.out_arg import with_out as _with_out  # noqa: E402

for _name in ("add", "sub", "mul", "div", "matmul", "mm", "bmm", "dot", "pow", "exp", "log",
              "sqrt", "abs", "neg", "sin", "cos", "tanh", "sigmoid", "clamp", "maximum",
              "minimum", "cat", "stack", "cumsum", "sum", "mean", "prod", "remainder", "fmod",
              "atan2", "einsum", "where"):
    globals()[_name] = _with_out(_name)
del _name

from ember.ops import (  # noqa: E402
    absolute,
    addbmm,
    addcdiv,
    addcmul,
    addmm,
    addmv,
    addr,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    baddbmm,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    cdist,
    clamp_max,
    clamp_min,
    column_stack,
    corrcoef,
    cov,
    cross,
    diff,
    dist,
    divide,
    dstack,
    ger,
    heaviside,
    hstack,
    inner,
    isin,
    kron,
    kthvalue,
    logit,
    logspace,
    msort,
    multiply,
    mv,
    nanquantile,
    negative,
    numel,
    outer,
    positive,
    quantile,
    rot90,
    round,  # noqa: F811 - rebound: with decimals=
    row_stack,
    rsub,
    select,
    subtract,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    trace,
    vdot,
    vstack,
)
from ember.type_info import (  # noqa: E402
    can_cast,
    finfo,
    iinfo,
    is_floating_point,
    is_nonzero,
    promote_types,
    result_type,
)

# PyTorch's numeric constants (torch.nan, torch.inf, torch.pi, torch.e); written out because
# ``float`` is ember.float32 in this module.
nan = 0.0 * 1e309  # inf * 0
inf = 1e309
pi = 3.141592653589793
e = 2.718281828459045

from ember import special  # noqa: E402
from ember.ops import (  # noqa: E402
    chain_matmul,
    cumulative_trapezoid,
    diagflat,
    digamma,
    dsplit,
    fmax,
    fmin,
    gcd,
    hsplit,
    i0,
    index_copy,
    index_put,
    lcm,
    ldexp,
    lgamma,
    masked_scatter,
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

# Aliases of ops already traced under their PyTorch names (asin, ne, gt, ...): bound here only,
# so that the ONNX trace, which names an op by its first name in ember.ops, keeps those names.
from ember.ops.surface_extra import (  # noqa: E402
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    greater,
    greater_equal,
    less,
    less_equal,
    not_equal,
)
from ember.tensor_types import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
