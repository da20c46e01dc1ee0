"""iris and digits through scikit-learn, and the lazy imports of ember.datasets."""

import subprocess
import sys

import numpy as np

from ember.datasets import load_digits, load_iris


def test_import_does_not_load_pillow_or_sklearn():
    code = "import sys, ember.datasets; print('PIL' in sys.modules, 'sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_iris():
    x, y, names = load_iris()
    assert x.shape == (150, 4) and x.dtype == np.float32
    assert y.dtype == np.int64 and list(np.bincount(y)) == [50, 50, 50]
    assert names == ("setosa", "versicolor", "virginica")


def test_digits():
    data = load_digits()
    assert data.x.shape == (1797, 64) and data.x.dtype == np.float32
    assert data.x.min() == 0 and data.x.max() == 16
    assert set(data.y.tolist()) == set(range(10)) and len(data.class_names) == 10
