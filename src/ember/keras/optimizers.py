"""Keras optimizers: Keras's names and defaults over ``ember.optim``'s update rules.

A Keras optimizer is created before the model has weights, so it keeps its configuration and
builds the ``ember.optim`` optimizer on the model's parameters at the first training step.
Each update is Keras's: clip the gradients, decay the weights (decoupled:
``w -= learning_rate * weight_decay * w``, before the rule, for every optimizer), apply the
rule, then project constrained weights back (``kernel_constraint=``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ember import optim
from ember.autograd.grad_mode import no_grad
from ember.keras._registry import Registry
from ember.keras.variables import KerasWeight, apply_constraints
from ember.tensor import Tensor

_OPTIMIZERS = Registry("optimizer")


class Optimizer:
    """Base class. ``learning_rate`` may be read and assigned at any time (callbacks do)."""

    def __init__(self, learning_rate: float = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None
                 = None, name: str | None = None, **kwargs: Any) -> None:
        if "lr" in kwargs:  # Keras 2 spelling
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        for argument, value in (("use_ema", use_ema),
                                ("ema_overwrite_frequency", ema_overwrite_frequency),
                                ("loss_scale_factor", loss_scale_factor),
                                ("gradient_accumulation_steps", gradient_accumulation_steps)):
            if value:
                raise NotImplementedError(f"{type(self).__name__}: {argument}= is not supported")
        if weight_decay is not None and not weight_decay >= 0:
            raise ValueError(f"{type(self).__name__}: weight_decay must be >= 0, got "
                             f"{weight_decay}")
        if not learning_rate > 0 and not callable(learning_rate):
            raise ValueError(f"{type(self).__name__}: learning_rate must be positive, got "
                             f"{learning_rate}")
        self._learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.inner: optim.Optimizer | None = None  # None too when nothing is trainable
        self.built = False
        self.iterations = 0

    # -------------------------------------------------------------- what subclasses provide
    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        raise NotImplementedError

    def _config(self) -> dict[str, Any]:
        return {}

    # -------------------------------------------------------------- training
    @property
    def learning_rate(self) -> float:
        if self.inner is not None:
            return float(self.inner.param_groups[0]["lr"])
        return float(self._current_schedule_lr())

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = float(value)
        if self.inner is not None:
            for group in self.inner.param_groups:
                group["lr"] = float(value)

    lr = learning_rate

    def _current_schedule_lr(self) -> float:
        if callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return float(self._learning_rate)

    def build(self, params: Iterable[Tensor]) -> None:
        trainable = [p for p in params if p.requires_grad]
        # A model with every layer frozen still fits (Keras allows it): steps then change nothing.
        self.inner = self._make(trainable, self._current_schedule_lr()) if trainable else None
        self.built = True

    def zero_grad(self) -> None:
        if self.inner is not None:
            self.inner.zero_grad(set_to_none=True)

    def step(self) -> None:
        """Apply one update with the gradients already in ``.grad``."""
        if not self.built:
            raise RuntimeError(f"{type(self).__name__}: build() it on the model's weights (or "
                               "call apply(grads, weights)) before step()")
        if self.inner is None:
            self.iterations += 1
            return
        if callable(self._learning_rate):
            for group in self.inner.param_groups:
                group["lr"] = self._current_schedule_lr()
        self._clip()
        params = [p for g in self.inner.param_groups for p in g["params"]]
        if self.weight_decay:
            self._decay([p for p in params if p.grad is not None])
        self.inner.step()
        apply_constraints(params)
        self.iterations += 1

    def _decay(self, params: list[Tensor]) -> None:
        """Keras's decoupled weight decay: ``w -= learning_rate * weight_decay * w``."""
        factor = 1.0 - float(self.inner.param_groups[0]["lr"]) * float(self.weight_decay)
        with no_grad():
            for param in params:
                param.mul_(factor)

    def apply(self, grads: list[Any], trainable_variables: list[Any] | None = None) -> None:
        """Update ``trainable_variables`` (weights from ``model.trainable_weights``, or tensors)
        with ``grads``, as Keras's ``optimizer.apply``; other weights are left alone."""
        if trainable_variables is None:
            if not self.built or self.inner is None:
                raise ValueError("apply: pass trainable_variables the first time")
            tensors = [p for g in self.inner.param_groups for p in g["params"]]
        else:
            tensors = [v.value if isinstance(v, KerasWeight) else v for v in trainable_variables]
        if len(grads) != len(tensors):
            raise ValueError(f"apply: {len(grads)} gradients for {len(tensors)} variables")
        if not self.built:
            self.build(tensors)
        for tensor, grad in zip(tensors, grads):
            if grad is not None and grad is not tensor.grad:
                tensor.grad = grad if isinstance(grad, Tensor) else Tensor._wrap(
                    np.asarray(grad, dtype=tensor._data.dtype))
        chosen = {id(t) for t in tensors}
        held = {}
        if self.inner is not None:
            for param in (p for g in self.inner.param_groups for p in g["params"]):
                if id(param) not in chosen and param.grad is not None:
                    held[id(param)] = (param, param.grad)
                    param.grad = None
        try:
            self.step()
        finally:
            for param, grad in held.values():
                param.grad = grad

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """``apply`` from ``[(grad, variable), ...]``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _clip(self) -> None:
        if not (self.clipvalue or self.clipnorm or self.global_clipnorm):
            return
        grads = [p.grad._data for g in self.inner.param_groups for p in g["params"]
                 if p.grad is not None]
        if self.clipvalue:
            for grad in grads:
                np.clip(grad, -self.clipvalue, self.clipvalue, out=grad)
        if self.clipnorm:
            for grad in grads:
                norm = float(np.sqrt(np.sum(grad * grad)))
                if norm > self.clipnorm:
                    grad *= self.clipnorm / norm
        if self.global_clipnorm:
            total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            if total > self.global_clipnorm:
                for grad in grads:
                    grad *= self.global_clipnorm / total

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"iterations": self.iterations,
                                 "inner": self.inner.state_dict() if self.inner is not None
                                 else None}
        if not callable(self._learning_rate):  # a callback may have changed it since compile
            state["learning_rate"] = float(self._learning_rate)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.iterations = int(state.get("iterations", 0))
        if "learning_rate" in state and not callable(self._learning_rate):
            self.learning_rate = float(state["learning_rate"])
        if state.get("inner") is not None and self.inner is not None:
            self.inner.load_state_dict(state["inner"])

    def get_config(self) -> dict[str, Any]:
        lr = self._learning_rate
        return {"name": self.name, "learning_rate": lr if not callable(lr) else float(lr(0)),
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm,
                **self._config()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        return cls(**config)


@_OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum, self.nesterov = momentum, nesterov

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.SGD(params, lr=lr, momentum=self.momentum, nesterov=self.nesterov)

    def _config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


@_OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.RMSprop(params, lr=lr, alpha=self.rho, eps=self.epsilon,
                             momentum=self.momentum, centered=self.centered)

    def _config(self) -> dict[str, Any]:
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


@_OPTIMIZERS.register("adam")
class Adam(Optimizer):
    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.Adam(params, lr=lr, betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                          amsgrad=self.amsgrad)

    def _config(self) -> dict[str, Any]:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


@_OPTIMIZERS.register("adamw")
class AdamW(Adam):
    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.Adam(params, lr=lr, betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                           amsgrad=self.amsgrad)


@_OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    def __init__(self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.Adagrad(params, lr=lr, eps=self.epsilon,
                             initial_accumulator_value=self.initial_accumulator_value)

    def _config(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@_OPTIMIZERS.register("adadelta")
class Adadelta(Optimizer):
    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _make(self, params: list[Tensor], lr: float) -> optim.Optimizer:
        return optim.Adadelta(params, lr=lr, rho=self.rho, eps=self.epsilon)

    def _config(self) -> dict[str, Any]:
        return {"rho": self.rho, "epsilon": self.epsilon}


def get(identifier: Any) -> Optimizer:
    """An optimizer from its name (Keras's defaults), a config dict, or an instance."""
    return _OPTIMIZERS.get(identifier, Optimizer)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    return _OPTIMIZERS.serialize(optimizer)


def names() -> list[str]:
    return _OPTIMIZERS.names()
