"""ember: a readable deep-learning framework on NumPy, with PyTorch's names and semantics.

>>> import ember
>>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> y = (x @ x).sum()
>>> y.backward()
>>> x.grad
tensor([[ 7., 11.],
        [ 9., 13.]])
"""

from ember import autograd, optim, utils
from ember._allocator import tune_malloc
from ember._fpenv import set_flush_denormal
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
from ember.serialization import ModelFileError, StateDictError, load, save
from ember.tensor import Size, Tensor

bool = bool_  # noqa: A001 - PyTorch's name: ember.bool
float = float32  # noqa: A001
int = int32  # noqa: A001

__version__ = "0.1.0"


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


tune_malloc()  # reuse freed activation and gradient buffers: see ember/_allocator.py

# ``import ember as torch`` code writes ``torch.nn.Linear`` and ``torch.nn.functional.relu``
# without importing the submodule: nn is part of the core, imported here. The heavier layers
# (``ember.keras``, ``ember.datasets``, ``ember.models``) load on first use instead.
from ember import nn  # noqa: E402

_LAZY_SUBMODULES = ("keras", "datasets", "models", "cli", "distributed", "onnx", "vision")


def __getattr__(name: str) -> object:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"ember.{name}")
    raise AttributeError(f"module 'ember' has no attribute {name!r}")
