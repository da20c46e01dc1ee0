"""``import ember`` alone gives the whole namespace PyTorch code reaches through ``torch.``, and
stays light: the optional heavy libraries load only when something needs them."""

import subprocess
import sys


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_submodules_are_reachable_as_attributes_after_a_plain_import():
    out = _fresh("import ember as torch\n"
                 "layer = torch.nn.Linear(3, 2)\n"
                 "y = torch.nn.functional.relu(layer(torch.ones(1, 3)))\n"
                 "torch.nn.init.zeros_(layer.bias)\n"
                 "opt = torch.optim.SGD(layer.parameters(), lr=0.1)\n"
                 "loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(y), 1)\n"
                 "print(tuple(y.shape), torch.keras.Sequential.__name__,\n"
                 "      torch.datasets.__name__, torch.models.__name__)")
    assert out == "(1, 2) Sequential ember.datasets ember.models"


def test_import_loads_neither_keras_nor_the_optional_libraries():
    out = _fresh("import sys, ember\n"
                 "print(sorted(m for m in ('ember.keras', 'ember.datasets', 'matplotlib', 'PIL',"
                 " 'sklearn', 'tensorflow', 'torch') if m in sys.modules))")
    assert out == "[]"


def test_unknown_attributes_still_raise_attribute_error():
    out = _fresh("import ember\n"
                 "try:\n    ember.no_such_thing\nexcept AttributeError as e:\n    print(e)")
    assert out == "module 'ember' has no attribute 'no_such_thing'"
