"""``ember.distributed``'s collectives on a real 2-process MPI job, against NumPy."""

import os
import subprocess
import sys

from tests.distributed._mpi import check_ok, run_workers


def test_collectives_match_numpy_on_two_ranks():
    check_ok(run_workers("collectives"))


def test_collectives_on_three_ranks():
    check_ok(run_workers("collectives", ranks=3), ranks=3)


def test_import_ember_does_not_import_mpi4py():
    code = ("import sys, ember, ember.nn, ember.utils.data, ember.distributed, ember.nn.parallel\n"
            "import ember.keras\n"
            "assert 'mpi4py' not in sys.modules, 'mpi4py imported'\n"
            "assert ember.distributed.is_available()\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_single_process_is_a_world_of_one():
    code = ("import ember, ember.distributed as dist\n"
            "dist.init_process_group('mpi')\n"
            "t = ember.ones(3)\n"
            "dist.all_reduce(t, op=dist.ReduceOp.AVG)\n"
            "assert (dist.get_rank(), dist.get_world_size()) == (0, 1), 'rank/size'\n"
            "assert t.tolist() == [1.0, 1.0, 1.0]\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_env_variables_are_checked_against_the_launcher():
    code = ("import ember.distributed as dist\n"
            "try:\n"
            "    dist.init_process_group('mpi', init_method='env://')\n"
            "except ValueError as error:\n"
            "    assert 'world_size=3' in str(error) and 'launcher' in str(error), error\n"
            "else:\n"
            "    raise AssertionError('WORLD_SIZE=3 in a world of one must be refused')\n"
            "dist.init_process_group('mpi', world_size=1, rank=0)\n"
            "assert dist.get_world_size() == 1\n")
    env = {**os.environ, "WORLD_SIZE": "3", "RANK": "0"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)
