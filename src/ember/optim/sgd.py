"""Stochastic gradient descent, with optional (Nesterov) momentum, dampening and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.optim.optimizer import Optimizer, ParamsT, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule.

    With ``g = grad + weight_decay * p`` (negated first when ``maximize``): the momentum buffer is
    ``b = g`` on the first step, then ``b = momentum * b + (1 - dampening) * g``; the step uses
    ``g + momentum * b`` (Nesterov) or ``b``; ``p -= lr * step``.

    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    _elementwise_update = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening, got "
                f"momentum={group['momentum']} and dampening={group['dampening']}"
            )

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        return (group["lr"], group["momentum"], group["dampening"], group["weight_decay"],
                group["nesterov"], group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        lr, momentum, dampening, weight_decay, nesterov, maximize = hyper
        d = self._effective_grad(param, grad, weight_decay, maximize)
        if momentum != 0:
            buf = state["momentum_buffer"]
            if buf is None:
                buf = state["momentum_buffer"] = d.copy()
            else:
                buf *= momentum
                if dampening != 0:
                    buf += np.multiply(d, 1 - dampening, out=self._workspace(param, 1))
                else:
                    buf += d
            if nesterov:
                look_ahead = np.multiply(buf, momentum, out=self._workspace(param, 1))
                look_ahead += d
                d = look_ahead
            else:
                d = buf
        param += np.multiply(d, -lr, out=self._workspace(param, 1))
