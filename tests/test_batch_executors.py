"""Executors: starting a Dask local cluster leaves the caller's environment as it was."""

from __future__ import annotations

import os

import pytest

from sim.batch.executors import LOCAL_WORKER_CONFIG, executor

pytest.importorskip("distributed")


def test_dask_local_cluster_keeps_the_callers_environment(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    before = dict(os.environ)
    with executor("dask", 1) as (ex, desc):
        assert "Dask local cluster" in desc
        assert dict(os.environ) == before
        # the workers still get Dask's single-threaded BLAS settings (pre-spawn-environ)
        assert ex.submit(os.getenv, "OMP_NUM_THREADS").result() == "1"
        assert ex.submit(os.getenv, "OPENBLAS_NUM_THREADS").result() == "1"
        # and the local workers' settings (no statistical profiler on the long chunks)
        import dask

        for key, value in LOCAL_WORKER_CONFIG.items():
            assert ex.submit(dask.config.get, key).result() == value, key
    assert dict(os.environ) == before


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_process_pool_workers_run_blas_on_one_thread():
    with executor("process", 1) as (ex, _):
        threads = ex.submit(_blas_threads).result()
    assert threads and all(n == 1 for n in threads), threads
