"""Saving survives SIGKILL at any moment: the previous file stays whole and loadable, and the
temporary file a killed save leaves behind is removed by the next save of the same target.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import keras
from ember.serialization import stale_temporaries

DEFAULT_KILLS = 10
SLOW_KILLS = 50
KINDS = ("keras", "weights", "state")
FILENAMES = {"keras": "model.keras", "weights": "model.weights.safetensors",
             "state": "state.safetensors"}

# Saves the same model over and over, every weight equal to the save's number, and prints the
# number once the save is complete.
SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    import ember
    from ember import keras

    kind, path = sys.argv[1], sys.argv[2]
    model = keras.Sequential([keras.layers.Dense(64, input_shape=(32,)),
                              keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    count = 0
    while True:
        count += 1
        with ember.no_grad():
            for p in model.parameters():
                p.fill_(float(count))
        if kind == "keras":
            model.save(path)
        elif kind == "weights":
            model.save_weights(path)
        else:
            ember.save(model.state_dict(), path)
        print(count, flush=True)
""")


def _fresh_model() -> keras.Model:
    model = keras.Sequential([keras.layers.Dense(64, input_shape=(32,)), keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _load_values(kind: str, path: Path) -> set[float]:
    """Every distinct weight value in the file (a whole file from one save has exactly one)."""
    if kind == "keras":
        model = keras.models.load_model(str(path))
        arrays = [p.detach().numpy() for p in model.parameters()]
    elif kind == "weights":
        model = _fresh_model()
        model.load_weights(str(path))
        arrays = [p.detach().numpy() for p in model.parameters()]
    else:
        arrays = [t.numpy() for t in ember.load(path).values()]
    return {float(v) for array in arrays for v in np.unique(array)}


def _save_again(kind: str, path: Path) -> None:
    model = _fresh_model()
    if kind == "keras":
        model.save(str(path))
    elif kind == "weights":
        model.save_weights(str(path))
    else:
        ember.save(model.state_dict(), path)


def kill_while_saving(folder: Path, kind: str, rng: random.Random) -> tuple[int, bool]:
    """SIGKILL a process that saves repeatedly, at a random moment after its first save.

    Returns the number of the last save it reported and whether it left a temporary file.
    """
    path = folder / FILENAMES[kind]
    process = subprocess.Popen([sys.executable, "-c", SAVER, kind, str(path)],
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.strip() == "1", "the saving process failed to start"
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        rest = process.communicate()[0].split()
    last = int(rest[-1]) if rest else 1
    values = _load_values(kind, path)
    assert len(values) == 1, f"{path.name} mixes two saves: {sorted(values)[:4]}"
    saved = int(values.pop())
    assert last <= saved <= last + 1  # the last reported save, or one whose rename had happened
    left_over = bool(stale_temporaries(path))
    _save_again(kind, path)
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    return saved, left_over


def run_kills(folder: Path, kills: int) -> int:
    rng = random.Random(1234)
    left_overs = 0
    for index in range(kills):
        _, left_over = kill_while_saving(folder, KINDS[index % len(KINDS)], rng)
        left_overs += left_over
    return left_overs


def test_a_killed_save_leaves_the_previous_file_whole(tmp_path: Path) -> None:
    run_kills(tmp_path, DEFAULT_KILLS)


@pytest.mark.slow
def test_a_killed_save_leaves_the_previous_file_whole_many_times(tmp_path: Path) -> None:
    left_overs = run_kills(tmp_path, SLOW_KILLS)
    print(f"\n{SLOW_KILLS} kills, {left_overs} left a temporary file that the next save removed")


def test_the_next_save_removes_temporaries_of_dead_processes_only(tmp_path: Path) -> None:
    target = tmp_path / "model.keras"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".model.keras.{dead}.abc123.tmp"
    alive = tmp_path / f".model.keras.{os.getpid()}.zzz999.tmp"
    other = tmp_path / f".other.keras.{dead}.abc123.tmp"
    for path in (stale, alive, other):
        path.write_bytes(b"partial")
    _fresh_model().save(str(target))
    assert not stale.exists()
    assert alive.exists() and other.exists()


def test_the_cli_model_file_is_written_atomically(tmp_path: Path) -> None:
    from ember.cli.modelfile import load_model_file, save_model_file
    from ember.cli.recipes import get_recipe

    arch = {"inputs": 4, "hidden": [5], "classes": 3, "name": "iris"}
    model = get_recipe("iris").build(arch)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    record = {"recipe": "iris", "family": "keras", "architecture": arch, "output": "probs",
              "preprocessing": {}, "class_names": ["a", "b", "c"]}
    path = tmp_path / "model.keras"
    (tmp_path / f".model.keras.{2**22 + 7}.old.tmp").write_bytes(b"left by a killed save")
    save_model_file(path, model, record)
    assert load_model_file(path).record["recipe"] == "iris"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
