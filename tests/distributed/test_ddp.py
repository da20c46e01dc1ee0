"""``nn.parallel.DistributedDataParallel`` on a real 2-process MPI job."""

import pytest
from tests.distributed._mpi import check_ok, run_workers

import ember


def test_two_ranks_of_batch_b_equal_one_process_of_batch_2b():
    # Also: rank 0's weights broadcast, module. keys, buckets, no_sync, unused parameters and
    # a shape mismatch between ranks (see workers/ddp.py).
    check_ok(run_workers("ddp"))


def test_needs_an_initialised_process_group():
    with pytest.raises(ValueError, match="init_process_group"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))


@pytest.mark.parametrize("option", [{"device_ids": [0]}, {"find_unused_parameters": True},
                                    {"process_group": object()}, {"static_graph": True}])
def test_unsupported_options_are_refused_by_name(option):
    with pytest.raises(NotImplementedError, match=next(iter(option))):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2), **option)
