"""The ``Optimizer`` base class: parameter groups, per-parameter state, ``zero_grad`` and ``step``.

A subclass supplies only its update rule, as three small methods:

- ``_init_state(param, group)``: the state dict of a parameter seen for the first time;
- ``_hyperparameters(group)``: the group's hyper-parameters as a tuple, read once per group per step
  so the per-parameter loop does no dict lookups for them;
- ``_update(param, grad, state, hyper)``: change ``param`` (an ndarray) in place from ``grad``.

Updates work on the NumPy arrays directly, outside the autograd graph, with ``out=`` operations
that keep the parameter's dtype and reuse scratch arrays (``_workspace``) instead of allocating.
A rule that is purely element-wise declares ``_elementwise_update = True``; the base class then
runs it on cache-sized blocks of a large parameter, on several threads if asked (see
``ember/_parallel.py``), with the same result as one call on the whole array.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ember import _parallel
from ember._fpenv import flush_denormals
from ember.autograd.grad_mode import enable_grad
from ember.tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class _RequiredParameter:
    """Marks a hyper-parameter that has no default and must be given (``lr`` of a bare SGD)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_SET_MESSAGE = ("optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets changes between runs; use a list instead")


def check_non_negative(value: float, description: str) -> None:
    """Raise ``ValueError("Invalid <description>: <value>")`` unless ``value >= 0``."""
    if not value >= 0.0:
        raise ValueError(f"Invalid {description}: {value} (expected a number >= 0)")


class Optimizer:
    """Base class of every optimizer: owns ``param_groups`` and the per-parameter ``state``.

    ``params`` is an iterable of tensors, or of dicts (``{"params": [...], "lr": 0.1}``) to give
    groups their own hyper-parameters; options a group leaves out come from ``defaults``.

    >>> opt = ember.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    # True when ``_update`` treats each element on its own (no norms, no sums over the array),
    # so it may be run on separate blocks of a parameter: see ``_update_in_blocks``.
    _elementwise_update = False

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params should be an iterable of Tensors or dicts, but got a single Tensor; "
                "wrap it in a list: [tensor]"
            )
        if isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._workspaces: dict[tuple[Any, ...], np.ndarray] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (missing ones from defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry (the tensors to optimize)")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (it was computed by an op); "
                                 "optimize the leaf it came from, or detach() it")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same tensor more than once")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Reject bad hyper-parameters with a ``ValueError`` (once, when the group is added)."""

    # ------------------------------------------------------------------ the update loop
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: drop them (``None``, the default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad  # the engine's own slot: these are known to be well-formed
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                elif grad._data.flags.writeable and grad._node is None:
                    grad._data.fill(0)
                else:
                    p.grad = Tensor._wrap(np.zeros_like(grad._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``; returns ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with grad enabled).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state = self.state
        update = self._update
        blockwise = self._elementwise_update  # see _update_in_blocks
        with flush_denormals():  # subnormal state is slow and changes nothing: see _fpenv.py
            for group in self.param_groups:
                hyper = self._hyperparameters(group)
                for p in group["params"]:
                    grad = p._grad
                    if grad is None:
                        continue
                    param_state = state.get(p)
                    if param_state is None:
                        param_state = state[p] = self._init_state(p._data, group)
                    if not (blockwise and p._data.size >= 2 * _parallel.BLOCK
                            and self._update_in_blocks(p._data, grad._data, param_state, hyper)):
                        update(p._data, grad._data, param_state, hyper)
                    p._vc[0] += 1  # the version counter, without the property's two calls
        return loss

    def _update_in_blocks(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                          hyper: tuple[Any, ...]) -> bool:
        """Run the element-wise ``_update`` on blocks of the flattened arrays (in threads if set).

        Each block gets a state dict of views into the parameter-shaped state arrays and its own
        copy of the other entries (step counters, SGD's not-yet-made momentum buffer); those are
        written back once, so a counter advances once per step and a buffer the rule creates is
        assembled from its blocks. Returns False, having done nothing, when the arrays can't be
        cut into views (not contiguous) or the state holds anything else: the caller then
        updates the whole array.
        """
        if not (param.flags.c_contiguous and grad.flags.c_contiguous
                and grad.shape == param.shape):
            return False
        arrays: dict[str, np.ndarray] = {}
        others: dict[str, Any] = {}
        for key, value in state.items():
            if isinstance(value, np.ndarray) and value.shape == param.shape:
                if not value.flags.c_contiguous:
                    return False
                arrays[key] = value.reshape(-1)
            elif value is None or isinstance(value, (int, float, np.number)) or (
                    isinstance(value, np.ndarray) and value.ndim == 0):
                others[key] = value
            else:
                return False
        flat_param, flat_grad = param.reshape(-1), grad.reshape(-1)
        update, block = self._update, _parallel.BLOCK
        views: list[dict[str, Any]] = [{} for _ in range(0, param.size, block)]

        def work(start: int, stop: int) -> None:
            with flush_denormals():  # each thread has its own floating-point mode
                for lo in range(start, stop, block):
                    hi = min(lo + block, stop)
                    view = views[lo // block]
                    view.update((k, v.copy() if isinstance(v, np.ndarray) else v)
                                for k, v in others.items())
                    view.update((k, v[lo:hi]) for k, v in arrays.items())
                    update(flat_param[lo:hi], flat_grad[lo:hi], view, hyper)

        _parallel.run([lambda a=a, b=b: work(a, b) for a, b in _parallel.split(param.size)])
        for key in views[0].keys() - arrays.keys():
            value = views[0][key]
            if isinstance(value, np.ndarray) and value.shape == (block,):  # made by the rule
                value = np.concatenate([view[key] for view in views]).reshape(param.shape)
            state[key] = value
        return True

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _hyperparameters(self, group: dict[str, Any]) -> tuple[Any, ...]:
        raise NotImplementedError

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                hyper: tuple[Any, ...]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define its update rule")

    # ------------------------------------------------------------------ helpers for rules
    def _workspace(self, like: np.ndarray, slot: int = 0) -> np.ndarray:
        """A scratch array shaped like ``like``, reused across steps (and parameters of that shape).

        Slot 0 is taken by ``_effective_grad``; update rules use slots 1 and up. Each thread has
        its own, as blocks of one parameter are updated in several threads at once.
        """
        key = (like.shape, like.dtype, slot, threading.get_ident())
        buffer = self._workspaces.get(key)
        if buffer is None:
            buffer = self._workspaces[key] = np.empty_like(like)
        return buffer

    def _effective_grad(self, param: np.ndarray, grad: np.ndarray, weight_decay: float,
                        maximize: bool) -> np.ndarray:
        """``(-grad if maximize else grad) + weight_decay * param``, without touching ``grad``."""
        if weight_decay != 0:
            out = np.multiply(param, weight_decay, out=self._workspace(param))
            if maximize:
                out -= grad
            else:
                out += grad
            return out
        if maximize:
            return np.negative(grad, out=self._workspace(param))
        return grad

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, with parameters replaced by indices.

        ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [indices]}]}``;
        array state is copied into new tensors, so later steps do not change the checkpoint.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: _export(v) for k, v in param_state.items()}
            for p, param_state in self.state.items()
            if id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (from an optimizer over same-shaped params)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, but "
                             f"this optimizer has {len(self.param_groups)}")
        param_of: dict[int, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict's parameter group {i} has {len(saved['params'])} "
                    f"parameters, but this optimizer's group {i} has {len(group['params'])}"
                )
            param_of.update(zip((int(k) for k in saved["params"]), group["params"]))
        state: dict[Tensor, dict[str, Any]] = {}
        for key, saved_state in state_dict["state"].items():
            p = param_of.get(int(key))
            if p is None:
                raise ValueError(f"loaded state dict has state for parameter {key}, which no "
                                 f"parameter group lists")
            state[p] = {k: _import(v, p._data, k) for k, v in saved_state.items()}
        self.state = state
        self.param_groups = [
            {**{k: v for k, v in saved.items() if k != "params"}, "params": group["params"]}
            for group, saved in zip(self.param_groups, saved_groups)
        ]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        lines.append(")")
        return "\n".join(lines)


def _export(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return Tensor._wrap(value.copy())
    if isinstance(value, Tensor):
        return Tensor._wrap(value._data.copy())
    return value


def _import(value: Any, param: np.ndarray, name: str) -> Any:
    if isinstance(value, Tensor):
        value = value._data
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim and value.shape != param.shape:
        raise ValueError(f"loaded state {name!r} has shape {value.shape}, but its parameter has "
                         f"shape {param.shape}")
    dtype = param.dtype if value.dtype.kind == "f" else value.dtype
    return np.array(value, dtype=dtype, copy=True)
