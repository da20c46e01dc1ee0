"""DistributedDataParallel on 2 ranks against one process training on both ranks' data.

Each rank trains on its half of every global batch of 2B; rank 0 also trains a plain copy of the
same network on the whole global batch, one process's way. The weights must agree to 1e-5.
"""

import numpy as np

import ember
import ember.distributed as dist
import ember.nn.functional as F
from ember import nn, optim
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()


def make_net(seed: int) -> nn.Module:
    ember.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 16),
                         nn.Tanh(), nn.Linear(16, 3))


def weights(module: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


data = np.random.default_rng(0)
B, steps = 8, 6
x_all = data.standard_normal((steps, size * B, 1, 8, 8)).astype(np.float32)
y_all = data.integers(0, 3, (steps, size * B))

# Ranks start from different weights: construction broadcasts rank 0's.
net = make_net(seed=100 + rank)
model = DDP(net, bucket_cap_mb=0.001)  # tiny buckets: several all-reduces per backward
reference = weights(make_net(seed=100))
for name, value in weights(model.module).items():
    np.testing.assert_array_equal(value, reference[name], err_msg=f"broadcast {name}")
assert list(model.state_dict()) == [f"module.{k}" for k in reference]
assert len(model.reducer.buckets) > 1

# Count the collectives: one per bucket, not one per parameter.
calls = []


class CountingComm:
    def __init__(self, comm):
        self.comm = comm

    def __getattr__(self, name):
        if name == "Iallreduce":
            calls.append(name)
        return getattr(self.comm, name)


model.reducer.comm = CountingComm(model.reducer.comm)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
single = make_net(seed=100)
single_opt = optim.SGD(single.parameters(), lr=0.1, momentum=0.9)
for step in range(steps):
    mine = slice(rank * B, (rank + 1) * B)
    opt.zero_grad()
    F.cross_entropy(model(ember.tensor(x_all[step, mine])), ember.tensor(y_all[step, mine])
                    ).backward()
    opt.step()
    single_opt.zero_grad()
    F.cross_entropy(single(ember.tensor(x_all[step])), ember.tensor(y_all[step])).backward()
    single_opt.step()
assert len(calls) == steps * len(model.reducer.buckets), (len(calls), model.reducer.buckets)
assert len(model.reducer.buckets) < len(list(net.parameters()))
for name, value in weights(single).items():
    np.testing.assert_allclose(weights(model.module)[name], value, atol=1e-5,
                               err_msg=f"2 ranks x {B} vs 1 x {2 * B}: {name}")

# no_sync: two local accumulations, then one synced backward averages the sum.
net2 = make_net(seed=7)
model2 = DDP(net2)
single2 = make_net(seed=7)
for micro in range(3):
    mine = slice(rank * B, (rank + 1) * B)
    x, y = ember.tensor(x_all[micro, mine]), ember.tensor(y_all[micro, mine])
    if micro < 2:
        with model2.no_sync():
            F.cross_entropy(model2(x), y).backward()
        local = net2[0].weight.grad.numpy().copy()
        everyone = [ember.zeros(*local.shape) for _ in range(size)]
        dist.all_gather(everyone, ember.tensor(local))
        assert not np.allclose(everyone[0].numpy(), everyone[1].numpy()), "no_sync synced"
    else:
        F.cross_entropy(model2(x), y).backward()
    F.cross_entropy(single2(ember.tensor(x_all[micro])), ember.tensor(y_all[micro])).backward()
for (name, p), q in zip(net2.named_parameters(), single2.parameters()):
    np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-5,
                               err_msg=f"no_sync accumulation {name}")

# A parameter left out of the loss: the next forward says the reduction never finished.
class Partial(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x):
        return self.used(x)


model3 = DDP(Partial())
model3(ember.ones(2, 3)).sum().backward()
try:
    model3(ember.ones(2, 3))
except RuntimeError as error:
    assert "prior iteration" in str(error), error
else:
    raise AssertionError("an unused parameter must fail the next forward")

# Different shapes on different ranks: an error at construction, on every rank, naming rank 1.
try:
    DDP(nn.Linear(4, 3 + rank))
except RuntimeError as error:
    assert "rank 1" in str(error) and "weight" in str(error), error
else:
    raise AssertionError("a shape mismatch must fail DDP construction")
# DistributedSampler takes rank and size from the process group.
from ember.utils.data import DistributedSampler  # noqa: E402

assert list(DistributedSampler(range(10), shuffle=False)) == list(range(10))[rank::size]
print(f"OK rank {rank}", flush=True)
