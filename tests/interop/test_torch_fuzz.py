"""Damaged and hostile PyTorch files: ``ember.load`` returns something or raises
``ember.ModelFileError``, quickly, and never anything else."""

from __future__ import annotations

import io
import pickle
import tempfile
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember import nn

DEFAULT_EXAMPLES = 300
SLOW_EXAMPLES = 2000
SECONDS_PER_FILE = 1.0
# Opcodes a mutation may swap in: object building, globals, persistent ids, memo access.
OPCODES = [pickle.GLOBAL + b"os\nsystem\n", pickle.GLOBAL + b"torch\nFloatStorage\n",
           pickle.GLOBAL + b"torch._utils\n_rebuild_tensor_v2\n", pickle.REDUCE, pickle.BUILD,
           pickle.BINPERSID, pickle.TUPLE, pickle.MARK, pickle.EMPTY_TUPLE, pickle.SETITEMS,
           pickle.BINGET + b"\x00", pickle.STOP, pickle.NEWOBJ, pickle.BININT1 + b"\xff",
           pickle.BININT + b"\xff\xff\xff\x7f", pickle.STACK_GLOBAL, pickle.POP]


def valid_files() -> dict[str, bytes]:
    """A state dict as ember writes it (zip) and, where PyTorch is here, as it writes both
    layouts (with views sharing a storage and a Parameter)."""
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Linear(5, 3))
    files = {}
    with tempfile.TemporaryDirectory() as folder:
        ember.save(OrderedDict(model.state_dict()), Path(folder) / "e.pt", format="torch")
        files["ember"] = (Path(folder) / "e.pt").read_bytes()
        try:
            import torch
        except ImportError:
            return files
        weight = torch.arange(12.0).reshape(3, 4)
        state = {"w": weight, "t": weight.t(), "p": torch.nn.Parameter(torch.ones(2)),
                 "step": 3}
        torch.save(state, Path(folder) / "t.pt")
        torch.save(state, Path(folder) / "legacy.pt", _use_new_zipfile_serialization=False)
        files["torch"] = (Path(folder) / "t.pt").read_bytes()
        files["legacy"] = (Path(folder) / "legacy.pt").read_bytes()
    return files


def _rezip(blob: bytes, target: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == target:
                content = change(content)
                if content is None:
                    continue
            dst.writestr(info.filename, content)
    return out.getvalue()


def _mutate_pickle(pickled: bytes, data: st.DataObject) -> bytes:
    at = data.draw(st.integers(0, max(len(pickled) - 1, 0)))
    how = data.draw(st.sampled_from(["insert", "replace", "delete"]))
    if how == "delete":
        return pickled[:at] + pickled[at + data.draw(st.integers(1, 8)):]
    piece = data.draw(st.sampled_from(OPCODES) | st.binary(min_size=1, max_size=6))
    return pickled[:at] + piece + pickled[at + (len(piece) if how == "replace" else 0):]


def mutated(blob: bytes, data: st.DataObject) -> bytes:
    """One damaged variant of a valid file, of a kind drawn at random."""
    is_zip = blob.startswith(b"PK")
    kinds = ["bitflips", "truncate", "splice", "random"]
    kinds += ["pickle", "pickle", "member"] if is_zip else ["pickle", "pickle"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "bitflips":
        out = bytearray(blob)
        for position, bit in data.draw(st.lists(st.tuples(
                st.integers(0, len(blob) - 1), st.integers(0, 7)), min_size=1, max_size=8)):
            out[position] ^= 1 << bit
        return bytes(out)
    if kind == "truncate":
        return blob[:data.draw(st.integers(0, len(blob) - 1))]
    if kind == "splice":
        at = data.draw(st.integers(0, len(blob)))
        return blob[:at] + data.draw(st.binary(min_size=1, max_size=32)) + blob[at:]
    if kind == "random":
        return data.draw(st.binary(max_size=512))
    if not is_zip:  # legacy: the pickles come first, then the storages
        return _mutate_pickle(blob[:600], data) + blob[600:]
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
    if kind == "pickle":
        target = next(name for name in names if name.endswith("data.pkl"))
        return _rezip(blob, target, lambda content: _mutate_pickle(content, data))
    target = data.draw(st.sampled_from(names))
    how = data.draw(st.sampled_from(["remove", "random", "shorter", "longer"]))
    return _rezip(blob, target, lambda content: None if how == "remove"
                  else data.draw(st.binary(max_size=64)) if how == "random"
                  else content[:-1] if how == "shorter" else content + b"\0" * 4)


def run_fuzz(examples: int) -> tuple[int, int]:
    files = valid_files()
    counts = {"loaded": 0, "refused": 0}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.pt"

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            path.write_bytes(mutated(files[data.draw(st.sampled_from(sorted(files)))], data))
            started = time.perf_counter()
            try:
                ember.load(path)
            except ember.ModelFileError:
                counts["refused"] += 1
            else:
                counts["loaded"] += 1
            assert time.perf_counter() - started < SECONDS_PER_FILE

        fuzz()
    assert counts["refused"] > examples // 4
    return counts["loaded"], counts["refused"]


def test_valid_files_load() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, blob in valid_files().items():
            (Path(folder) / name).write_bytes(blob)
            assert ember.load(Path(folder) / name)


def test_fuzzed_torch_files_load_or_raise_model_file_error() -> None:
    run_fuzz(DEFAULT_EXAMPLES)


@pytest.mark.slow
def test_fuzzed_torch_files_load_or_raise_model_file_error_full() -> None:
    loaded, refused = run_fuzz(SLOW_EXAMPLES)
    print(f"\n.pt fuzz: {loaded} loaded, {refused} refused")
