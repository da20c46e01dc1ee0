"""Devices: the CPU works everywhere a device is accepted; any other device is refused by name."""

from __future__ import annotations

import pytest

import ember


def test_a_device_parses_as_in_pytorch() -> None:
    assert str(ember.device("cuda:1")) == "cuda:1"
    assert repr(ember.device("cpu")) == "device(type='cpu')"
    assert ember.device("cuda", 0).index == 0
    assert ember.zeros(2).device == "cpu" and ember.zeros(2).device == ember.device("cpu")
    with pytest.raises(RuntimeError, match="device type at start of device string: tpu"):
        ember.device("tpu")


@pytest.mark.parametrize("make", [
    lambda d: ember.zeros(2, device=d), lambda d: ember.ones(2, device=d),
    lambda d: ember.tensor([1.0], device=d), lambda d: ember.arange(3, device=d),
    lambda d: ember.randn(2, device=d), lambda d: ember.full((2,), 1.0, device=d),
    lambda d: ember.zeros(2).to(d), lambda d: ember.zeros(2).to(device=d),
])
def test_creation_and_to_accept_the_cpu_and_refuse_cuda_by_name(make) -> None:  # noqa: ANN001
    assert make("cpu").device == "cpu"
    assert make(ember.device("cpu")).device == "cpu"
    with pytest.raises(NotImplementedError, match="device='cuda' is not available"):
        make("cuda")
    with pytest.raises(NotImplementedError, match="'mps'"):
        make("mps")


def test_to_with_a_device_and_a_dtype_converts_and_copy_makes_a_new_tensor() -> None:
    x = ember.ones(2)
    assert x.to("cpu", ember.float64).dtype == ember.float64
    assert x.to("cpu") is x
    assert x.to("cpu", copy=True) is not x
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(dtype=ember.float64, devise="cpu")
    with pytest.raises(NotImplementedError, match="no CUDA backend"):
        x.cuda()


def test_load_takes_the_cpu_as_map_location_and_refuses_other_devices(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "w.safetensors"
    ember.save({"w": ember.ones(2)}, path)
    assert ember.load(path, map_location="cpu")["w"].tolist() == [1.0, 1.0]
    assert ember.load(path, map_location={"cuda:0": "cpu"})["w"].tolist() == [1.0, 1.0]
    with pytest.raises(NotImplementedError, match="'cuda'"):
        ember.load(path, map_location="cuda")
    with pytest.raises(NotImplementedError, match="map_location=<function>"):
        ember.load(path, map_location=lambda storage, location: storage)
