"""Saving keeps 0-d tensors 0-d (BatchNorm's ``num_batches_tracked`` is one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import ember
from ember import nn
from ember.serialization import safetensors_bytes, safetensors_from_bytes


def test_zero_dim_arrays_keep_their_shape() -> None:
    tensors, _ = safetensors_from_bytes(safetensors_bytes({"count": np.array(7, np.int64)}))
    assert tensors["count"].shape == () and tensors["count"] == 7


def test_batchnorm_state_dict_round_trips(tmp_path: Path) -> None:
    bn = nn.BatchNorm1d(3)
    bn(ember.randn(4, 3))
    ember.save(bn.state_dict(), tmp_path / "bn.safetensors")
    other = nn.BatchNorm1d(3)
    other.load_state_dict(ember.load(tmp_path / "bn.safetensors"))
    assert int(other.num_batches_tracked.item()) == 1
