"""Whole models in PyTorch's file format: ``ember.save(model, path)`` and ``ember.load(path,
weights_only=False)`` for models made of ember's own classes, rebuilt without running code;
every other class or callable a file names is refused (PyTorch is the oracle where installed)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from tests.interop.test_torch_files import _zip_with_pickle

import ember
from ember import nn
from ember.vision import models


def _small_net() -> nn.Sequential:
    ember.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 5), nn.Dropout(0.5))


def _outputs(model, x):
    with ember.no_grad():
        return model(x).numpy()


@pytest.mark.parametrize("build", [_small_net, lambda: models.resnet18(num_classes=7)])
def test_a_saved_model_loads_back_giving_the_same_outputs(tmp_path: Path, build) -> None:
    model = build()
    model.train()
    model(ember.randn(4, 3, 8, 8))  # BN running statistics away from their start
    model.eval()
    ember.save(model, tmp_path / "model.pth")
    loaded = ember.load(tmp_path / "model.pth", weights_only=False)
    assert type(loaded) is type(model) and not loaded.training
    x = ember.randn(2, 3, 8, 8)
    np.testing.assert_array_equal(_outputs(loaded, x), _outputs(model, x))
    assert [name for name, _ in loaded.named_parameters()] == \
        [name for name, _ in model.named_parameters()]
    assert repr(loaded) == repr(model)


def test_a_loaded_model_trains_and_keeps_frozen_and_shared_parameters(tmp_path: Path) -> None:
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.Tanh(), shared, nn.Linear(3, 1))
    model[3].bias.requires_grad = False
    ember.save(model, tmp_path / "tied.pth")
    loaded = ember.load(tmp_path / "tied.pth", weights_only=False)
    assert loaded[0] is loaded[2] and len(list(loaded.parameters())) == 4
    assert not loaded[3].bias.requires_grad
    optimizer = ember.optim.SGD(loaded.parameters(), lr=0.1)
    before = loaded[0].weight.detach().numpy().copy()
    loaded(ember.randn(5, 3)).sum().backward()
    optimizer.step()
    assert not np.array_equal(before, loaded[0].weight.detach().numpy())


def test_weights_only_refuses_a_whole_model_as_pytorch_does(tmp_path: Path) -> None:
    ember.save(_small_net(), tmp_path / "model.pth")
    for weights_only in (True, None):
        with pytest.raises(pickle.UnpicklingError, match="weights_only=False") as caught:
            ember.load(tmp_path / "model.pth", weights_only=weights_only)
        assert isinstance(caught.value, ember.ModelFileError)
        assert "ember.nn.modules.container.Sequential" in str(caught.value)


def test_pytorch_refuses_both_whole_model_files_the_same_way(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    ember.save(_small_net(), tmp_path / "ours.pth")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "ours.pth", weights_only=True)
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), tmp_path / "theirs.pth")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "theirs.pth")
    assert isinstance(torch.load(tmp_path / "theirs.pth", weights_only=False),
                      torch.nn.Sequential)
    with pytest.raises(ember.ModelFileError, match="torch.nn.modules.container.Sequential.*"
                       "state_dict"):  # ember can't rebuild torch's classes, even so
        ember.load(tmp_path / "theirs.pth", weights_only=False)


@pytest.mark.parametrize("module,name", [
    ("os", "system"), ("__main__", "Net"), ("ember.__main__", "main"),
    ("ember.serialization", "save"), ("ember.nn.modules.linear", "Evil"),
    ("builtins", "eval"), ("ember.nn.functional", "__builtins__"),
])
def test_other_globals_are_refused_even_with_weights_only_false(tmp_path: Path, module,
                                                                name) -> None:
    marker = tmp_path / "ran"
    payload = (b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"X"
               + len(f"touch {marker}").to_bytes(4, "little") + f"touch {marker}".encode()
               + b"\x85R.")
    (tmp_path / "evil.pth").write_bytes(_zip_with_pickle(payload))
    with pytest.raises(ember.UnsafeFileError, match=f"refuses the global {module}.{name}.*"
                       "state_dict"):
        ember.load(tmp_path / "evil.pth", weights_only=False)
    assert not marker.exists()


def test_a_main_class_made_and_built_by_the_pickle_is_refused(tmp_path: Path) -> None:
    payload = b"\x80\x02c__main__\nNet\nq\x00)\x81}b."  # Net.__new__(Net), then BUILD({})
    (tmp_path / "net.pth").write_bytes(_zip_with_pickle(payload))
    with pytest.raises(ember.UnsafeFileError, match="__main__.Net.*own nn.Module classes"):
        ember.load(tmp_path / "net.pth", weights_only=False)


def test_a_model_whose_registries_hold_the_wrong_things_is_refused(tmp_path: Path) -> None:
    payload = (b"\x80\x02cember.nn.modules.linear\nLinear\n)\x81}(X\x0b\x00\x00\x00_parameters"
               b"}X\x06\x00\x00\x00weightK\x05sX\x08\x00\x00\x00_buffers}X\x08\x00\x00\x00"
               b"_modules}ub.")
    (tmp_path / "odd.pth").write_bytes(_zip_with_pickle(payload))
    with pytest.raises(ember.ModelFileError, match=r"_parameters\['weight'\] must be a "
                       "Parameter"):
        ember.load(tmp_path / "odd.pth", weights_only=False)


class OwnNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x)


def test_saving_a_model_ember_could_not_rebuild_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="OwnNet.*state_dict"):
        ember.save(OwnNet(), tmp_path / "own.pth")
    with pytest.raises(TypeError, match=r"model\[0\]|OwnNet"):
        ember.save(nn.Sequential(OwnNet()), tmp_path / "own.pth")
    hooked = nn.Linear(2, 2)
    hooked.register_forward_hook(lambda module, args, output: None)
    with pytest.raises(TypeError, match="_forward_hooks"):
        ember.save(hooked, tmp_path / "hooked.pth")
    with pytest.raises(TypeError, match="state_dict"):
        ember.save(nn.Linear(2, 2), tmp_path / "x.safetensors", format="safetensors")
    assert not (tmp_path / "own.pth").exists()
    state = OwnNet().state_dict()  # what to do instead works
    ember.save(state, tmp_path / "own.pth")
    fresh = OwnNet()
    fresh.load_state_dict(ember.load(tmp_path / "own.pth"))
