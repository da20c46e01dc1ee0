"""Adam: per-coordinate steps from bias-corrected running moments of the gradient."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember.optim.optimizer import Optimizer, ParamsT, check_non_negative


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's update rule, with optional AMSGrad.

    ``m = beta1 * m + (1 - beta1) * g``, ``v = beta2 * v + (1 - beta2) * g * g`` and
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``, where ``g`` includes
    the L2 term ``weight_decay * p`` (AdamW decays ``p`` directly instead). With ``amsgrad`` the
    running maximum of ``v`` replaces ``v`` in the denominator.

    >>> opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    """

    _decoupled_weight_decay = False

    _elementwise_update = True

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["eps"], "epsilon value")
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} "
                                 f"(expected 0 <= beta < 1)")
        check_non_negative(group["weight_decay"], "weight_decay value")

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        beta1, beta2 = group["betas"]
        return (group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                group["amsgrad"], group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        lr, beta1, beta2, eps, weight_decay, amsgrad, maximize = hyper
        step = state["step"] = state["step"] + 1
        if self._decoupled_weight_decay:
            if weight_decay != 0:
                param *= 1 - lr * weight_decay
            if maximize:
                grad = np.negative(grad, out=self._workspace(param))
        else:
            grad = self._effective_grad(param, grad, weight_decay, maximize)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        tmp = self._workspace(param, 1)

        # m += (1 - beta1) * (g - m), PyTorch's lerp; v = beta2 * v + (1 - beta2) * g * g
        np.subtract(grad, exp_avg, out=tmp)
        tmp *= 1 - beta1
        exp_avg += tmp
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - beta2
        exp_avg_sq *= beta2
        exp_avg_sq += tmp

        second_moment = exp_avg_sq
        if amsgrad:
            second_moment = np.maximum(state["max_exp_avg_sq"], exp_avg_sq,
                                       out=state["max_exp_avg_sq"])
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(second_moment, out=tmp)
        denom /= math.sqrt(1 - beta2**step)
        denom += eps
        update = np.divide(exp_avg, denom, out=tmp)
        update *= -step_size
        param += update
