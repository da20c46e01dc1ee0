"""torchvision as a test oracle, imported per test (skipped where it is missing).

The PyPI torchvision wheel links its C++ operators (nms, roi_align, ...) against a CUDA
build of torch; next to the CPU build they fail to load and torchvision's import stops at
registering their meta kernels. The transforms and data sets compared here are pure Python,
so that one module is stubbed when torchvision cannot import otherwise.
"""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any

import numpy as np
import pytest


def torchvision() -> Any:
    """The torchvision module, or a pytest skip."""
    pytest.importorskip("torch")
    try:
        import torchvision as tv
    except RuntimeError:
        sys.modules.setdefault("torchvision._meta_registrations",
                               types.ModuleType("torchvision._meta_registrations"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                import torchvision as tv
            except Exception as exc:  # noqa: BLE001 - any import failure means no oracle
                pytest.skip(f"torchvision does not import here: {exc}")
    except ImportError:
        pytest.skip("torchvision is not installed")
    return tv


def as_numpy(value: Any) -> np.ndarray:
    """Pixels of a PIL image, a torch tensor or an ember Tensor."""
    if hasattr(value, "detach"):
        return value.detach().numpy()
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(value)
