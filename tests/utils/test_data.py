"""Datasets, samplers, collate and the DataLoader."""

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


class Squares(Dataset):
    """A dataset without the array fast path: samples come one by one from __getitem__."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.tensor([float(i), float(i * i)]), i


def _tensor_dataset(n=23):
    x = ember.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    return TensorDataset(x, ember.arange(n))


def _seen(loader):
    return np.concatenate([batch[1].numpy() for batch in loader])


DATASETS = [_tensor_dataset, lambda: Squares(23),
            lambda: Subset(_tensor_dataset(40), list(range(5, 28)))]


@pytest.mark.parametrize("make", DATASETS, ids=["tensor", "per-sample", "subset"])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize(("batch_size", "drop_last"), [(1, False), (4, False), (4, True),
                                                       (5, True), (23, False), (50, False)])
def test_every_sample_once_per_epoch(make, shuffle, batch_size, drop_last):
    dataset = make()
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    seen = _seen(loader)
    expected_count = (23 // batch_size) * batch_size if drop_last else 23
    assert len(seen) == expected_count == len(set(seen.tolist()))
    all_labels = set(_seen(DataLoader(dataset, batch_size=23)).tolist())
    assert set(seen.tolist()) <= all_labels
    if not drop_last:
        assert set(seen.tolist()) == all_labels
    sizes = [len(b[1]) for b in loader]
    assert len(sizes) == len(loader)
    assert all(s == batch_size for s in sizes[:-1])
    if not shuffle:
        assert seen.tolist() == sorted(seen.tolist())


def test_batches_match_between_fast_path_and_per_sample_fetch():
    ds = _tensor_dataset()
    fast = list(DataLoader(ds, batch_size=4))
    slow = list(DataLoader(ds, batch_size=4, collate_fn=default_collate))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())
        assert fx.dtype == ember.float32 and fy.dtype == sy.dtype


def test_shuffle_is_reproducible_and_differs_across_epochs():
    ds = _tensor_dataset(50)
    ember.manual_seed(3)
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    first, second = _seen(loader), _seen(loader)
    assert first.tolist() != second.tolist()
    ember.manual_seed(3)
    assert _seen(DataLoader(ds, batch_size=8, shuffle=True)).tolist() == first.tolist()

    a = DataLoader(ds, batch_size=8, shuffle=True, generator=ember.Generator(7))
    b = DataLoader(ds, batch_size=8, shuffle=True, generator=ember.Generator(7))
    assert _seen(a).tolist() == _seen(b).tolist()


def test_collate_of_tuples_dicts_and_numbers():
    batch = default_collate([(np.ones(3, dtype=np.float32), 1, 0.5, "a"),
                             (np.zeros(3, dtype=np.float32), 2, 1.5, "b")])
    x, ints, floats, names = batch
    assert isinstance(x, ember.Tensor) and tuple(x.shape) == (2, 3) and x.dtype == ember.float32
    assert ints.dtype == ember.int64 and ints.numpy().tolist() == [1, 2]
    assert floats.dtype == ember.float64
    assert names == ["a", "b"]
    d = default_collate([{"x": ember.tensor([1.0]), "y": 0}, {"x": ember.tensor([2.0]), "y": 1}])
    assert tuple(d["x"].shape) == (2, 1) and d["y"].numpy().tolist() == [0, 1]
    with pytest.raises(RuntimeError, match="same number of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="can't batch"):
        default_collate([object(), object()])


def test_per_sample_dataset_collates_tuples():
    x, y = next(iter(DataLoader(Squares(10), batch_size=4)))
    assert tuple(x.shape) == (4, 2)
    assert y.numpy().tolist() == [0, 1, 2, 3]


def test_custom_collate_batch_size_none_and_batch_sampler():
    ds = _tensor_dataset(10)
    loader = DataLoader(ds, batch_size=3, collate_fn=lambda samples: len(samples))
    assert list(loader) == [3, 3, 3, 1]
    unbatched = list(DataLoader(ds, batch_size=None))
    assert len(unbatched) == 10 and int(unbatched[4][1].item()) == 4
    sampler = BatchSampler(SequentialSampler(ds), batch_size=4, drop_last=True)
    assert list(sampler) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    loader = DataLoader(ds, batch_sampler=sampler)
    assert len(loader) == 2 and _seen(loader).tolist() == list(range(8))
    loader = DataLoader(ds, batch_sampler=[[9, 0], [5]])
    assert _seen(loader).tolist() == [9, 0, 5]


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    order = list(RandomSampler(range(20), generator=ember.Generator(0)))
    assert sorted(order) == list(range(20)) and order != list(range(20))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=50,
                               generator=ember.Generator(0)))
    assert len(draws) == 50 and set(draws) <= {0, 1, 2}
    with pytest.raises(ValueError, match="replacement"):
        RandomSampler(range(3), num_samples=5)


def test_bad_loader_arguments():
    ds = _tensor_dataset()
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match=f"batch_size should be a positive integer.*{bad}"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=4, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)


def test_tensor_dataset():
    ds = TensorDataset(ember.zeros(5, 3), np.arange(5))
    x, y = ds[2]
    assert tuple(x.shape) == (3,) and int(y.item()) == 2
    assert len(ds) == 5
    with pytest.raises(ValueError, match=r"Size mismatch.*\[5, 4\]"):
        TensorDataset(ember.zeros(5, 3), ember.zeros(4))


def test_random_split_sizes_and_disjointness():
    ds = _tensor_dataset(10)
    parts = random_split(ds, [3, 7], generator=ember.Generator(0))
    assert [len(p) for p in parts] == [3, 7]
    indices = [i for p in parts for i in p.indices]
    assert sorted(indices) == list(range(10))
    parts = random_split(ds, [0.5, 0.3, 0.2], generator=ember.Generator(0))
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(range(11), [0.5, 0.5], generator=ember.Generator(0))
    assert [len(p) for p in parts] == [6, 5]
    again = random_split(ds, [3, 7], generator=ember.Generator(0))
    assert again[0].indices == random_split(ds, [3, 7], generator=ember.Generator(0))[0].indices
    with pytest.raises(ValueError, match="sum to 9.*10 samples"):
        random_split(ds, [4, 5])
    first = parts[0]
    assert int(first[0]) in range(11)


def test_subset_and_concat():
    ds = _tensor_dataset(10)
    sub = Subset(ds, [7, 2, 9])
    assert len(sub) == 3 and int(sub[1][1].item()) == 2
    assert _seen(DataLoader(sub, batch_size=2)).tolist() == [7, 2, 9]
    both = ds + Squares(4)
    assert isinstance(both, ConcatDataset) and len(both) == 14
    assert both[10][1] == 0 and both[-1][1] == 3
    with pytest.raises(IndexError):
        both[14]


def test_pin_memory_warns_as_pytorch_does_without_an_accelerator():
    dataset = TensorDataset(ember.arange(4.0))
    with pytest.warns(UserWarning, match="pin_memory.*no accelerator"):
        loader = DataLoader(dataset, batch_size=2, pin_memory=True)
    assert [batch[0].tolist() for batch in loader] == [[0.0, 1.0], [2.0, 3.0]]
