"""Keras fit on 2 ranks against fit in one process: same weights, same epoch logs.

Without shuffling, step i of each rank takes every other sample of the global batch i, so the
two ranks together see exactly the one process's batches; averaged gradients make the same
updates.
"""

import sys
from pathlib import Path

import numpy as np

import ember
import ember.distributed as dist
from ember import keras
from ember.keras import layers

out = Path(sys.argv[1])
data = np.random.default_rng(1)
x = data.standard_normal((96, 5)).astype(np.float32)
y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1)


def train(**fit_options):
    ember.manual_seed(0)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, **fit_options)
    return model, history.history


single, single_history = train(verbose=0)  # before the process group: one process's fit
dist.init_process_group("mpi")
rank = dist.get_rank()
ember.manual_seed(1234 + rank)  # different starting weights per rank: fit broadcasts rank 0's
checkpoint = keras.callbacks.ModelCheckpoint(str(out / f"checkpoint-rank{rank}.keras"))
model, history = train(verbose=2, callbacks=[checkpoint])
for a, b in zip(model.get_weights(), single.get_weights()):
    np.testing.assert_allclose(a, b, atol=1e-5)
for key in single_history:
    np.testing.assert_allclose(history[key], single_history[key], rtol=1e-5, err_msg=key)
model.save(str(out / f"model-rank{rank}.keras"))
dist.barrier()
assert (out / "model-rank0.keras").exists() and (out / "checkpoint-rank0.keras").exists()
assert not (out / "model-rank1.keras").exists(), "rank 1 saved"
assert not (out / "checkpoint-rank1.keras").exists(), "rank 1 wrote a checkpoint"
try:
    model.fit(x, y, batch_size=15, epochs=1, verbose=0)
except ValueError as error:
    assert "not a multiple of 2" in str(error), error
else:
    raise AssertionError("an odd global batch on 2 ranks must be refused")
print(f"OK rank {rank}", flush=True)
