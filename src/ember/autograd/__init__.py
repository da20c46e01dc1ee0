"""Reverse-mode automatic differentiation: the engine, grad modes, custom Functions, gradcheck."""

from ember._lazy import submodule_getattr
from ember.autograd.function import Function, FunctionCtx
from ember.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ember.autograd.gradcheck import GradcheckError, grad, gradcheck
from ember.autograd.variable import Variable  # issue 12: PyTorch's legacy alias

__all__ = ["Function", "FunctionCtx", "GradcheckError", "Variable", "enable_grad", "functional",
           "grad", "gradcheck", "is_grad_enabled", "no_grad", "set_grad_enabled"]


# ``autograd.functional`` (jacobian, hessian, vjp...) loads on first use: a training loop
# calls ``backward()`` and never needs it (see ember/__init__.py).
__getattr__ = submodule_getattr(__name__, ["functional"])


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
