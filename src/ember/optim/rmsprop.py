"""RMSprop: steps scaled by a running root-mean-square of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.optim.optimizer import Optimizer, ParamsT, check_non_negative


class RMSprop(Optimizer):
    """RMSprop (Hinton), PyTorch's update rule.

    ``v = alpha * v + (1 - alpha) * g * g``; the denominator is ``sqrt(v) + eps``, or with
    ``centered`` ``sqrt(v - gbar**2) + eps`` where ``gbar`` averages ``g`` the same way. Then
    ``b = momentum * b + g / denom; p -= lr * b`` (or ``p -= lr * g / denom`` without momentum).

    >>> opt = ember.optim.RMSprop(model.parameters(), lr=1e-2, momentum=0.9)
    """

    _elementwise_update = True

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["eps"], "epsilon value")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        check_non_negative(group["alpha"], "alpha value")

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0, "square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        return (group["lr"], group["alpha"], group["eps"], group["weight_decay"],
                group["momentum"], group["centered"], group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        lr, alpha, eps, weight_decay, momentum, centered, maximize = hyper
        state["step"] += 1
        grad = self._effective_grad(param, grad, weight_decay, maximize)
        square_avg = state["square_avg"]
        tmp = self._workspace(param, 1)

        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - alpha
        square_avg *= alpha
        square_avg += tmp
        if centered:
            grad_avg = state["grad_avg"]
            np.subtract(grad, grad_avg, out=tmp)  # gbar += (1 - alpha) * (g - gbar)
            tmp *= 1 - alpha
            grad_avg += tmp
            np.multiply(grad_avg, grad_avg, out=tmp)
            np.subtract(square_avg, tmp, out=tmp)
            denom = np.sqrt(tmp, out=tmp)
        else:
            denom = np.sqrt(square_avg, out=tmp)
        denom += eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += np.divide(grad, denom, out=tmp)
            param += np.multiply(buf, -lr, out=tmp)
        else:
            update = np.divide(grad, denom, out=tmp)
            update *= -lr
            param += update
