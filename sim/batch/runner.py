"""Run a plan into a results store: submit missing chunks, write parts as they finish.

Resumable: chunks with a part file are skipped. A run that fails is recorded with its error
and reported at the end; with ``fail_fast`` the first failure cancels the rest
(:class:`BatchFailed`). Ctrl-C cancels pending chunks and keeps the finished parts.
"""

from __future__ import annotations

import platform
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sim.batch.engine import run_chunk
from sim.batch.executors import executor
from sim.batch.plan import Plan
from sim.batch.store import ResultsStore

__all__ = ["BatchFailed", "BatchReport", "manifest_of", "run_plan"]


class BatchFailed(RuntimeError):
    """A run failed and ``fail_fast`` was set."""


@dataclass
class BatchReport:
    store: ResultsStore
    total_runs: int
    done_before: int
    computed: int
    failed: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = ""


def _baseline_id(name: str) -> dict:
    from sim.batch.engine import _baseline

    bl = _baseline(name)
    meta = bl.metadata
    return {"name": bl.name, "year": bl.year, "regions": len(bl.regions),
            "sectors": len(bl.sectors), "built": meta.get("built") or meta.get("created"),
            "theta": [float(x) for x in bl.economy.theta]}


def manifest_of(plan: Plan) -> dict:
    """The manifest fields of a plan (without timings)."""
    import sim
    from sim.batch.plan import _hash

    return {"plan_id": plan.plan_id, "kind": plan.kind,
            "scenario_names": sorted({r.scenario for r in plan.runs}),
            "scenarios": {k: {"name": v.get("name"), "sha256_16": _hash(v)}
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
             on_start: Callable[[int, int, str], None] | None = None) -> BatchReport:
    """Run the missing chunks of ``plan`` into the store at ``out``."""
    t0 = time.perf_counter()
    store = ResultsStore.create(out, manifest_of(plan))
    for stale in (store.path / "parts").glob(".part-*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
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
    with executor(executor_kind, workers, address) as (ex, desc):
        report.executor = desc
        if on_start:
            on_start(done_runs, total, desc)
        pending = {ex.submit(run_chunk, _with(plan.chunk_payload(c), payload_opts)): c
                   for c in todo}
        finished = done_runs
        try:
            while pending:
                ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in ready:
                    c = pending.pop(fut)
                    res = fut.result()
                    store.write_part(c, res.results, res.runs)
                    finished += len(res.runs)
                    report.computed += len(res.runs)
                    bad = [r for r in res.runs if r["status"] != "ok"]
                    report.failed.extend(bad)
                    if on_progress:
                        on_progress(finished, total, time.perf_counter() - t0)
                    if bad and fail_fast:
                        raise BatchFailed(f"run {bad[0]['run_id']} ({bad[0]['scenario']}, draw "
                                          f"{bad[0]['draw']}) failed: {bad[0]['error']}")
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    shutil.rmtree(cache, ignore_errors=True)  # complete: the paths are not needed any more
    report.seconds = time.perf_counter() - t0
    timings = dict(store.manifest.get("timings", {}))
    timings[datetime.now(UTC).isoformat(timespec="seconds")] = {
        "seconds": round(report.seconds, 3), "runs_computed": report.computed,
        "executor": report.executor}
    store.update_manifest(timings=timings)
    return report
