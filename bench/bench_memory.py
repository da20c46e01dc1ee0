"""Peak resident memory of one MNIST MLP epoch (the Keras book's 784-512-10, RMSprop, batch 128):
ember's core API against the same network by hand in plain NumPy and against PyTorch.

    EMBER_DATA=../shared/data python bench/bench_memory.py

Each side runs in a fresh process of its own (peak memory cannot be measured side by side in one
process): it imports only its framework, reads MNIST from the same IDX files with NumPy, trains
one epoch and reports the peak resident set size while the epoch ran (Linux's ``VmHWM``,
restarted after loading), its size just before the epoch, and its peak while loading the data.
The limits the issue sets: ember's peak at most the plain-NumPy loop's plus 10%, and at most
PyTorch's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status_mib(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (its peak) of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> None:
    """Restart the peak-RSS count (VmHWM) from the current size (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def child(side: str) -> None:
    """Train one epoch on ``side`` in this process and print a JSON line of its memory."""
    sys.path.insert(0, str(HERE))
    import numpy as np

    from _common import mnist_flat_plain
    from _mlp_models import initial_weights, one_epoch

    if side == "numpy":
        from _mlp_models import NumpyMLP

        model = NumpyMLP(initial_weights(0))
    elif side == "ember":
        from bench_mlp import EmberMLP

        model = EmberMLP(initial_weights(0))
    else:
        import torch

        from _mlp_models import TorchMLP

        torch.set_num_threads(2)
        model = TorchMLP(torch, initial_weights(0))
    x_train, y_train, x_test, y_test = mnist_flat_plain()
    order = np.random.default_rng(0).permutation(len(x_train))
    load_peak = _status_mib("VmHWM")
    before = _status_mib("VmRSS")
    _reset_peak()
    one_epoch(model, x_train, y_train, order)
    print(json.dumps({"side": side, "peak_mib": _status_mib("VmHWM"), "before_epoch_mib": before,
                      "load_peak_mib": load_peak, "accuracy": model.accuracy(x_test, y_test)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("numpy", "ember", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per side")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sys.path.insert(0, str(HERE))
    from _common import cpu_model

    results: dict[str, list[dict]] = {"numpy": [], "ember": [], "torch": []}
    for _ in range(args.rounds):
        for side in results:
            done = subprocess.run([sys.executable, __file__, "--child", side], check=True,
                                  capture_output=True, text=True)
            results[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"CPU: {cpu_model()}")
    peak = {side: min(r["peak_mib"] for r in runs) for side, runs in results.items()}
    for side, runs in results.items():
        before = min(r["before_epoch_mib"] for r in runs)
        loading = min(r["load_peak_mib"] for r in runs)
        print(f"{side:6s} peak during the epoch {peak[side]:6.1f} MiB (before it {before:6.1f}; "
              f"peak while loading {loading:6.1f}), test accuracy {runs[0]['accuracy']:.4f}")
    print(f"ember / plain-numpy peak: {peak['ember'] / peak['numpy']:.3f}x (limit 1.10x)")
    print(f"ember / torch peak: {peak['ember'] / peak['torch']:.3f}x (limit 1.00x)")


if __name__ == "__main__":
    main()
