"""Rank 1 fails (``raise`` or ``kill``) while rank 0 waits for it in a collective."""

import os
import signal
import sys
import time

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
rank = dist.get_rank()
t = ember.ones(1000)
dist.all_reduce(t)  # both ranks are up and talking
if rank == 1:
    time.sleep(0.5)
    if sys.argv[1] == "raise":
        raise ValueError("the data on rank 1 is broken")
    os.kill(os.getpid(), signal.SIGKILL)
dist.all_reduce(t)  # rank 0 waits here for a partner that is gone
print("rank 0 went on without rank 1", flush=True)
