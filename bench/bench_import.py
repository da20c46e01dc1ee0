"""How long ``import ember`` takes and how much memory it leaves: the median over fresh processes.

    python bench/bench_import.py [--runs 21] [--src SRC]

(``--src`` times another checkout's ``src`` folder, e.g. an older commit's from ``git archive``.)

Each run is a new ``python`` that imports NumPy, then ember, timing both with ``perf_counter``,
and reports its peak resident set size (``ru_maxrss``, what ``/usr/bin/time -v`` prints as
"Maximum resident set size"). Two settings are measured:

- bytecode cached: as an installed ember runs. One untimed run first lets Python write ember's
  ``__pycache__``, so the timed runs read compiled bytecode.
- compiled from source: a copy of ember with no ``__pycache__``, run with
  ``PYTHONDONTWRITEBYTECODE=1`` (as in a development environment that sets it), so every import
  compiles each of ember's modules again. NumPy's and the standard library's caches still serve.

Printed for each: the medians of NumPy alone, ember on top of it, the total, and the peak RSS,
with the CPU they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import cpu_model

SRC = Path(__file__).resolve().parents[1] / "src"

CHILD = """
import resource, time, json
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
import ember
t2 = time.perf_counter()
rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"numpy": t1 - t0, "ember": t2 - t1, "rss_mb": rss_kib / 1024}))
"""


def one_run(env: dict[str, str]) -> dict[str, float]:
    """Import NumPy then ember in a fresh interpreter; its timings (s) and peak RSS (MB)."""
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(src: Path, runs: int, write_bytecode: bool) -> dict[str, float]:
    """Medians over ``runs`` fresh processes importing the ember found in ``src``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        one_run(env)  # writes the bytecode caches; not timed
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    results = [one_run(env) for _ in range(runs)]
    medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
    medians["total"] = statistics.median(r["numpy"] + r["ember"] for r in results)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="fresh processes per setting")
    parser.add_argument("--src", type=Path, default=SRC, help="the folder holding ember/")
    args = parser.parse_args()

    cached = measure(args.src, args.runs, write_bytecode=True)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(args.src / "ember", Path(tmp) / "ember",
                        ignore=shutil.ignore_patterns("__pycache__"))
        source = measure(Path(tmp), args.runs, write_bytecode=False)

    print(f"import ember ({args.src}), medians of {args.runs} fresh processes on {cpu_model()}, "
          f"Python {platform.python_version()}, "
          f"NumPy {_numpy_version()}")
    print(f"{'':24s}{'numpy':>8s}{'ember':>8s}{'total':>8s}{'peak RSS':>11s}")
    for label, m in (("bytecode cached", cached), ("compiled from source", source)):
        print(f"{label:24s}{m['numpy'] * 1000:6.0f}ms{m['ember'] * 1000:6.0f}ms"
              f"{m['total'] * 1000:6.0f}ms{m['rss_mb']:8.1f} MB")


def _numpy_version() -> str:
    import numpy

    return numpy.__version__


if __name__ == "__main__":
    main()
