"""Where the time of a path Monte Carlo goes, per executor (issue 10). Not part of the tests.

    python benchmarks/bench_executors.py [--draws 32] [--executors process,dask]

For each executor: the time to start and close it, the wall time of the chunks (submitted as
the runner does, at most 2 x workers in flight, with the shared policy-path cache), the sum of
the compute time each chunk reports from inside its worker (``ChunkResult.seconds``), so that
wall x workers - compute is the scheduling and transfer overhead, the pickled size of a
chunk's payload and result, the worker environment (BLAS threads) and how many policy paths
the workers shared through the cache folder.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.batch import mc_plan  # noqa: E402
from sim.batch.engine import run_chunk  # noqa: E402
from sim.batch.executors import executor  # noqa: E402

WORKERS = 2


def blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def measure(kind: str, plan) -> None:
    cache = Path(tempfile.mkdtemp(prefix="bench_executors_"))
    t0 = time.perf_counter()
    with executor(kind, WORKERS) as (ex, desc):
        started = time.perf_counter() - t0
        threads = ex.submit(blas_threads).result()
        pending: dict = {}
        queue = iter(range(len(plan.chunks)))
        stats = []
        t1 = time.perf_counter()

        def refill() -> None:
            while len(pending) < 2 * WORKERS:
                c = next(queue, None)
                if c is None:
                    return
                payload = plan.chunk_payload(c)
                payload = {**payload, "options": {**payload["options"],
                                                  "cache_dir": str(cache)}}
                pending[ex.submit(run_chunk, payload)] = len(pickle.dumps(payload))

        refill()
        while pending:
            ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in ready:
                size = pending.pop(fut)
                res = fut.result()
                stats.append((res.seconds, size, len(pickle.dumps(res))))
            refill()
        wall = time.perf_counter() - t1
        t2 = time.perf_counter()
    closed = time.perf_counter() - t2
    compute = sum(s[0] for s in stats)
    print(f"{desc}: start {started:.2f} s, chunks {wall:.2f} s, close {closed:.2f} s; "
          f"in-worker compute {compute:.1f} s of {WORKERS * wall:.1f} worker-seconds "
          f"({100 * compute / (WORKERS * wall):.0f} %); payload "
          f"{sum(s[1] for s in stats) / len(stats) / 1e3:.0f} kB, result "
          f"{sum(s[2] for s in stats) / len(stats) / 1e6:.2f} MB per chunk; BLAS threads per "
          f"worker {threads}; shared policy paths {len(list(cache.glob('*.npz')))}", flush=True)
    shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=32)
    ap.add_argument("--executors", default="process,dask")
    a = ap.parse_args()
    plan = mc_plan(["tpp12"], a.draws, 1, reference="historical",
                   chunk_size=max(1, a.draws // 8))
    for kind in a.executors.split(","):
        measure(kind, plan)


if __name__ == "__main__":
    main()
