"""Decoding many small image files into one uint8 array, in parallel worker processes.

Pillow is imported lazily here, inside the functions, so ``import ember`` stays light.
Each bad file (missing, truncated, corrupt, not an image) becomes a short reason string
instead of an exception, so a loader can skip it and report a count.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from ember.datasets._errors import DatasetError, one_line

RESAMPLING = ("bilinear", "area")
_SERIAL_BELOW = 2000  # under this many images, worker start-up costs more than it saves
_CHUNK = 1024


@dataclass(frozen=True)
class ImageItem:
    """One image to decode; ``roi`` (x1, y1, x2, y2) applies only if the size is ``expected``."""

    path: str
    roi: tuple[int, int, int, int] | None = None
    expected: tuple[int, int] | None = None


def _resample_filter(resample: str) -> int:
    from PIL import Image

    if resample == "bilinear":
        return Image.Resampling.BILINEAR
    if resample == "area":
        return Image.Resampling.BOX
    raise ValueError(f"resample must be one of {RESAMPLING}, got {resample!r}")


def _decode(item: ImageItem, size: int, resample_filter: int) -> np.ndarray | str:
    from PIL import Image

    try:
        with Image.open(item.path) as image:
            image = image.convert("RGB")
    except FileNotFoundError:
        return "missing"
    except Exception as exc:  # Pillow raises many types for bad files; none may escape
        return f"unreadable ({type(exc).__name__}: {one_line(exc)[:80]})"
    if item.roi is not None and image.size == item.expected:
        x1, y1, x2, y2 = item.roi
        if 0 <= x1 < x2 <= image.width and 0 <= y1 < y2 <= image.height:
            image = image.crop((x1, y1, x2, y2))
    if image.size != (size, size):
        image = image.resize((size, size), resample_filter)
    return np.asarray(image, dtype=np.uint8)


def _decode_chunk(
    items: list[ImageItem], size: int, resample: str
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    resample_filter = _resample_filter(resample)
    out = np.zeros((len(items), size, size, 3), dtype=np.uint8)
    failures = []
    for i, item in enumerate(items):
        result = _decode(item, size, resample_filter)
        if isinstance(result, str):
            failures.append((i, result))
        else:
            out[i] = result
    return out, failures


def _can_fork() -> bool:
    """Forked workers need no ``if __name__ == "__main__"`` guard in the user's script
    (spawned ones do); forking is only safe while this process runs a single thread."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _decode_in_processes(
    chunks: list[list[ImageItem]], size: int, resample: str, workers: int
) -> list[tuple[np.ndarray, list[tuple[int, str]]]] | None:
    """Decode chunks in forked processes; ``None`` if the pool fails (caller goes serial)."""
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
            futures = [pool.submit(_decode_chunk, chunk, size, resample) for chunk in chunks]
            return [future.result() for future in futures]
    except (BrokenProcessPool, OSError):
        return None


def decode_images(
    items: list[ImageItem], size: int, resample: str = "bilinear", workers: int | None = None
) -> tuple[np.ndarray, dict[int, str]]:
    """Decode ``items`` to an array ``(N, size, size, 3)`` uint8, resized (and ROI-cropped).

    Returns the array and ``{index: reason}`` for the items that could not be decoded
    (their rows are zeros). ``workers``: processes to use; ``None`` means one per CPU.
    """
    try:
        _resample_filter(resample)
    except ImportError:
        raise DatasetError("reading images needs Pillow: pip install Pillow") from None
    if workers is None:
        workers = os.cpu_count() or 1
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    results = None
    if workers > 1 and len(items) >= _SERIAL_BELOW and _can_fork():
        results = _decode_in_processes(chunks, size, resample, workers)
    if results is None:
        results = [_decode_chunk(chunk, size, resample) for chunk in chunks]
    images = np.zeros((len(items), size, size, 3), dtype=np.uint8)
    failures: dict[int, str] = {}
    for chunk_index, (array, chunk_failures) in enumerate(results):
        start = chunk_index * _CHUNK
        images[start : start + len(array)] = array
        failures.update({start + i: reason for i, reason in chunk_failures})
    return images, failures
