"""PyTorch checkpoint files: ``ember.load`` reads ``torch.save`` output, ``ember.save(...,
format="torch")`` writes what ``torch.load(weights_only=True)`` reads; nothing runs code."""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


class EmberCNN(nn.Module):
    """A small CNN whose attribute names match ``torch_cnn``'s, so state dicts fit both."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(ember.flatten(x, 1))


def torch_cnn(torch):
    class TorchCNN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
            self.bn = torch.nn.BatchNorm2d(4)
            self.fc = torch.nn.Linear(4 * 4 * 4, 3)

        def forward(self, x):
            x = torch.nn.functional.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
            return self.fc(torch.flatten(x, 1))

    return TorchCNN()


def images(n: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 1, 8, 8)).astype(np.float32)


def ember_outputs(model: nn.Module, x: np.ndarray) -> np.ndarray:
    model.eval()
    with ember.no_grad():
        return model(ember.from_numpy(x)).numpy()


# ------------------------------------------------------------------ without PyTorch
def test_round_trip_keeps_names_shapes_dtypes_and_values(tmp_path: Path) -> None:
    state = OrderedDict([
        ("w", ember.randn(3, 4)), ("scalar", ember.tensor(7)),
        ("half", ember.tensor([1.5, -2.0], dtype=ember.float16)),
        ("double", ember.tensor([[1e-300]], dtype=ember.float64)),
        ("mask", ember.tensor([True, False])), ("bytes", ember.tensor([0, 255], dtype=ember.uint8)),
        ("empty", ember.zeros(0, 5)),
    ])
    checkpoint = {"model": state, "epoch": 4, "lr": 0.25, "note": "ok", "betas": (0.9, 0.99),
                  "history": [1.0, 0.5], "nothing": None, "huge": 2**40}
    ember.save(checkpoint, tmp_path / "x.pt", format="torch")
    loaded = ember.load(tmp_path / "x.pt")
    assert isinstance(loaded["model"], OrderedDict)
    assert list(loaded["model"]) == list(state)
    for name, tensor in state.items():
        got = loaded["model"][name]
        assert got.dtype == tensor.dtype and tuple(got.shape) == tuple(tensor.shape), name
        np.testing.assert_array_equal(got.numpy(), tensor.numpy())
    assert {k: loaded[k] for k in ("epoch", "lr", "note", "betas", "history", "nothing",
                                   "huge")} == {k: checkpoint[k] for k in
                                                ("epoch", "lr", "note", "betas", "history",
                                                 "nothing", "huge")}


def test_state_dict_round_trip_fills_a_fresh_model(tmp_path: Path) -> None:
    ember.manual_seed(0)
    model = EmberCNN()
    ember.save(model.state_dict(), tmp_path / "cnn.pt", format="torch")
    ember.manual_seed(1)
    twin = EmberCNN()
    twin.load_state_dict(ember.load(tmp_path / "cnn.pt"))
    np.testing.assert_array_equal(ember_outputs(twin, images()), ember_outputs(model, images()))


def test_parameters_come_back_as_parameters(tmp_path: Path) -> None:
    params = list(nn.Linear(2, 3).parameters())
    ember.save(params, tmp_path / "p.pt", format="torch")
    loaded = ember.load(tmp_path / "p.pt")
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in loaded)


def test_unknown_format_and_unsavable_objects_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'pickle'"):
        ember.save({}, tmp_path / "x.pt", format="pickle")
    with pytest.raises(TypeError, match="can't store a object"):
        ember.save({"x": object()}, tmp_path / "x.pt", format="torch")


def _zip_with_pickle(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def test_a_global_outside_the_allow_list_is_refused_by_name_and_never_run(
        tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    payload = (b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(f"touch {marker}"))
               + f"touch {marker}".encode() + b"\x85R.")
    (tmp_path / "evil.pt").write_bytes(_zip_with_pickle(payload))
    with pytest.raises(ember.ModelFileError, match=r"evil.pt: refuses the global os\.system"):
        ember.load(tmp_path / "evil.pt")
    assert not marker.exists()


def test_objects_a_weights_file_cannot_hold_are_refused(tmp_path: Path) -> None:
    payload = pickle.dumps({"a": {1, 2}}, protocol=2)  # builtins.set is allowed, as in torch
    (tmp_path / "set.pt").write_bytes(_zip_with_pickle(payload))
    assert ember.load(tmp_path / "set.pt") == {"a": {1, 2}}
    payload = pickle.dumps({"a": frozenset({1})}, protocol=2)
    (tmp_path / "odd.pt").write_bytes(_zip_with_pickle(payload))
    with pytest.raises(ember.ModelFileError, match="refuses the global builtins.frozenset"):
        ember.load(tmp_path / "odd.pt")


def test_a_tensor_reaching_past_its_storage_is_refused(tmp_path: Path) -> None:
    ember.save({"w": ember.ones(2, 3)}, tmp_path / "x.pt", format="torch")
    with zipfile.ZipFile(tmp_path / "x.pt") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    # the stride tuple (3, 1) -> (30, 1): the view would read far past the 6 stored floats
    members["archive/data.pkl"] = members["archive/data.pkl"].replace(b"K\x03K\x01t",
                                                                      b"K\x1eK\x01t", 1)
    with zipfile.ZipFile(tmp_path / "x.pt", "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(ember.ModelFileError, match="reaches element"):
        ember.load(tmp_path / "x.pt")


def test_a_zip_without_data_pkl_is_not_taken_for_a_torch_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("something.txt", "hello")
    (tmp_path / "x.pt").write_bytes(buffer.getvalue())
    with pytest.raises(ember.ModelFileError, match="x.pt"):
        ember.load(tmp_path / "x.pt")


# ------------------------------------------------------------------ against PyTorch
def _train_torch_cnn(torch):
    torch.manual_seed(0)
    model = torch_cnn(torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.from_numpy(images(16, seed=3))
    y = torch.arange(16) % 3
    for _ in range(5):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model.eval()


def test_a_cnn_trained_in_pytorch_predicts_the_same_in_ember(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    trained = _train_torch_cnn(torch)
    torch.save(trained.state_dict(), tmp_path / "cnn.pt")
    state = ember.load(tmp_path / "cnn.pt")
    assert [(k, tuple(v.shape), str(v.dtype).split(".")[-1]) for k, v in state.items()] == [
        (k, tuple(v.shape), str(v.dtype).split(".")[-1])
        for k, v in trained.state_dict().items()]
    model = EmberCNN()
    model.load_state_dict(state)
    x = images(7, seed=5)
    with torch.no_grad():
        expected = trained(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ember_outputs(model, x), expected, atol=1e-5, rtol=0)


def test_a_cnn_trained_in_ember_predicts_the_same_in_pytorch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    ember.manual_seed(0)
    model = EmberCNN()
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = ember.from_numpy(images(16, seed=3)), ember.arange(16) % 3
    for _ in range(5):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    ember.save(model.state_dict(), tmp_path / "cnn.pt", format="torch")
    twin = torch_cnn(torch)
    twin.load_state_dict(torch.load(tmp_path / "cnn.pt", weights_only=True))
    twin.eval()
    probe = images(7, seed=5)
    with torch.no_grad():
        got = twin(torch.from_numpy(probe)).numpy()
    np.testing.assert_allclose(got, ember_outputs(model, probe), atol=1e-5, rtol=0)
    assert twin.bn.num_batches_tracked.item() == 5


def test_what_pytorch_checkpoints_hold_comes_back(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Linear(3, 2)
    weight = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save({"view": weight.t(), "slice": weight[1:, 2:], "base": weight,
                "bf16": torch.tensor([1.5, -3.25], dtype=torch.bfloat16),
                "params": list(model.parameters()), "size": torch.Size([2, 3]),
                "optimizer": torch.optim.Adam(model.parameters()).state_dict()},
               tmp_path / "ck.pt")
    loaded = ember.load(tmp_path / "ck.pt")
    np.testing.assert_array_equal(loaded["view"].numpy(), weight.t().numpy())
    np.testing.assert_array_equal(loaded["slice"].numpy(), weight[1:, 2:].numpy())
    np.testing.assert_array_equal(loaded["bf16"].numpy(), [1.5, -3.25])
    assert isinstance(loaded["params"][0], nn.Parameter)
    assert loaded["size"] == (2, 3)
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_the_legacy_format_loads(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    trained = _train_torch_cnn(torch)
    torch.save(trained.state_dict(), tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    model = EmberCNN()
    model.load_state_dict(ember.load(tmp_path / "old.pt"))
    x = images(3, seed=9)
    with torch.no_grad():
        expected = trained(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ember_outputs(model, x), expected, atol=1e-5, rtol=0)


def test_a_whole_pickled_module_is_refused_naming_its_class(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 2), tmp_path / "module.pt")
    with pytest.raises(ember.ModelFileError,
                       match="refuses the global torch.nn.modules.linear.Linear"):
        ember.load(tmp_path / "module.pt")


def test_files_ember_writes_load_in_pytorch_memory_mapped(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    state = OrderedDict(w=ember.randn(5, 7), n=ember.tensor(3))
    ember.save(state, tmp_path / "x.pt", format="torch")
    loaded = torch.load(tmp_path / "x.pt", weights_only=True, mmap=True)
    np.testing.assert_array_equal(loaded["w"].numpy(), state["w"].numpy())
    assert loaded["n"].dtype == torch.int64 and loaded["n"].shape == ()
