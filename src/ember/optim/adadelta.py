"""Adadelta: steps whose size comes from running averages of squared gradients and updates."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.optim.optimizer import Optimizer, ParamsT, check_non_negative


class Adadelta(Optimizer):
    """Adadelta (Zeiler), PyTorch's update rule.

    ``v = rho * v + (1 - rho) * g * g``, ``d = sqrt(u + eps) / sqrt(v + eps) * g``,
    ``u = rho * u + (1 - rho) * d * d`` and ``p -= lr * d``.

    >>> opt = ember.optim.Adadelta(model.parameters())
    """

    _elementwise_update = True

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']} (expected 0 <= rho <= 1)")
        check_non_negative(group["eps"], "epsilon value")
        check_non_negative(group["weight_decay"], "weight_decay value")

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        return group["lr"], group["rho"], group["eps"], group["weight_decay"], group["maximize"]

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        lr, rho, eps, weight_decay, maximize = hyper
        state["step"] += 1
        grad = self._effective_grad(param, grad, weight_decay, maximize)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        tmp = self._workspace(param, 1)
        delta = self._workspace(param, 2)

        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - rho
        square_avg *= rho
        square_avg += tmp
        std = np.add(square_avg, eps, out=tmp)
        np.sqrt(std, out=std)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        np.multiply(delta, delta, out=tmp)
        tmp *= 1 - rho
        acc_delta *= rho
        acc_delta += tmp
        delta *= -lr
        param += delta
