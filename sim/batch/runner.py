"""Run a plan into a results store: submit missing chunks, write parts as they finish.

Resumable: chunks with a verified part file are skipped; a part that fails verification
(unreadable, another plan's, runs other than its chunk's) is moved to ``DIR/quarantine/`` and
its chunk recomputed. A run that fails is recorded with its error and reported at the end; with
``fail_fast`` the first failure cancels the rest (:class:`BatchFailed`). Ctrl-C cancels pending
chunks and keeps the finished parts.

Payloads are built per chunk when it is submitted, and at most ``2 × workers`` chunks are in
flight, so parts reach the disk as chunks finish: a crash loses at most the chunks in flight.

One runner at a time: the runner holds an exclusive lock on ``DIR/lock`` (``flock``, released
by the operating system when the process ends, even on ``kill -9``). A second runner waits for
it (``wait=True``) or stops with :class:`StoreBusy` naming the holder.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sim.batch.engine import run_chunk
from sim.batch.executors import default_workers, executor
from sim.batch.plan import Plan
from sim.batch.store import LOCK, ResultsStore, StoreError

__all__ = ["BatchFailed", "BatchReport", "StoreBusy", "manifest_of", "run_plan", "store_lock"]


class BatchFailed(RuntimeError):
    """A run failed and ``fail_fast`` was set."""


class StoreBusy(StoreError):
    """Another live runner holds the store's lock."""


@dataclass
class BatchReport:
    store: ResultsStore
    total_runs: int
    done_before: int
    computed: int
    failed: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = ""
    quarantined: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def store_lock(out, *, wait: bool = True, on_wait: Callable[[str], None] | None = None):
    """Hold the exclusive lock of the store directory ``out`` (created if missing)."""
    import fcntl
    from pathlib import Path

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the store ({exc.strerror})") from None
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                try:
                    holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
                    info = json.loads(holder) if holder else {}
                    who = (f"pid {info.get('pid')} on {info.get('host')} since "
                           f"{info.get('since')}") if isinstance(info, dict) else "?"
                except ValueError:
                    who = "another runner"
                if not wait:
                    raise StoreBusy(f"{path}: in use by another runner ({who}); wait for it "
                                    "to finish or rerun with --wait") from None
                if on_wait and not told:
                    on_wait(who)
                    told = True
                time.sleep(0.2)
        me = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                         "since": datetime.now(UTC).isoformat(timespec="seconds")})
        os.ftruncate(fd, 0)
        os.pwrite(fd, me.encode(), 0)
        yield
    finally:
        os.close(fd)     # releases the lock


def _baseline_id(name: str) -> dict:
    from sim.batch.engine import worker_baseline

    bl = worker_baseline(name)
    meta = bl.metadata
    return {"name": bl.name, "year": bl.year, "regions": len(bl.regions),
            "sectors": len(bl.sectors), "built": meta.get("built") or meta.get("created"),
            "theta": [float(x) for x in bl.economy.theta]}


def manifest_of(plan: Plan) -> dict:
    """The manifest fields of a plan (without timings)."""
    import sim
    from sim.batch.plan import stable_hash

    return {"plan_id": plan.plan_id, "kind": plan.kind,
            "scenario_names": sorted({r.scenario for r in plan.runs}),
            "scenarios": {k: {"name": v.get("name"), "sha256_16": stable_hash(v)}
                          for k, v in plan.scenarios.items()},
            "reference": plan.reference, "parameters": plan.parameters, "seed": plan.seed,
            "draws": plan.draws, "runs": len(plan.runs), "chunks": len(plan.chunks),
            "options": plan.options, "package_version": sim.__version__,
            "python": platform.python_version(), "baseline": _baseline_id(plan.baseline),
            "theta_distribution": "sim/batch/data/theta_cp2015.csv (docs/batch.md)",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)}


def _with(payload: dict, options: dict) -> dict:
    """The chunk payload with run-time options (not part of the plan or its id)."""
    if options:
        payload = {**payload, "options": {**payload["options"], **options}}
    return payload


def run_plan(plan: Plan, out, *, executor_kind: str = "process", workers: int | None = None,
             address: str | None = None, fail_fast: bool = False, retry_failed: bool = False,
             on_progress: Callable[[int, int, float], None] | None = None,
             on_start: Callable[[int, int, str], None] | None = None,
             wait: bool = True, on_wait: Callable[[str], None] | None = None,
             window: int | None = None) -> BatchReport:
    """Run the missing chunks of ``plan`` into the store at ``out`` (under the store's lock).

    ``window``: chunks in flight at once (default twice the workers, at least 2)."""
    manifest = manifest_of(plan)        # reads the baseline: fails before touching out
    with store_lock(out, wait=wait, on_wait=on_wait):
        return _run_locked(plan, manifest, out, executor_kind, workers, address, fail_fast,
                           retry_failed, on_progress, on_start, window)


def _run_locked(plan: Plan, manifest: dict, out, executor_kind: str, workers: int | None,
                address: str | None, fail_fast: bool, retry_failed: bool,
                on_progress: Callable[[int, int, float], None] | None,
                on_start: Callable[[int, int, str], None] | None,
                window: int | None) -> BatchReport:
    t0 = time.perf_counter()
    store = ResultsStore.create(out, manifest)
    # we hold the lock: temporary files are those of a killed writer, none is live
    for stale in (store.path / "parts").glob(".part-*.tmp"):
        stale.unlink(missing_ok=True)
    bad = store.verify(plan.chunks)
    moved = store.quarantine(bad) if bad else []
    done = store.finished_chunks()
    if retry_failed:
        done -= store.failed_chunks()
    todo = [c for c in range(len(plan.chunks)) if c not in done]
    cache = store.path / "cache"  # policy paths shared by workers on this machine
    if executor_kind != "dask" or not address:
        cache.mkdir(exist_ok=True)
    payload_opts = {"cache_dir": str(cache.resolve())} if cache.is_dir() else {}
    done_runs = sum(len(plan.chunks[c]) for c in done if c < len(plan.chunks))
    total = len(plan.runs)
    report = BatchReport(store, total, done_runs, 0)
    report.quarantined = [(str(m), reason) for m, (_, reason) in zip(moved, bad, strict=False)]
    with executor(executor_kind, workers, address) as (ex, desc):
        report.executor = desc
        if on_start:
            on_start(done_runs, total, desc)
        # serial: each chunk is computed when submitted, so one at a time (written at once)
        limit = window or (1 if executor_kind == "serial"
                           else max(2, 2 * (workers or default_workers())))
        queue = iter(todo)
        pending: dict = {}

        def refill() -> None:
            while len(pending) < limit:
                c = next(queue, None)
                if c is None:
                    return
                pending[ex.submit(run_chunk, _with(plan.chunk_payload(c), payload_opts))] = c

        finished = done_runs
        try:
            refill()
            while pending:
                ready, _ = wait_for(list(pending), return_when=FIRST_COMPLETED)
                for fut in ready:
                    c = pending.pop(fut)
                    res = fut.result()
                    store.write_part(c, res.results, res.runs)
                    finished += len(res.runs)
                    report.computed += len(res.runs)
                    failed = [r for r in res.runs if r["status"] != "ok"]
                    report.failed.extend(failed)
                    if on_progress:
                        on_progress(finished, total, time.perf_counter() - t0)
                    if failed and fail_fast:
                        raise BatchFailed(f"run {failed[0]['run_id']} ({failed[0]['scenario']},"
                                          f" draw {failed[0]['draw']}) failed: "
                                          f"{failed[0]['error']}")
                refill()
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    shutil.rmtree(cache, ignore_errors=True)  # complete: the paths are not needed any more
    report.seconds = time.perf_counter() - t0
    timings = dict(store.manifest.get("timings", {}))
    key = stamp = datetime.now(UTC).isoformat(timespec="seconds")
    k = 1
    while key in timings:            # two invocations finished within the same second
        k += 1
        key = f"{stamp} #{k}"
    timings[key] = {
        "seconds": round(report.seconds, 3), "runs_computed": report.computed,
        "executor": report.executor}
    store.update_manifest(timings=timings)
    return report
