"""Reader for the IDX format of MNIST and Fashion-MNIST, gzipped or not, with strict checks.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the values in C order.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ember.datasets._errors import DatasetError, one_line

_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_bytes(path: Path) -> bytes:
    name = path.name
    if name.endswith((".pkl", ".pkl.gz", ".pickle")):
        raise DatasetError(
            f"{path}: pickled data sets are not supported (ember never unpickles files); "
            "use the four IDX files (train-images-idx3-ubyte.gz, ...) instead"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({one_line(exc)})") from None
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise DatasetError(f"{path}: truncated gzip stream") from None
    except (OSError, zlib.error) as exc:
        raise DatasetError(f"{path}: corrupt gzip stream ({one_line(exc)})") from None


def read_idx(path: str | os.PathLike[str], ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a native-endian array.

    ``ndim``, when given, is the number of dimensions the file must have.
    Raises :class:`DatasetError` naming the file on a wrong magic number, wrong number of
    dimensions, or a body shorter or longer than the header announces.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DatasetError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero0, zero1, type_code, dims = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_TYPES:
        raise DatasetError(
            f"{path}: wrong magic number 0x{data[:4].hex()} "
            "(expected 0x0000TTNN with an IDX type code TT, e.g. 0x00000803 for images)"
        )
    if ndim is not None and dims != ndim:
        raise DatasetError(f"{path}: expected {ndim} dimensions, the header says {dims}")
    header_end = 4 + 4 * dims
    if len(data) < header_end:
        raise DatasetError(f"{path}: truncated header ({len(data)} bytes, need {header_end})")
    shape = struct.unpack(f">{dims}I", data[4:header_end])
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    body = len(data) - header_end
    if body < expected:
        raise DatasetError(f"{path}: truncated body ({body} bytes, shape {shape} needs {expected})")
    if body > expected:
        raise DatasetError(
            f"{path}: {body - expected} unexpected trailing bytes after shape {shape}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_end).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def check_idx(path: Path) -> None:
    """Structural check used after a download: the file must parse as IDX."""
    read_idx(path)
