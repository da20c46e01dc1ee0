"""What every checker shares: run the learner's function, compare, name the mistake, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ember.tensor import Tensor

# (what the mistake is, a function making that mistake): when the learner's answer matches one of
# these instead of the right one, the report names it.
Mistakes = Sequence[tuple[str, Callable[..., Any]]]


def as_array(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    if isinstance(value, (list, tuple)):
        return np.asarray([as_array(v) for v in value], dtype=object) if any(
            isinstance(v, Tensor) for v in value) else np.asarray(value)
    return np.asarray(value)


def _close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return False
    try:
        return bool(np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                                atol=atol, equal_nan=True))
    except (TypeError, ValueError):
        return False


def check_case(title: str, learner: Callable[..., Any], right: Callable[..., Any],
               mistakes: Mistakes, args: tuple[Any, ...], to_learner: Callable[[Any], Any],
               rtol: float = 1e-4, atol: float = 1e-6, out: Any = print) -> bool:
    """Run one case; print a diagnosis if the answer is wrong. ``args`` are NumPy arrays."""
    want = as_array(right(*args))
    try:
        with np.errstate(all="ignore"):  # overflow is reported below, in words
            got = as_array(learner(*[to_learner(a) for a in args]))
    except Exception as exc:  # the learner's code: any error is something to report
        out(f"{title}: your function raised {type(exc).__name__}: {exc}")
        return False
    if _close(got, want, rtol, atol):
        return True
    out(f"{title}: not yet right.")
    out(f"  expected (shape {tuple(want.shape)}): {_show(want)}")
    out(f"  got      (shape {tuple(got.shape)}): {_show(got)}")
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
        out("  it contains nan or inf where the right answer is finite.")
    for description, wrong in mistakes:
        try:
            with np.errstate(all="ignore"):
                simulated = as_array(wrong(*args))
            if _close(got, simulated, rtol, atol):
                out(f"  this looks like: {description}")
                break
        except Exception:  # noqa: S112 - a simulated mistake that does not apply to this case
            continue
    else:
        if got.shape != want.shape:
            out("  the shape differs: check which axis you reduce over and what you return.")
    return False


def _show(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array), precision=4, threshold=12, edgeitems=3,
                           suppress_small=True).replace("\n", "")


def run_checks(name: str, results: list[bool], out: Any = print) -> bool:
    ok = all(results)
    out(f"{name}: {'all checks passed' if ok else 'see above'}")
    return ok


def to_tensor(array: Any) -> Any:
    return Tensor(np.asarray(array)) if isinstance(array, np.ndarray) else array
