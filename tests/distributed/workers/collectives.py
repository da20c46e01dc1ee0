"""Each collective on 2+ ranks against the same computation in NumPy."""

import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi"


def contribution(r: int, dtype: str = "float32") -> np.ndarray:
    return (np.arange(12).reshape(3, 4) * (r + 1) - 5 * r).astype(dtype)


everyone = np.stack([contribution(r) for r in range(size)])
expected = {dist.ReduceOp.SUM: everyone.sum(0), dist.ReduceOp.AVG: everyone.mean(0),
            dist.ReduceOp.MAX: everyone.max(0), dist.ReduceOp.MIN: everyone.min(0),
            dist.ReduceOp.PRODUCT: everyone.prod(0)}
for op, want in expected.items():
    t = ember.tensor(contribution(rank))
    version = t._version
    assert dist.all_reduce(t, op=op) is None
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-6, err_msg=str(op))
    assert t.dtype == ember.float32 and t._version > version

# The buffer is the tensor's own: no copy of a contiguous float32 tensor.
t = ember.tensor(contribution(rank))
before = t.numpy()
dist.all_reduce(t)
assert t.numpy() is before or np.shares_memory(t.numpy(), before)

# Integers, float64, a non-contiguous tensor (written back into the caller's tensor).
t = ember.tensor(contribution(rank, "int64"))
dist.all_reduce(t)
np.testing.assert_array_equal(t.numpy(), everyone.astype("int64").sum(0))
assert t.dtype == ember.int64
t = ember.tensor(contribution(rank, "float64")).t()
dist.all_reduce(t, op=dist.ReduceOp.MAX)
np.testing.assert_array_equal(t.numpy(), everyone.max(0).T)

# async_op: a Work to wait on.
t = ember.tensor(contribution(rank))
work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
work.wait()
np.testing.assert_allclose(t.numpy(), everyone.mean(0), rtol=1e-6)

# broadcast from every source.
for src in range(size):
    t = ember.tensor(contribution(rank))
    dist.broadcast(t, src=src)
    np.testing.assert_array_equal(t.numpy(), contribution(src))

# all_gather into a list of tensors.
out = [ember.zeros(3, 4) for _ in range(size)]
dist.all_gather(out, ember.tensor(contribution(rank)))
for r in range(size):
    np.testing.assert_array_equal(out[r].numpy(), contribution(r))

# reduce: the result on dst only; the others keep their input.
t = ember.tensor(contribution(rank))
dist.reduce(t, dst=size - 1, op=dist.ReduceOp.SUM)
want = everyone.sum(0) if rank == size - 1 else contribution(rank)
np.testing.assert_array_equal(t.numpy(), want)

# Objects, and errors that name what is wrong.
objs = [None] * size
dist.all_gather_object(objs, {"rank": rank})
assert objs == [{"rank": r} for r in range(size)]
box = [f"from {rank}"]
dist.broadcast_object_list(box, src=0)
assert box == ["from 0"]
for bad, kind in ((lambda: dist.broadcast(ember.zeros(2), src=size), ValueError),
                  (lambda: dist.all_gather([ember.zeros(2)], ember.zeros(2)), ValueError),
                  (lambda: dist.all_reduce(ember.zeros(2), group=object()), NotImplementedError),
                  (lambda: dist.all_reduce(ember.zeros(2, dtype=ember.int64),
                                           op=dist.ReduceOp.AVG), TypeError),
                  (lambda: dist.init_process_group("mpi"), ValueError),
                  (lambda: dist.init_process_group("gloo"), ValueError)):
    try:
        bad()
    except kind:
        pass
    else:
        raise AssertionError(f"expected {kind.__name__}")
dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
try:
    dist.get_rank()
except ValueError as error:
    assert "init_process_group" in str(error)
else:
    raise AssertionError("get_rank after destroy must raise")
print(f"OK rank {rank}", flush=True)
