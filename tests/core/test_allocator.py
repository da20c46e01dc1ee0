"""ember keeps freed buffers for reuse only once training starts (the first backward pass): data
loaded after ``import ember`` frees its temporaries back to the OS as plain NumPy does."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc/self/status; the tuning is glibc's")

_RSS = """
def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
"""


def _run(body: str) -> str:
    code = _RSS + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PATH": "", "PYTHONPATH": ":".join(sys.path)})
    return done.stdout.strip()


def test_temporaries_freed_after_import_go_back_to_the_os() -> None:
    grown = float(_run("""
        import numpy as np
        import ember
        before = rss_mib()
        temporary = np.ones(40 * 2**20 // 8)  # 40 MiB, as a data loader's intermediate array
        del temporary
        print(rss_mib() - before)
    """))
    assert grown < 10, f"a freed 40 MiB array stayed resident ({grown:.0f} MiB kept)"


def test_after_the_first_backward_freed_buffers_stay_for_reuse() -> None:
    grown = float(_run("""
        import numpy as np
        import ember
        x = ember.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        before = rss_mib()
        temporary = np.ones(40 * 2**20 // 8)
        del temporary
        print(rss_mib() - before)
    """))
    assert grown > 30, f"a freed 40 MiB buffer went back to the OS ({grown:.0f} MiB kept)"
