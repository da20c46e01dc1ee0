"""Shared checks for pictures: a file is a real PNG of the size its figure says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image


def tight_png_size(figure: Any, dpi: int = 100) -> tuple[int, int]:
    """The pixel size ``plotting.save_png`` gives ``figure``: its tight bounding box plus
    matplotlib's default 0.1-inch padding on each side."""
    box = figure.get_tightbbox(figure.canvas.get_renderer())
    return round((box.width + 0.2) * dpi), round((box.height + 0.2) * dpi)


def assert_png(path: Path, size: tuple[int, int]) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(path) as image:
        width, height = image.size
    assert abs(width - size[0]) <= 2 and abs(height - size[1]) <= 2, (image.size, size)


@pytest.fixture
def check_png() -> Any:
    def check(figure: Any, path: Path) -> None:
        assert_png(path, tight_png_size(figure))
    return check
