"""Executors behind :class:`concurrent.futures.Executor`: serial, process pool, Dask.

* ``serial``: runs each chunk when it is submitted (debugging, tests);
* ``process`` (default): :class:`~concurrent.futures.ProcessPoolExecutor` with an explicit
  ``forkserver`` (else ``spawn``) context; the global start method is never touched; each
  worker runs BLAS on one thread (as Dask's workers do): N workers with a multi-threaded BLAS
  each oversubscribe N cores, and the solver's small batched products then ran 2.2× slower
  (docs/batch.md);
* ``dask``: ``distributed.Client(address or LocalCluster(...)).get_executor()``; needs the
  optional extra ``tradesim[dist]``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from sim.batch.plan import BatchError

__all__ = ["EXECUTORS", "SerialExecutor", "executor", "one_blas_thread"]

EXECUTORS = ("serial", "process", "dask")
#: Dask settings for the workers of a local cluster (the nanny hands its configuration to the
#: worker it spawns). A chunk is one long, Python-heavy task (SimPy timeline, small numpy
#: products); Dask's statistical profiler samples the running thread's stack every 10 ms and
#: the worker's event loop ticks every 20 ms, both taking the GIL from the task. No dashboard
#: reads the profiles of a local batch run, so profiling is off and the ticks are slower.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}


class SerialExecutor(Executor):
    """Run each submitted call at once in this process (a completed future)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            fut.set_exception(exc)
        return fut


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def one_blas_thread() -> None:
    """Process-pool initializer: limit BLAS to one thread in this worker (at run time, so it
    holds whether or not numpy was loaded before, e.g. by a forkserver's preload)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


@contextmanager
def _environment_kept():
    """Undo what starting a Dask local cluster does to *this* process's environment.

    Dask's nanny writes ``distributed.nanny.pre-spawn-environ`` (``OMP_NUM_THREADS=1``,
    ``MKL_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``, ``MALLOC_TRIM_THRESHOLD_``) into
    ``os.environ`` of the process that starts the cluster, so that its worker processes
    inherit it, and leaves it there: every process started later by the caller (a process pool,
    a subprocess) then ran with single-threaded BLAS. The workers keep the settings; the
    caller's environment is restored once the cluster is up.
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        for key, value in saved.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


@contextmanager
def executor(kind: str = "process", workers: int | None = None, address: str | None = None):
    """Yield ``(executor, description)``; closes pools and Dask clients on exit."""
    if kind not in EXECUTORS:
        raise BatchError(f"--executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if address and kind != "dask":
        raise BatchError("--address needs --executor dask")
    if workers is not None and workers < 1:
        raise BatchError(f"--workers must be >= 1, got {workers}")
    if kind == "serial":
        yield SerialExecutor(), "serial (this process)"
        return
    if kind == "process":
        n = workers or default_workers()
        ex = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(),
                                 initializer=one_blas_thread)
        try:
            yield ex, f"process pool, {n} workers ({ex._mp_context.get_start_method()})"
        finally:
            ex.shutdown(wait=True, cancel_futures=True)
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise BatchError("--executor dask needs Dask: pip install -e \".[dist]\" (or "
                         "pip install 'dask[distributed]')") from None
    cluster = None
    if address:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"--address {address}: cannot reach a Dask scheduler ({exc})"
                             ) from None
        desc = f"Dask cluster at {address}"
    else:
        n = workers or default_workers()
        with _environment_kept(), dask.config.set(LOCAL_WORKER_CONFIG):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(cluster)
        desc = f"Dask local cluster, {n} workers"
    try:
        yield client.get_executor(pure=False), desc
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
