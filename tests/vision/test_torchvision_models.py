"""torchvision's ImageNet networks in ember: the same parameter names and shapes, state dicts
that move both ways with the same outputs, and pretrained weights read from torch.hub's cache
(torchvision is the oracle where it imports; the tests without it run everywhere)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.vision import models

from .oracle import torchvision


def _torch_state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def _randomise_running_stats(torch, module) -> None:
    """Non-trivial BN statistics, so eval mode really uses them."""
    for layer in module.modules():
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.2, 0.2)
            layer.running_var.uniform_(0.5, 1.5)


def _assert_close(got, expected):
    """Equal to 1e-5 of the outputs' scale in float32 (deep random networks reach ~100)."""
    np.testing.assert_allclose(got, expected, rtol=1e-5,
                               atol=1e-5 * max(1.0, float(np.abs(expected).max())))


def _outputs(torch, theirs, ours, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    theirs.eval()
    ours.eval()
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with ember.no_grad():
        got = ours(ember.from_numpy(x)).numpy()
    return got, expected


@pytest.mark.parametrize("name,shape", [("resnet18", (2, 3, 64, 64)),
                                        ("resnet50", (1, 3, 64, 64))])
def test_resnet_state_dicts_move_both_ways_with_the_same_outputs(tmp_path, name, shape):
    tv = torchvision()
    import torch

    torch.manual_seed(0)
    theirs = getattr(tv.models, name)()
    _randomise_running_stats(torch, theirs)
    ours = getattr(models, name)()
    theirs_state = _torch_state(theirs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == \
        {k: v.shape for k, v in theirs_state.items()}
    assert list(ours.state_dict()) == list(theirs_state)  # the same order, too
    path = tmp_path / "theirs.pth"
    torch.save(theirs.state_dict(), path)
    ours.load_state_dict(ember.load(path))
    got, expected = _outputs(torch, theirs, ours, shape)
    _assert_close(got, expected)

    ember.manual_seed(1)  # and back: fresh ember weights into torchvision's model
    ours = getattr(models, name)()
    ember.save(ours.state_dict(), tmp_path / "ours.pth", format="torch")
    theirs.load_state_dict(torch.load(tmp_path / "ours.pth", weights_only=True))
    got, expected = _outputs(torch, theirs, ours, shape)
    _assert_close(got, expected)


@pytest.mark.slow
def test_vgg16_state_dict_moves_both_ways_with_the_same_outputs(tmp_path):
    tv = torchvision()
    import torch

    torch.manual_seed(0)
    theirs = tv.models.vgg16()
    ours = models.vgg16()
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    path = tmp_path / "theirs.pth"
    torch.save(theirs.state_dict(), path)
    ours.load_state_dict(ember.load(path))
    got, expected = _outputs(torch, theirs, ours, (1, 3, 32, 32))
    _assert_close(got, expected)
    del theirs
    ember.save(ours.state_dict(), tmp_path / "ours.pth", format="torch")
    back = tv.models.vgg16(init_weights=False)
    back.load_state_dict(torch.load(tmp_path / "ours.pth", weights_only=True))
    got, expected = _outputs(torch, back, ours, (1, 3, 32, 32))
    _assert_close(got, expected)


def test_vgg_architectures_match_torchvisions_names_and_shapes():
    tv = torchvision()
    for name in ("vgg11", "vgg13_bn"):
        theirs = {k: tuple(v.shape) for k, v in
                  getattr(tv.models, name)(init_weights=False).state_dict().items()}
        ours = {k: tuple(v.shape) for k, v in
                getattr(models, name)(init_weights=False).state_dict().items()}
        assert ours == theirs, name


def test_pretrained_weights_come_from_torch_hubs_cache(tmp_path, monkeypatch):
    tv = torchvision()
    import torch

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv("EMBER_DATA", raising=False)
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.manual_seed(3)
    source = tv.models.resnet18()
    _randomise_running_stats(torch, source)
    torch.save(source.state_dict(), checkpoints / "resnet18-f37072fd.pth")
    # torchvision reads the cached file too (it only downloads a file that is not there)
    theirs = tv.models.resnet18(weights=tv.models.ResNet18_Weights.DEFAULT)
    ours = models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    got, expected = _outputs(torch, theirs, ours, (1, 3, 64, 64))
    _assert_close(got, expected)
    also = models.resnet18(weights="IMAGENET1K_V1")
    np.testing.assert_array_equal(also.fc.weight.detach().numpy(),
                                  ours.fc.weight.detach().numpy())


def test_a_missing_checkpoint_names_the_file_the_places_and_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError) as caught:
        models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    message = str(caught.value)
    assert "resnet18-f37072fd.pth" in message
    assert "https://download.pytorch.org/models/resnet18-f37072fd.pth" in message
    assert str(tmp_path / "torch" / "hub" / "checkpoints") in message
    assert str(tmp_path / "data" / "checkpoints") in message


def test_a_checkpoint_in_ember_data_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("EMBER_DATA", str(tmp_path))
    ember.manual_seed(0)
    source = models.resnet18()
    (tmp_path / "checkpoints").mkdir()
    ember.save(source.state_dict(), tmp_path / "checkpoints" / "resnet18-f37072fd.pth",
               format="torch")
    loaded = models.resnet18(weights="ResNet18_Weights.IMAGENET1K_V1")
    np.testing.assert_array_equal(loaded.conv1.weight.detach().numpy(),
                                  source.conv1.weight.detach().numpy())


def test_weights_arguments_are_checked_as_torchvision_checks_them():
    weights = models.ResNet18_Weights
    assert weights.DEFAULT is weights.IMAGENET1K_V1 and list(weights) == [weights.IMAGENET1K_V1]
    assert weights.verify("DEFAULT") is weights.verify("ResNet18_Weights.IMAGENET1K_V1")
    assert repr(weights.DEFAULT) == "ResNet18_Weights.IMAGENET1K_V1"
    assert weights.DEFAULT.url.endswith("/resnet18-f37072fd.pth")
    assert weights.DEFAULT.meta["num_params"] == 11_689_512
    assert models.get_weight("VGG16_Weights.DEFAULT") is models.VGG16_Weights.IMAGENET1K_V1
    with pytest.raises(KeyError, match="BAD"):
        models.resnet18(weights="BAD")
    with pytest.raises(TypeError, match="expected ResNet18_Weights"):
        models.resnet18(weights=models.VGG16_Weights.DEFAULT)
    with pytest.raises(ValueError, match="num_classes"):
        models.resnet18(weights="DEFAULT", num_classes=10)
    with pytest.raises(TypeError, match="unexpected keyword"):
        models.resnet18(widht_per_group=32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = models.resnet18(pretrained=False, num_classes=7)
    assert model.fc.out_features == 7 and "pretrained" in str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the caller's line


def test_the_weights_transforms_prepare_an_image_as_torchvisions():
    tv = torchvision()
    import torch

    image = np.random.default_rng(0).integers(0, 256, (3, 300, 260), dtype=np.uint8)
    ours = models.ResNet18_Weights.DEFAULT.transforms()(ember.from_numpy(image))
    theirs = tv.models.ResNet18_Weights.DEFAULT.transforms()(torch.from_numpy(image))
    assert tuple(ours.shape) == (3, 224, 224)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=2e-2)


def test_resnet18_trains_and_its_head_can_be_replaced():
    ember.manual_seed(0)
    model = models.resnet18()
    x, target = ember.rand(2, 3, 32, 32), ember.rand(2, 1000)
    (model(x) - target).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    for param in model.parameters():
        param.requires_grad = False
    model.fc = ember.nn.Linear(512, 10)
    assert [name for name, p in model.named_parameters() if p.requires_grad] == \
        ["fc.weight", "fc.bias"]
    optimizer = ember.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    loss = model(x).square().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert model.conv1.weight.grad is None and tuple(model(x).shape) == (2, 10)


def test_the_save_load_run_flow_with_pretrained_weights(tmp_path, monkeypatch):
    """Pretrained weights from the cache, a state dict saved and loaded into a fresh model,
    then the whole model saved and loaded: the outputs never change."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    folder = tmp_path / "torch" / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    ember.manual_seed(5)
    ember.save(models.resnet18().state_dict(), folder / "resnet18-f37072fd.pth", format="torch")
    model = models.resnet18(weights="IMAGENET1K_V1").eval()
    x = ember.rand(1, 3, 32, 32)
    with ember.no_grad():
        expected = model(x).numpy()
    ember.save(model.state_dict(), tmp_path / "model_weights.pth")
    model = models.resnet18()
    model.load_state_dict(ember.load(tmp_path / "model_weights.pth", weights_only=True))
    model.eval()
    ember.save(model, tmp_path / "model.pth")
    model = ember.load(tmp_path / "model.pth", weights_only=False)
    with ember.no_grad():
        np.testing.assert_array_equal(model(x).numpy(), expected)
