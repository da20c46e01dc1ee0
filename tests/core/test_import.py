"""``import ember`` alone gives the whole namespace PyTorch code reaches through ``torch.``, and
stays light: the subpackages and the optional heavy libraries load only when something needs them.
"""

import subprocess
import sys


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


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


def test_import_loads_no_optional_library_nor_the_heavy_subpackages():
    out = _fresh("import sys, ember\n"
                 "print(sorted(m for m in ('mpi4py', 'onnx', 'h5py', 'tensorboard',"
                 " 'torch.utils.tensorboard', 'graphviz', 'matplotlib', 'PIL', 'sklearn',"
                 " 'tensorflow', 'torch', 'multiprocessing', 'concurrent.futures',"
                 " 'numpy.random', 'ember.keras', 'ember.datasets', 'ember.nn', 'ember.optim',"
                 " 'ember.utils', 'ember.serialization', 'ember.autograd.functional',"
                 " 'ember.vision') if m in sys.modules))")
    assert out == "[]"


def test_the_lazy_names_resolve_on_first_use():
    out = _fresh("import ember\n"
                 "print(ember.nn.Linear.__name__, ember.optim.Adam.__name__,\n"
                 "      ember.optim.lr_scheduler.StepLR.__name__,\n"
                 "      ember.utils.data.DataLoader.__name__, ember.autograd.grad.__name__,\n"
                 "      ember.autograd.functional.jacobian.__name__, ember.save.__name__,\n"
                 "      ember.load.__name__, ember.ModelFileError.__name__,\n"
                 "      ember.vision.__name__)")
    assert out == ("Linear Adam StepLR DataLoader grad jacobian save load ModelFileError "
                   "ember.vision")


def test_the_import_forms_pytorch_code_uses_all_work():
    out = _fresh("import ember.nn as nn\n"
                 "from ember import nn as nn2, optim, save\n"
                 "from ember.autograd import grad, functional\n"
                 "from ember.utils.data import DataLoader\n"
                 "import ember\n"
                 "print(nn is nn2 is ember.nn, optim is ember.optim, save is ember.save,\n"
                 "      grad is ember.autograd.grad, functional is ember.autograd.functional,\n"
                 "      DataLoader is ember.utils.data.DataLoader)")
    assert out == "True True True True True True"


def test_dir_lists_the_lazy_names_for_tab_completion():
    out = _fresh("import sys, ember\n"
                 "names = dir(ember)\n"
                 "print(all(n in names for n in ('nn', 'optim', 'utils', 'save', 'load',"
                 " 'keras', 'tensor', 'Tensor')), 'grad' in dir(ember.autograd),\n"
                 "      'ember.nn' in sys.modules)")
    assert out == "True True False"


def test_a_seeded_draw_does_not_depend_on_when_numpy_random_loads():
    out = _fresh("import ember\n"
                 "ember.manual_seed(0)\n"
                 "a = ember.rand(3).tolist()\n"
                 "g = ember.Generator().manual_seed(0)\n"
                 "print(a == ember.rand(3, generator=g).tolist(),\n"
                 "      ember.initial_seed(), type(ember.get_rng_state()).__name__)")
    assert out == "True 0 dict"


def test_unknown_attributes_still_raise_attribute_error():
    out = _fresh("import ember\n"
                 "for module in (ember, ember.autograd):\n"
                 "    try:\n        module.no_such_thing\n"
                 "    except AttributeError as e:\n        print(e)")
    assert out.splitlines() == ["module 'ember' has no attribute 'no_such_thing'",
                                "module 'ember.autograd' has no attribute 'no_such_thing'"]


def test_autograd_gradcheck_stays_the_function_whatever_loads_first():
    # the function shares its name with its module: loading the module must not shadow it
    out = _fresh("import ember\n"
                 "ember.autograd.functional.jacobian\n"
                 "from ember.autograd import gradcheck\n"
                 "print(callable(gradcheck), callable(ember.autograd.gradcheck))")
    assert out == "True True"


def test_a_model_and_its_optimizer_load_neither_the_dataloader_nor_file_io():
    out = _fresh("import sys, ember, ember.nn, ember.optim\n"
                 "model = ember.nn.Linear(2, 1)\n"
                 "ember.optim.SGD(model.parameters(), lr=0.1)\n"
                 "print(sorted(m for m in ('ember.utils.data', 'ember.serialization',"
                 " 'ember.optim.lr_scheduler', 'multiprocessing', 'json', 'tempfile')"
                 " if m in sys.modules))")
    assert out == "[]"


def test_a_state_dict_mismatch_still_raises_state_dict_error():
    out = _fresh("import ember\n"
                 "try:\n    ember.nn.Linear(2, 1).load_state_dict({})\n"
                 "except ember.StateDictError as e:\n"
                 "    print(type(e).__name__, 'weight' in str(e))")
    assert out == "StateDictError True"
