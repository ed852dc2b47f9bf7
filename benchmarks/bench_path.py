"""The monthly policy path of one scenario, end to end and by stage. Not part of the tests.

    python benchmarks/bench_path.py [--scenario historical] [--repeat 3] [--channels-ratio]

Prints the best-of-N wall time of ``run_scenario`` (monthly 2015–2040 on icio2022, warm
baseline cache) and, from a profile of one more run, the time in the equilibrium solves, the
policy layer (tariff layering), the safeguard processes and the tidy table.
Target (issue 10): the historical monthly path in <= 1 s on the 2-core machine.
``--channels-ratio`` times the path with every agreement channel on and off, interleaved (best
of N each), and prints the ratio (issue 12 target: on within 20 % of off).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.data.baseline import load_baseline  # noqa: E402
from sim.run import run_scenario  # noqa: E402

STAGES = {
    "equilibrium solves": ("solver.py", "solve"),
    "policy layer (TariffModel.average/at)": ("state.py", "_recompute"),
    "trade-cost layer (TradeCostModel.average)": ("channels.py", "average"),
    "safeguard processes": ("quota.py", "advance"),
    "tidy table": ("results.py", "tidy_path"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="historical")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--channels-ratio", action="store_true")
    args = ap.parse_args()
    bl = load_baseline("icio2022")
    if args.channels_ratio:
        run_scenario(args.scenario, bl)
        best = {"on": [], "off": []}
        for _ in range(args.repeat):
            for label, chans in (("off", ()), ("on", None)):
                t0 = time.perf_counter()
                r = run_scenario(args.scenario, bl, channels=chans)
                best[label].append((time.perf_counter() - t0, r.solves))
        on, off = min(best["on"]), min(best["off"])
        print(f"{args.scenario}: channels on {on[0]:.3f} s ({on[1]} solves), off {off[0]:.3f} s "
              f"({off[1]} solves), best of {args.repeat}: ratio {on[0] / off[0]:.2f} "
              "(target <= 1.20)")
        return
    run = run_scenario(args.scenario, bl)  # warm: baseline solve cached, imports done
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        run = run_scenario(args.scenario, bl)
        times.append(time.perf_counter() - t0)
    print(f"{args.scenario}: {len(run.timeline.periods)} periods, {run.solves} solves, "
          f"best of {args.repeat}: {min(times):.3f} s (target <= 1 s)")
    prof = cProfile.Profile()
    prof.runcall(run_scenario, args.scenario, bl)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    for label, (file, func) in STAGES.items():
        cum = max((v[3] for (f, _, fn), v in stats.items()
                   if f.endswith(file) and fn == func), default=0.0)
        print(f"  {label:<40} {cum:6.3f} s (profiled)")
    print(f"  (profiled run total {total:.3f} s of own time; profiling slows it)")


if __name__ == "__main__":
    main()
