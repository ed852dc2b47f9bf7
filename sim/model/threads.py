"""BLAS on one thread, for results whose last bits must not depend on who computes them.

The last bits of a matrix product can depend on how many threads BLAS splits it over. Cached
baselines, chord preconditioners and the batch engine's batched solves are computed with BLAS
on one thread so that a serial run, a process-pool worker and a Dask worker give identical
bits. ``threadpoolctl``'s limit is process-wide and restored when the block ends, so two threads
of one process (a Dask worker with several threads, the app's sessions) must not interleave
their blocks: the lock makes each block run alone, limit set on entry and restored on exit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["one_blas_thread"]

_LOCK = threading.RLock()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS limited to one thread, one block per process at a time."""
    with _LOCK, threadpool_limits(limits=1, user_api="blas"):
        yield
