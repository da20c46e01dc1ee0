"""``DataLoader(num_workers=N)``: batches read in worker processes equal the in-process ones,
with PyTorch's worker seeding, ``worker_init_fn``, ``get_worker_info``, persistent workers and
errors carried back from the workers."""

from __future__ import annotations

import os

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info


class Squares(Dataset):
    """Sample i: (i, i * i, the pid that read it, a random draw in that process)."""

    def __len__(self) -> int:
        return 23

    def __getitem__(self, index: int):
        return (ember.tensor(float(index)), index * index, os.getpid(),
                float(ember.rand(1).item()))


def _batches(loader):
    return [[part.numpy().tolist() if hasattr(part, "numpy") else part for part in batch]
            for batch in loader]


def test_workers_give_the_batches_of_the_main_process_in_order() -> None:
    plain = DataLoader(Squares(), batch_size=4, shuffle=True, generator=ember.Generator(3))
    workers = DataLoader(Squares(), batch_size=4, shuffle=True, generator=ember.Generator(3),
                         num_workers=2)
    ours = _batches(workers)
    theirs = _batches(plain)
    assert [b[:2] for b in ours] == [b[:2] for b in theirs]
    pids = {pid for batch in ours for pid in batch[2]}
    assert os.getpid() not in pids and len(pids) == 2


def test_array_datasets_and_unbatched_loading_in_workers() -> None:
    x = ember.arange(40).reshape(20, 2)
    loader = DataLoader(TensorDataset(x, ember.arange(20)), batch_size=6, num_workers=2)
    batches = list(loader)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x.numpy())
    single = list(DataLoader(TensorDataset(x), batch_size=None, num_workers=2))
    assert len(single) == 20 and single[3][0].numpy().tolist() == [6, 7]


def _record_worker(worker_id: int) -> None:
    info = get_worker_info()
    assert info is not None and info.id == worker_id and info.num_workers == 3
    np.random.seed(1000 + worker_id)  # the hook runs before any sample is read


def test_worker_seeds_follow_the_loader_generator_and_init_fn_runs() -> None:
    def draws(seed):
        loader = DataLoader(Squares(), batch_size=1, num_workers=3, worker_init_fn=_record_worker,
                            generator=ember.Generator(seed))
        return [batch[3].item() for batch in loader]

    first, again, other = draws(1), draws(1), draws(2)
    assert first == again and first != other
    assert len(set(first[:3])) == 3  # each worker its own stream
    assert get_worker_info() is None


class Broken(Dataset):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int):
        if index == 5:
            raise KeyError(f"sample {index} is missing")
        return ember.tensor(float(index))


def test_an_error_in_a_worker_is_raised_in_the_main_process() -> None:
    loader = DataLoader(Broken(), batch_size=2, num_workers=2)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(loader)


def test_persistent_workers_are_kept_between_epochs() -> None:
    loader = DataLoader(Squares(), batch_size=8, num_workers=2, persistent_workers=True)
    first = {pid for batch in loader for pid in batch[2].tolist()}
    second = {pid for batch in loader for pid in batch[2].tolist()}
    assert first == second
    fresh = DataLoader(Squares(), batch_size=8, num_workers=2)
    assert {p for b in fresh for p in b[2].tolist()} != {p for b in fresh for p in b[2].tolist()}
    processes = list(loader._worker_pool.processes)
    for _batch in loader:
        break  # stopping early ends the workers (their queued batches are not wanted)
    assert loader._worker_pool is None
    assert not any(process.is_alive() for process in processes)


def test_worker_options_are_checked_as_pytorch_checks_them() -> None:
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(Squares(), prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(Squares(), persistent_workers=True)
    with pytest.raises(ValueError, match="timeout"):
        DataLoader(Squares(), num_workers=1, timeout=-1)
    assert DataLoader(Squares(), num_workers=2).prefetch_factor == 2
