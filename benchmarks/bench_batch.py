"""Batch benchmarks (issue 5 targets on a 2-core machine). Not part of the test suite.

    python benchmarks/bench_batch.py [--repeat 2] [--path-draws 1000] [--scaling-draws 100]
                                     [--skip-path] [--skip-dask]

Cases (best of ``--repeat`` wall times):
  1. 1,000 Monte Carlo draws (θ) of one static counterfactual on icio2022: a 25 % US tariff on
     all goods from Japan (examples/us_tariff_on_japan_25.csv), (a) the engine alone: one
     batched solve of 1,000 θ draws plus metrics, (b) the whole pipeline: a one-period scenario
     through ``mc_plan`` / ``run_plan`` into a store (process pool, 2 workers).
     Target <= 10 s (>= 100x faster per trial than the peer's 0.85 s).
  2. 1,000 draws (θ and policy uncertainty) of the full monthly path 2015-2040, TPP-12 vs
     historical (2,000 path runs), process pool, 2 workers. Target <= 60 s.
  3. Scaling 1 -> 2 workers (process pool) on ``--scaling-draws`` draws of case 2.
  4. Dask local cluster (2 workers) vs the process pool on the same plan.
Peer reference (issue 5): USITC gegravity Monte Carlo ~0.85 s per trial, serial.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.batch import mc_plan, run_plan  # noqa: E402
from sim.batch.theta import theta_distribution, theta_draws  # noqa: E402
from sim.data.baseline import load_baseline  # noqa: E402
from sim.data.shock import read_shock  # noqa: E402
from sim.model import compare, solve  # noqa: E402

STATIC = """
name = "static_us25_japan"
title = "Static: 25 % US tariff on all goods from Japan (one period, lambda = 1)"
start = 2025-01-01
end = 2026-01-01
calibrated_to = "self"

[settings]
reporting = "annual"
adjustment_speed = 1.0

[[events]]
kind = "measure"
name = "us25_japan"
actor = "USA"
exporters = ["JPN"]
exclude_sectors = ["services"]
rate = 0.25
stacking = "add"
effective = 2025-01-01
source = "benchmark shock (examples/us_tariff_on_japan_25.csv)"
"""


def best(repeat: int, func) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def engine_static(draws: int) -> float:
    bl = load_baseline("icio2022")
    e = bl.economy
    shock = read_shock(ROOT / "examples" / "us_tariff_on_japan_25.csv", bl)
    dist = theta_distribution(bl.sectors, e.theta)

    def run():
        th = theta_draws(e.theta, dist, 1, draws, range(draws))
        base = solve(e, theta=th)
        new = solve(e, tariffs=shock.tariffs, theta=th, initial=base)
        return compare(e, base, new)

    t, m = best(2, run)
    w = m["welfare_pct"][:, bl.regions.index("JPN")]
    print(f"    JPN welfare % over draws: p5 {np.quantile(w, .05):.4f}, p50 "
          f"{np.quantile(w, .5):.4f}, p95 {np.quantile(w, .95):.4f}")
    return t


def pipeline(scenarios, draws, reference, executor, workers, chunk, tmp: Path,
             reporting=None) -> float:
    plan = mc_plan(scenarios, draws, 1, reference=reference, chunk_size=chunk,
                   reporting=reporting)
    out = tmp / f"store-{time.perf_counter_ns()}"
    t0 = time.perf_counter()
    rep = run_plan(plan, out, executor_kind=executor, workers=workers)
    t = time.perf_counter() - t0
    assert not rep.failed, rep.failed[:3]
    shutil.rmtree(out, ignore_errors=True)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--path-draws", type=int, default=1000)
    ap.add_argument("--scaling-draws", type=int, default=100)
    ap.add_argument("--chunk-size", type=int, default=50)
    ap.add_argument("--skip-path", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-static", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    static = tmp / "static_us25_japan.toml"
    static.write_text(STATIC)
    rows = []

    def show(row):
        name, t, target, runs = row
        tgt = "" if target is None else f"{target:.0f}"
        print(f"{name:<86} {t:8.2f} {1000 * t / runs:11.2f} {tgt:>9}", flush=True)
        rows.append(row)

    print(f"{'case':<86} {'best s':>8} {'per run ms':>11} {'target s':>9}", flush=True)
    if not a.skip_static:
        t = engine_static(1000)
        show(("static MC, 1,000 draws, engine (one batched solve)", t, 10.0, 1000))
        t, _ = best(a.repeat, lambda: pipeline([str(static)], 1000, None, "process", 2, 250,
                                               tmp))
        show(("static MC, 1,000 draws, full pipeline (process x2, store)", t, 10.0, 1000))

    if not a.skip_path:
        t, _ = best(1, lambda: pipeline(["tpp12"], a.path_draws, "historical", "process", 2,
                                        a.chunk_size, tmp))
        show((f"monthly path 2015-2040, TPP-12 vs historical, {a.path_draws} draws "
              f"({2 * a.path_draws} path runs), process x2", t,
              60.0 * a.path_draws / 1000, 2 * a.path_draws))
    if a.skip_scaling:
        print("peer (USITC gegravity MC): ~850 ms per trial, serial")
        return
    n = a.scaling_draws
    chunk = max(1, n // 8)
    t1, _ = best(a.repeat, lambda: pipeline(["tpp12"], n, "historical", "process", 1, chunk,
                                            tmp))
    t2, _ = best(a.repeat, lambda: pipeline(["tpp12"], n, "historical", "process", 2, chunk,
                                            tmp))
    show((f"path MC {n} draws, process x1", t1, None, 2 * n))
    show((f"path MC {n} draws, process x2 (speed-up {t1 / t2:.2f}x)", t2, None, 2 * n))
    if not a.skip_dask:
        td, _ = best(a.repeat, lambda: pipeline(["tpp12"], n, "historical", "dask", 2, chunk,
                                                tmp))
        show((f"path MC {n} draws, Dask local cluster x2 (vs process: {td - t2:+.1f} s)",
              td, None, 2 * n))
    print("peer (USITC gegravity MC): ~850 ms per trial, serial")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
