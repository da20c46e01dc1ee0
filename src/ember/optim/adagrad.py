"""Adagrad: per-coordinate steps shrinking with the sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.optim.optimizer import Optimizer, ParamsT, check_non_negative


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), PyTorch's update rule.

    ``s += g * g`` (``s`` starts at ``initial_accumulator_value``) and
    ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``.

    >>> opt = ember.optim.Adagrad(model.parameters(), lr=1e-2)
    """

    _elementwise_update = True

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["lr_decay"], "lr_decay value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        check_non_negative(group["initial_accumulator_value"],
                           "initial_accumulator_value value")
        check_non_negative(group["eps"], "epsilon value")

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        return (group["lr"], group["lr_decay"], group["weight_decay"], group["eps"],
                group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        lr, lr_decay, weight_decay, eps, maximize = hyper
        step = state["step"] = state["step"] + 1
        grad = self._effective_grad(param, grad, weight_decay, maximize)
        clr = lr / (1 + (step - 1) * lr_decay)
        total = state["sum"]
        tmp = self._workspace(param, 1)
        total += np.multiply(grad, grad, out=tmp)
        denom = np.sqrt(total, out=tmp)
        denom += eps
        update = np.divide(grad, denom, out=tmp)
        update *= -clr
        param += update
