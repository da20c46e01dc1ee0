"""ember.hub: torch.hub's checkpoint cache, read without a network (torch is the oracle for
where the cache is)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ember
from ember import hub


@pytest.fixture(autouse=True)
def _default_hub_dir(monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)


@pytest.mark.parametrize("env", [
    {"TORCH_HOME": "/tmp/somewhere/torch"},
    {"XDG_CACHE_HOME": "/tmp/cache"},
    {},
])
def test_the_hub_folder_is_where_torch_hub_keeps_it(monkeypatch, env):
    torch = pytest.importorskip("torch")
    for name in ("TORCH_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert hub.get_dir() == torch.hub.get_dir()


def test_set_dir_moves_it(tmp_path: Path):
    hub.set_dir(tmp_path)
    assert hub.get_dir() == str(tmp_path)


def test_a_cached_file_is_loaded_and_a_missing_one_is_explained(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv("EMBER_DATA", raising=False)
    url = "https://example.org/models/tiny-0123abcd.pth"
    with pytest.raises(FileNotFoundError, match="tiny-0123abcd.pth.*does not download.*"
                       "https://example.org/models/tiny-0123abcd.pth"):
        hub.load_state_dict_from_url(url)
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    ember.save({"w": ember.arange(3)}, folder / "tiny-0123abcd.pth", format="torch")
    state = hub.load_state_dict_from_url(url, check_hash=True)  # no download, so no hash check
    np.testing.assert_array_equal(state["w"].numpy(), [0, 1, 2])
    ember.save({"w": ember.ones(1)}, tmp_path / "other.pth", format="torch")
    assert hub.load_state_dict_from_url(url, model_dir=tmp_path, file_name="other.pth")["w"] == 1


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="url must be a string"):
        hub.load_state_dict_from_url(3)
    with pytest.raises(ValueError, match="file_name"):
        hub.load_state_dict_from_url("https://example.org/")
