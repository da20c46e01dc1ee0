"""Data-parallel training of the seed MNIST CNN over MPI: images/s on 1 and 2 ranks, one thread
each, and the scaling efficiency (2-rank images/s over twice the 1-rank images/s).

    EMBER_DATA=../shared/data python bench/bench_ddp.py [--images 1280] [--ranks 1 2]

Each rank trains ``DistributedDataParallel(Net())`` with Adam on its own batches of 64 real
MNIST images (so 2 ranks take 128 images per step); the driver launches one
``mpiexec -n R python bench/bench_ddp.py --worker`` job per rank count. Also printed: the bytes
one all-reduce of the gradients moves per step, and the time it took here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _common import cpu_name

HERE = Path(__file__).resolve().parent


def worker(images: int, batch: int, warmup: int) -> None:
    import ember
    import ember.distributed as dist
    import ember.nn.functional as F
    from ember import optim
    from ember.datasets import load_mnist
    from ember.nn.parallel import DistributedDataParallel

    sys.path.insert(0, str(HERE.parent / "examples"))
    from torch_mnist_cnn import Net

    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    (x_train, y_train), _ = load_mnist()
    steps = images // batch
    rows = np.arange(rank * batch, (warmup + steps) * batch * size, size * batch)
    x = ((x_train / 255.0 - 0.1307) / 0.3081).astype(np.float32)[:, None]
    batches = [(ember.from_numpy(x[r:r + batch]), ember.from_numpy(y_train[r:r + batch]
                                                                   .astype(np.int64)))
               for r in rows]
    ember.manual_seed(0)
    model = DistributedDataParallel(Net())
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def step(xb: ember.Tensor, yb: ember.Tensor) -> None:
        opt.zero_grad()
        F.nll_loss(model(xb), yb).backward()
        opt.step()

    for xb, yb in batches[:warmup]:
        step(xb, yb)
    dist.barrier()
    started = time.perf_counter()
    for xb, yb in batches[warmup:]:
        step(xb, yb)
    dist.barrier()
    seconds = time.perf_counter() - started

    gradients = ember.zeros(sum(p.numel() for p in model.parameters()))
    dist.barrier()
    reduce_started = time.perf_counter()
    for _ in range(5):
        dist.all_reduce(gradients)
    reduce_seconds = (time.perf_counter() - reduce_started) / 5
    if rank == 0:
        print(json.dumps({"ranks": size, "images": steps * batch * size, "seconds": seconds,
                          "images_per_second": steps * batch * size / seconds,
                          "gradient_bytes": gradients.numel() * 4,
                          "allreduce_seconds": reduce_seconds,
                          "buckets": len(model.reducer.buckets)}), flush=True)


def run(ranks: int, images: int) -> dict[str, float]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "EMBER_NUM_THREADS": "1"}
    mpiexec = Path(sys.executable).parent / "mpiexec"
    command = [str(mpiexec) if mpiexec.exists() else "mpiexec", "-n", str(ranks),
               sys.executable, __file__, "--worker", "--images", str(images)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"mpiexec -n {ranks} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1280, help="timed images per rank")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.images, batch=64, warmup=3)
        return
    print(f"seed MNIST CNN, DistributedDataParallel over MPI, batch 64 per rank, one thread per "
          f"rank, on {cpu_name()} ({os.cpu_count()} logical CPUs)")
    results = {}
    for ranks in args.ranks:
        results[ranks] = r = run(ranks, args.images)
        print(f"{ranks} rank(s): {r['images_per_second']:7.1f} images/s "
              f"({r['images']} images in {r['seconds']:.1f} s); all-reduce of "
              f"{r['gradient_bytes'] / 1e6:.2f} MB of gradients: "
              f"{r['allreduce_seconds'] * 1e3:.1f} ms, {r['buckets']} bucket(s)")
    if 1 in results and len(results) > 1:
        for ranks, r in results.items():
            if ranks != 1:
                efficiency = r["images_per_second"] / (ranks * results[1]["images_per_second"])
                print(f"scaling efficiency at {ranks} ranks: {efficiency:.0%}")


if __name__ == "__main__":
    main()
