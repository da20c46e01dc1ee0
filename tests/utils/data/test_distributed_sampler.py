"""``DistributedSampler``: PyTorch's assignment of indices to ranks, index for index."""

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

CASES = [(n, replicas, drop_last) for n in (0, 1, 2, 7, 10, 13) for replicas in (1, 2, 3, 4)
         for drop_last in (False, True)]


def _rank_lists(n, replicas, **kwargs):
    return [list(DistributedSampler(range(n), num_replicas=replicas, rank=r, **kwargs))
            for r in range(replicas)]


def test_unshuffled_assignment_by_hand():
    # 10 samples on 3 ranks: padded with the first 2 to 12, then every third index.
    assert _rank_lists(10, 3, shuffle=False) == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    assert _rank_lists(10, 3, shuffle=False, drop_last=True) == [[0, 3, 6], [1, 4, 7],
                                                                 [2, 5, 8]]
    # Fewer samples than ranks: the padding repeats the order as often as needed.
    assert _rank_lists(2, 5, shuffle=False) == [[0], [1], [0], [1], [0]]


def test_shuffled_epochs_cover_the_data_and_differ():
    sampler_lists = []
    for epoch in (0, 1):
        lists = []
        for rank in range(2):
            sampler = DistributedSampler(range(11), num_replicas=2, rank=rank, seed=3)
            sampler.set_epoch(epoch)
            lists.append(list(sampler))
        assert set(lists[0] + lists[1]) == set(range(11))  # 12 places: one index repeats
        assert len(lists[0]) == len(lists[1]) == 6
        sampler_lists.append(lists)
    assert sampler_lists[0] != sampler_lists[1]
    again = DistributedSampler(range(11), num_replicas=2, rank=0, seed=3)
    assert list(again) == sampler_lists[0][0]  # seed + epoch decides: the same on every rank


def test_invalid_rank_and_no_process_group():
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))


def test_dataloader_batches_this_ranks_share():
    x = ember.arange(10, dtype=ember.float32).reshape(10, 1)
    sampler = DistributedSampler(TensorDataset(x), num_replicas=2, rank=1, shuffle=False)
    batches = [b[0].numpy().ravel().tolist() for b in DataLoader(TensorDataset(x), batch_size=2,
                                                                  sampler=sampler)]
    assert batches == [[1.0, 3.0], [5.0, 7.0], [9.0]]


@pytest.mark.parametrize("n,replicas,drop_last", CASES)
def test_matches_pytorch_unshuffled(n, replicas, drop_last):
    torch_data = pytest.importorskip("torch.utils.data")
    for rank in range(replicas):
        ours = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False,
                                  drop_last=drop_last)
        theirs = torch_data.DistributedSampler(range(n), num_replicas=replicas, rank=rank,
                                               shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) == ours.num_samples
        assert ours.total_size == theirs.total_size


@pytest.mark.parametrize("n,replicas,drop_last", CASES)
def test_matches_pytorch_shuffled_given_the_same_permutation(n, replicas, drop_last,
                                                            monkeypatch):
    # The permutation comes from each library's own generator; with PyTorch's randperm made to
    # return ember's permutation, PyTorch's sampler must hand out exactly our indices.
    torch = pytest.importorskip("torch")
    import torch.utils.data.distributed as torch_distributed

    seed, epoch = 5, 3
    permutation = ember.Generator(seed + epoch).rng.permutation(n)
    monkeypatch.setattr(torch_distributed.torch, "randperm",
                        lambda size, generator=None: torch.from_numpy(permutation.copy()))
    for rank in range(replicas):
        ours = DistributedSampler(range(n), num_replicas=replicas, rank=rank, seed=seed,
                                  drop_last=drop_last)
        theirs = torch_distributed.DistributedSampler(range(n), num_replicas=replicas,
                                                      rank=rank, seed=seed, drop_last=drop_last)
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        assert list(ours) == list(theirs)
        assert all(isinstance(i, int) for i in ours)


def test_indices_are_python_ints():
    assert all(type(i) is int for i in DistributedSampler(range(5), 2, 0))
    assert np.asarray(list(DistributedSampler(range(5), 2, 1))).dtype == np.int64
