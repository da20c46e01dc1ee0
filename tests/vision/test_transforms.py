"""ember.vision.transforms on their own (no oracle): shapes, dtypes, errors, random draws that
follow ember.manual_seed, and the batch path equal to the per-image one."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import ember
import ember.vision.transforms.functional as F
from ember.vision import transforms as T

RNG = np.random.default_rng(1)
PIXELS = RNG.integers(0, 256, (20, 24, 3), dtype=np.uint8)


def test_to_tensor_scales_uint8_and_keeps_other_dtypes() -> None:
    image = T.ToTensor()(Image.fromarray(PIXELS))
    assert tuple(image.shape) == (3, 20, 24) and image.dtype == ember.float32
    np.testing.assert_allclose(image.numpy(), PIXELS.transpose(2, 0, 1) / 255, atol=1e-7)
    floats = T.ToTensor()(np.ones((4, 5), np.float64))
    assert tuple(floats.shape) == (1, 4, 5) and floats.dtype == ember.float64
    assert T.PILToTensor()(Image.fromarray(PIXELS)).dtype == ember.uint8


def test_wrong_inputs_raise_torchvisions_exception_types() -> None:
    with pytest.raises(TypeError, match="Tensor"):
        F.normalize(Image.fromarray(PIXELS), [0.5], [0.5])
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(ember.zeros(1, 2, 2, dtype=ember.uint8), [0.5], [0.5])
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(1, 2, 2), [0.5], [0.0])
    with pytest.raises(TypeError, match="PIL Image or Tensor"):
        F.hflip(PIXELS)
    with pytest.raises(ValueError, match="Padding mode"):
        T.Pad(2, padding_mode="wrap")
    with pytest.raises(ValueError, match="larger than input"):
        T.RandomCrop(30)(Image.fromarray(PIXELS))
    with pytest.raises(ValueError, match="hue"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.resize(ember.zeros(1, 4, 4), [2, 2], F.InterpolationMode.BICUBIC)


@pytest.mark.parametrize("transform", [
    T.RandomCrop(16, padding=2), T.RandomResizedCrop(12), T.RandomRotation(30),
    T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5),
    T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomHorizontalFlip(), T.RandomGrayscale(0.5),
])
def test_random_transforms_follow_ember_manual_seed(transform) -> None:
    image = Image.fromarray(PIXELS)
    ember.manual_seed(7)
    first = [np.asarray(transform(image)) for _ in range(4)]
    ember.manual_seed(7)
    again = [np.asarray(transform(image)) for _ in range(4)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(first[0], other) for other in first[1:]) or \
        isinstance(transform, T.RandomGrayscale)


def test_random_crop_pads_and_random_resized_crop_sizes() -> None:
    out = T.RandomCrop(28, padding=4)(ember.from_numpy(PIXELS.transpose(2, 0, 1).copy()))
    assert tuple(out.shape) == (3, 28, 28)
    padded = T.RandomCrop((30, 30), pad_if_needed=True)(Image.fromarray(PIXELS))
    assert padded.size == (30, 30)
    assert T.RandomResizedCrop((8, 10))(Image.fromarray(PIXELS)).size == (10, 8)


def test_random_erasing_erases_one_box() -> None:
    image = ember.ones(3, 20, 24)
    ember.manual_seed(0)
    erased = T.RandomErasing(p=1.0, value=0)(image).numpy()
    zeros = erased == 0
    assert zeros.any() and (image.numpy() == 1).all()  # not in place
    rows, cols = np.nonzero(zeros[0])
    assert zeros[:, rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
    assert T.RandomErasing(p=0.0)(image) is image


def test_color_jitter_factors_stay_in_their_ranges() -> None:
    jitter = T.ColorJitter(brightness=0.5, hue=0.2)
    for _ in range(20):
        order, b, c, s, h = jitter.get_params(jitter.brightness, jitter.contrast,
                                              jitter.saturation, jitter.hue)
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and -0.2 <= h <= 0.2 and c is None and s is None


def test_batch_transform_equals_stacked_samples() -> None:
    images = RNG.integers(0, 256, (5, 8, 9, 3), dtype=np.uint8)
    chain = T.Compose([T.ToTensor(), T.Normalize([0.1, 0.2, 0.3], [0.4, 0.5, 0.6])])
    batched = T.batch_transform(chain)(images).numpy()
    single = np.stack([chain(Image.fromarray(image)).numpy() for image in images])
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-6)
    assert T.batch_transform(T.Compose([T.Resize(4), T.ToTensor()])) is None
    assert T.batch_transform(T.Compose([T.ToTensor(), T.RandomErasing()])) is None
    assert T.batch_transform(T.Compose([T.RandomCrop(8, 2, padding_mode="reflect"),
                                        T.ToTensor()])) is None


@pytest.mark.parametrize("chain,mode", [
    (T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                T.Normalize((0.5,) * 3, (0.25,) * 3)]), "RGB"),
    (T.Compose([T.RandomCrop(24, padding=2, fill=7), T.RandomVerticalFlip(0.3), T.ToTensor(),
                T.RandomHorizontalFlip()]), "L"),
])
def test_random_batch_path_draws_as_the_per_image_path(chain, mode) -> None:
    channels, side = (3, 32) if mode == "RGB" else (1, 28)
    images = RNG.integers(0, 256, (12, side, side, channels), dtype=np.uint8)
    ember.manual_seed(5)
    batched = T.batch_transform(chain)(images).numpy()
    ember.manual_seed(5)
    single = np.stack([chain(Image.fromarray(image if channels == 3 else image[..., 0], mode))
                       .numpy() for image in images])
    np.testing.assert_array_equal(batched, single)


def test_tensor_transforms_work_on_batches() -> None:
    batch = ember.from_numpy(RNG.random((4, 3, 10, 12), dtype=np.float32))
    assert tuple(F.resize(batch, [5, 6]).shape) == (4, 3, 5, 6)
    rotated = F.rotate(batch, 90.0)
    for i in range(4):
        np.testing.assert_array_equal(rotated.numpy()[i], F.rotate(batch[i], 90.0).numpy())
    assert tuple(F.center_crop(batch, 8).shape) == (4, 3, 8, 8)


def test_to_pil_image_round_trips() -> None:
    image = Image.fromarray(PIXELS)
    back = F.to_pil_image(F.pil_to_tensor(image))
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), PIXELS)
    gray = F.to_pil_image(ember.from_numpy(np.full((1, 3, 3), 0.5, np.float32)))
    assert gray.mode == "L" and np.asarray(gray)[0, 0] == 127
