"""The image preprocessing record: histogram equalisation per image and channel (gtsrb-cnn's),
applied the same way at training and at prediction time."""

from __future__ import annotations

import numpy as np
import pytest

from ember.cli.preprocess import apply, equalize_each_image, image_spec


def _equalized_one_by_one(image: np.ndarray) -> np.ndarray:
    """The textbook mapping, one channel at a time: (cdf(v) - cdf(darkest)) / (N - cdf(darkest))."""
    out = np.empty(image.shape, np.float64)
    for c in range(image.shape[-1]):
        levels = image[..., c].astype(np.int64)
        cdf = np.bincount(levels.ravel(), minlength=256).cumsum()
        darkest = cdf[levels.min()]
        out[..., c] = (cdf[levels] - darkest) / max(cdf[-1] - darkest, 1)
    return out


def test_each_image_and_channel_is_equalised_on_its_own() -> None:
    rng = np.random.default_rng(0)
    images = np.stack([rng.integers(40, 90, (9, 7, 3)), rng.integers(0, 256, (9, 7, 3))])
    got = equalize_each_image(images.astype(np.uint8))
    assert got.dtype == np.float32 and got.shape == images.shape
    for image, equalized in zip(images, got):
        np.testing.assert_allclose(equalized, _equalized_one_by_one(image), atol=1e-6)
    # A dim, low-contrast image now spans the whole range.
    assert got[0].min() == 0 and got[0].max() == 1


def test_a_flat_image_maps_to_zero_without_dividing_by_zero() -> None:
    flat = np.full((1, 4, 4, 1), 77, np.uint8)
    np.testing.assert_array_equal(equalize_each_image(flat), np.zeros((1, 4, 4, 1), np.float32))


def test_the_record_applies_equalisation_before_standardising() -> None:
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 256, (3, 8, 8, 3)).astype(np.uint8)
    spec = image_spec(8, 3, [0.5] * 3, [0.25] * 3, layout="nchw", equalize=True)
    got = apply(spec, raw)
    expected = (equalize_each_image(raw) - 0.5) / 0.25
    np.testing.assert_allclose(got, expected.transpose(0, 3, 1, 2), atol=1e-6)
    # Records written before equalisation existed read as without it.
    old = image_spec(8, 3, [0.0] * 3, [1.0] * 3, layout="nhwc")
    del old["equalize"]
    np.testing.assert_allclose(apply(old, raw), raw / np.float32(255), atol=1e-7)


def test_grayscale_images_on_another_scale_are_equalised_too() -> None:
    raw = np.arange(16, dtype=np.float32).reshape(1, 4, 4) / 15  # values 0..1, raw_max 1
    spec = image_spec(4, 1, [0.0], [1.0], layout="flat", raw_max=1.0, equalize=True)
    got = apply(spec, raw)
    levels = np.rint(raw * 255).astype(np.uint8)[..., None]
    np.testing.assert_allclose(got, equalize_each_image(levels).reshape(1, -1), atol=1e-6)


def test_images_of_the_wrong_shape_are_refused_before_equalising() -> None:
    spec = image_spec(4, 3, [0.0] * 3, [1.0] * 3, layout="nhwc", equalize=True)
    for wrong in (np.zeros((2, 4, 4, 4, 3)), np.zeros((2, 4)), np.zeros((2, 4, 4, 1))):
        with pytest.raises(ValueError, match=r"expected images of shape \(N, H, W, 3\)"):
            apply(spec, wrong)
