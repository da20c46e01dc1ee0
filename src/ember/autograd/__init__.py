"""Reverse-mode automatic differentiation: the engine, grad modes, custom Functions, gradcheck."""

from ember.autograd import functional  # noqa: E402 - jacobian, hessian, vjp
from ember.autograd.function import Function, FunctionCtx
from ember.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ember.autograd.gradcheck import GradcheckError, grad, gradcheck

__all__ = ["Function", "FunctionCtx", "GradcheckError", "enable_grad", "functional", "grad",
           "gradcheck",
           "is_grad_enabled", "no_grad", "set_grad_enabled"]

from ember.autograd.variable import Variable  # noqa: E402 - issue 12: PyTorch's legacy alias

__all__ += ["Variable"]
