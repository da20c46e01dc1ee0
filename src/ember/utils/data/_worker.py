"""``DataLoader(num_workers=N)``: batches loaded and transformed in worker processes.

The main process draws the order (sampler, batch sampler) exactly as without workers and
hands batches of indices round-robin to the workers, keeping ``prefetch_factor`` batches per
worker in flight; each worker reads its samples, collates them and sends the batch back, and
the batches are yielded in the sampler's order, so the result equals ``num_workers=0``'s for
any dataset whose samples do not depend on the worker's random state.

As in PyTorch, each worker seeds ember's default generator, Python's ``random`` and NumPy's
global generator with ``base_seed + worker_id`` (``base_seed`` drawn from the loader's
generator each epoch), calls ``worker_init_fn(worker_id)``, and sees
:func:`get_worker_info`. Workers are forked where the platform can (no ``__main__`` guard
needed), else spawned (the dataset must then be picklable).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ember import random as _random
from ember.tensor import Tensor

_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself (``get_worker_info()``)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker: its id, the number of workers, its seed and its copy of the
    dataset; in the main process: None."""
    return _worker_info


class _Packed:
    """A Tensor on its way between processes (sent as its NumPy array)."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _pack(value: Any) -> Any:
    if isinstance(value, Tensor):
        return _Packed(value.numpy())
    if isinstance(value, dict):
        return {k: _pack(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_pack(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_pack(v) for v in value)
    return value


def _unpack(value: Any) -> Any:
    if isinstance(value, _Packed):
        return Tensor._wrap(value.array)
    if isinstance(value, dict):
        return {k: _unpack(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_unpack(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_unpack(v) for v in value)
    return value


def fetch_one(dataset: Any, collate: Callable[[Any], Any], index: Any) -> Any:
    """One sample, collated (``batch_size=None``); module-level so spawned workers get it."""
    return collate(dataset[index])


def fetch_batch(dataset: Any, collate: Callable[[list[Any]], Any], indices: Any) -> Any:
    """The samples at ``indices``, collated into a batch."""
    return collate([dataset[i] for i in indices])


@dataclass
class _Failure:
    """An exception raised in a worker, carried back to be raised in the main process."""

    type_name: str
    exc_type: type[BaseException] | None
    text: str


def _worker_loop(worker_id: int, num_workers: int, seed: int, dataset: Any,
                 fetch: Callable[[Any], Any], init_fn: Callable[[int], None] | None,
                 tasks: Any, results: Any) -> None:
    import random
    import traceback

    global _worker_info
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    _random.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as exc:  # reported for every task, as the worker cannot work
        failure = _Failure(type(exc).__name__, type(exc), traceback.format_exc())
        while (task := tasks.get()) is not None:
            results.put((task[0], failure))
        return
    while (task := tasks.get()) is not None:
        number, indices = task
        try:
            results.put((number, _pack(fetch(indices))))
        except Exception as exc:  # the main process re-raises it with the worker's traceback
            results.put((number, _Failure(type(exc).__name__, type(exc),
                                          traceback.format_exc())))


def _context(requested: Any) -> Any:
    import multiprocessing  # here: it loads socket, signal and selectors, which only workers need

    if requested is not None:
        return multiprocessing.get_context(requested) if isinstance(requested, str) \
            else requested
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _base_seed(generator: Any) -> int:
    """A seed for this epoch's workers read off the loader's generator without drawing from it,
    so the batches' order stays the one loading without workers gives."""
    state = _random.rng(generator).bit_generator.state["state"]
    words = [int(v) for v in (state.values() if isinstance(state, dict) else [state])]
    return int(np.random.SeedSequence(words).generate_state(2, np.uint32).view(np.uint64)[0]
               % (2**63 - 1))


class WorkerPool:
    """``num_workers`` processes with one task queue each and one shared result queue."""

    def __init__(self, loader: Any, fetch: Callable[[Any], Any]) -> None:
        context = _context(loader.multiprocessing_context)
        base_seed = _base_seed(loader.generator)
        self.results = context.Queue()
        self.tasks = [context.Queue() for _ in range(loader.num_workers)]
        self.processes = []
        for worker_id, tasks in enumerate(self.tasks):
            process = context.Process(
                target=_worker_loop, daemon=True,
                args=(worker_id, loader.num_workers, base_seed + worker_id, loader.dataset,
                      fetch, loader.worker_init_fn, tasks, self.results))
            process.start()
            self.processes.append(process)

    def alive(self) -> bool:
        return all(process.is_alive() for process in self.processes)

    def shutdown(self) -> None:
        for tasks in self.tasks:
            tasks.put(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        self.processes = []


def _receive(pool: WorkerPool, timeout: float) -> tuple[int, Any]:
    import queue

    waited = 0.0
    while True:
        step = _POLL_SECONDS if timeout <= 0 else min(_POLL_SECONDS, timeout - waited)
        try:
            return pool.results.get(timeout=step)
        except queue.Empty:
            waited += step
            dead = [p.pid for p in pool.processes if not p.is_alive()]
            if dead:
                raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                   "exited unexpectedly") from None
            if 0 < timeout <= waited:
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None


def _raise(failure: _Failure, worker_id: int) -> None:
    message = (f"Caught {failure.type_name} in DataLoader worker process {worker_id}.\n"
               f"Original {failure.text}")
    exc_type = failure.exc_type
    try:
        error = exc_type(message) if exc_type is not None else RuntimeError(message)
    except Exception:  # an exception class that does not take one message
        error = RuntimeError(message)
    raise error


def iterate(loader: Any, tasks: Iterator[Any], fetch: Callable[[Any], Any]) -> Iterator[Any]:
    """The batches ``fetch(task)`` for each task, computed by the loader's workers, in order."""
    first = next(tasks, None)  # the epoch's order is drawn before the workers' seed is read
    if first is None:
        return
    tasks = itertools.chain([first], tasks)
    pool = getattr(loader, "_worker_pool", None)
    if pool is None or not pool.alive():
        pool = WorkerPool(loader, fetch)
        if loader.persistent_workers:
            loader._worker_pool = pool
    workers = len(pool.tasks)
    in_flight = loader.prefetch_factor * workers
    pending: dict[int, Any] = {}
    sent = received = 0
    exhausted = False
    try:
        while True:
            while not exhausted and sent - received < in_flight:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                pool.tasks[sent % workers].put((sent, task))
                sent += 1
            if received == sent:
                return
            while received not in pending:
                number, result = _receive(pool, loader.timeout)
                pending[number] = result
            result = pending.pop(received)
            if isinstance(result, _Failure):
                _raise(result, received % workers)
            received += 1
            yield _unpack(result)
    finally:
        if not loader.persistent_workers or received != sent:
            pool.shutdown()
            if getattr(loader, "_worker_pool", None) is pool:
                loader._worker_pool = None
