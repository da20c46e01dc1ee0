"""What ``compile`` builds: the loss over one or several outputs (with ``loss_weights``) and the
compiled metrics (``metrics`` unweighted, ``weighted_metrics`` given the sample weights), as
Keras 3's ``CompileLoss``/``CompileMetrics``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.keras import losses as losses_module
from ember.keras import metrics as metrics_module
from ember.tensor import Tensor


def _per_output(value: Any, names: list[str], what: str, error: type = ValueError) -> list[Any]:
    """A list with one entry per output from a single value, a list or a dict by output name."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise error(f"{what}: unknown output name(s) {unknown}; the model's outputs are "
                        f"{names}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"{what} has {len(value)} entries for a model with "
                             f"{len(names)} outputs")
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == 1 and not what.endswith("metrics"):
        return [value[0]]
    return [value] * len(names)


def flatten_outputs(value: Any, names: list[str], what: str) -> list[Any]:
    """Targets or predictions as one entry per output: a dict by output name (a missing key
    gives None), a list for several outputs, or the one value of a one-output model."""
    if isinstance(value, dict):
        return _per_output(value, names, what)
    return list(value) if len(names) > 1 else [value]


class CompileLoss:
    """``sum_i loss_weight_i * loss_i(y_i, y_pred_i)`` over the model's outputs.

    ``keyed``: the model's outputs are a dict, as Keras's: a dict ``loss`` then computes, sums
    and reports its outputs' losses in its own key order, and an unknown key is a KeyError."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str],
                 keyed: bool = False) -> None:
        self.output_names = output_names
        entries = _per_output(loss, output_names, "compile: loss", KeyError if keyed else
                              ValueError)
        self.losses = [None if entry is None else losses_module.get(entry) for entry in entries]
        if all(entry is None for entry in self.losses):
            raise ValueError("compile: loss is None for every output")
        weights = [1.0] * len(output_names) if loss_weights is None else \
            _per_output(loss_weights, output_names, "compile: loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        order = [output_names.index(key) for key in loss] if keyed and isinstance(loss, dict) \
            else range(len(output_names))
        self.order = [index for index in order if self.losses[index] is not None]
        # Several losses: each output's unweighted loss is reported too ("first_loss", ...).
        self.metrics = [metrics_module.Mean(name=f"{output_names[index]}_loss")
                        for index in self.order] if len(self.order) > 1 else []

    @property
    def single(self) -> losses_module.Loss | None:
        """The loss of a one-output model (what ``model.loss`` shows)."""
        return self.losses[0] if len(self.losses) == 1 else None

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        preds = flatten_outputs(y_pred, self.output_names, "the predictions")
        ys = flatten_outputs(y_true, self.output_names, "the targets (y)")
        if len(ys) != len(preds):
            raise ValueError(f"the model has {len(preds)} outputs but the data gives "
                             f"{len(ys)} targets")
        total = None
        trackers = iter(self.metrics)
        for index in self.order:
            loss, weight, target, pred = self.losses[index], self.weights[index], ys[index], \
                preds[index]
            if target is None:
                raise ValueError(f"no target for output {self.output_names[index]!r}, which "
                                 f"has a loss; the outputs are {self.output_names}")
            value = loss(target, pred, sample_weight)
            tracker = next(trackers, None)
            if tracker is not None:
                tracker.update_state(value.detach(), sample_weight=int(pred.shape[0]))
            if weight != 1.0:
                value = value * weight
            total = value if total is None else total + value
        return total


class CompiledMetrics(list):
    """The metrics given to ``compile``: a list of metrics that can also be updated at once
    (``model.compiled_metrics.update_state(y, y_pred, sample_weight)``)."""

    def __init__(self, metrics: Any, weighted_metrics: Any, output_names: list[str],
                 keyed: bool = False) -> None:
        super().__init__()
        self.output_names = output_names
        self.weighted: set[int] = set()
        self.output_of: dict[int, int] = {}
        taken: set[str] = set()
        for group, weighted in ((metrics, False), (weighted_metrics, True)):
            for index, entries in enumerate(self._by_output(group, output_names, keyed)):
                for entry in entries:
                    metric = metrics_module.get(entry)
                    prefix = f"{output_names[index]}_" if len(output_names) > 1 else ""
                    if prefix and not metric.name.startswith(prefix):
                        metric.name = prefix + metric.name
                    if metric.name in taken:
                        if not weighted:
                            raise ValueError(f"compile: metric {metric.name!r} given twice")
                        metric.name = f"{prefix}weighted_{metric.name[len(prefix):]}"
                    taken.add(metric.name)
                    self.append(metric)
                    self.output_of[id(metric)] = index
                    if weighted:
                        self.weighted.add(id(metric))

    @staticmethod
    def _by_output(group: Any, names: list[str], keyed: bool) -> list[list[Any]]:
        """Each output's metrics. A dict of several outputs (``keyed``) takes, as Keras, a
        dict by output name or a list with one entry per output, in sorted key order."""
        def listed(entry: Any) -> list[Any]:
            return [] if entry is None else (list(entry) if isinstance(entry, (list, tuple))
                                             else [entry])

        if group is None:
            return [[] for _ in names]
        if isinstance(group, dict):
            return [listed(e) for e in _per_output(group, names, "compile: metrics")]
        if keyed and len(names) > 1:
            if not isinstance(group, (list, tuple)) or len(group) != len(names):
                raise ValueError(f"compile: the metrics of a model with a dict of outputs "
                                 f"{names} must be a dict by output name or a list with one "
                                 f"entry per output (in that order); got {group!r}")
            return [listed(e) for e in group]
        entries = list(group) if isinstance(group, (list, tuple)) else [group]
        if len(names) > 1 and len(entries) == len(names) and all(
                e is None or isinstance(e, (list, tuple)) for e in entries):
            return [list(e or []) for e in entries]
        return [entries for _ in names]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        multi = len({self.output_of[id(m)] for m in self}) > 1 or isinstance(y_pred, list)
        if isinstance(y_pred, dict) or isinstance(y_true, dict):
            ys = flatten_outputs(y_true, self.output_names, "the targets (y)")
            preds = flatten_outputs(y_pred, self.output_names, "the predictions")
        else:
            ys = list(y_true) if multi else [y_true]
            preds = list(y_pred) if multi else [y_pred]
        arrays_true = [None if y is None else y.numpy() if isinstance(y, Tensor)
                       else np.asarray(y) for y in ys]
        arrays_pred = [p.detach().numpy() if isinstance(p, Tensor) else np.asarray(p)
                       for p in preds]
        for metric in self:
            index = self.output_of[id(metric)]
            if arrays_true[index] is None:
                raise ValueError(f"no target for output {self.output_names[index]!r}, which "
                                 f"has metrics; the outputs are {self.output_names}")
            weight = sample_weight if id(metric) in self.weighted else None
            metric.update_state(arrays_true[index], arrays_pred[index], weight)

    def reset_state(self) -> None:
        for metric in self:
            metric.reset_state()

    def result(self) -> dict[str, float]:
        return {metric.name: metric.result() for metric in self}
