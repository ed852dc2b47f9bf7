"""The monthly policy path of one scenario, end to end and by stage. Not part of the tests.

    python benchmarks/bench_path.py [--scenario historical] [--repeat 3] [--channels-ratio]
    python benchmarks/bench_path.py --before DIR [--rounds 3]

Prints the best-of-N wall time of ``run_scenario`` (monthly 2015–2040 on icio2022, warm
baseline cache) and, from a cProfile of one more run, the time in the equilibrium solves, the
policy layer (tariffs by period), the safeguard/TRQ counters and the tidy table (cumulative
times of the functions named in :data:`STAGES`; the old and the new code's names are both
listed, a name absent from a tree counts 0; profiling slows Python-heavy stages more).
Target (issue 10): the historical monthly path in <= 1 s on the 2-core machine.

``--before DIR`` runs the same measurement on another source tree (e.g. ``git archive <commit>
| tar -x -C DIR``) and on this one, alternately in fresh processes, ``--rounds`` times each,
and prints both (best of all rounds) and their ratio: before and after in one run.
``--channels-ratio`` times the path with every agreement channel on and off, interleaved (best
of N each), and prints the ratio (issue 12 target: on within 20 % of off).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: stage -> (file suffix, function) whose cumulative profile times add up to the stage
STAGES = {
    "equilibrium solves": [("solver.py", "solve"), ("solver.py", "solve_preconditioned")],
    "policy layer": [
        ("tariffs.py", "average"),                        # before: tariffs re-derived by date
        ("schedule.py", "policy_schedule"),               # after: dated changes, once
        ("state.py", "_recompute"),                       # after: the state on each change
        ("state.py", "_masked"),
        ("state.py", "close_period"),
    ],
    "safeguard/TRQ counters": [
        ("simulation.py", "safeguard_process"),           # before: day-by-day stepping
        ("quota.py", "__init__"),                         # after: event-driven counters
        ("quota.py", "advance"),
        ("quota.py", "after_change"),
    ],
    "tidy table": [("results.py", "tidy_path")],
}


def measure(scenario: str, repeat: int) -> dict:
    """Best-of-``repeat`` wall time and the profiled stage split of one tree."""
    from sim.data.baseline import load_baseline
    from sim.run import run_scenario

    bl = load_baseline("icio2022")
    run = run_scenario(scenario, bl)  # warm: baseline solve cached, imports done
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run = run_scenario(scenario, bl)
        times.append(time.perf_counter() - t0)
    prof = cProfile.Profile()
    prof.runcall(run_scenario, scenario, bl)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = max(v[3] for (f, _, fn), v in stats.items() if fn == "run_scenario")
    split = {}
    for label, funcs in STAGES.items():
        split[label] = sum(max((v[3] for (f, _, fn), v in stats.items()
                                if f.endswith(file) and fn == func), default=0.0)
                           for file, func in funcs)
    return {"best": min(times), "periods": len(run.timeline.periods), "solves": run.solves,
            "profiled_total": total, "split": split}


def show(label: str, r: dict) -> None:
    print(f"{label}: {r['periods']} periods, {r['solves']} solves, best {r['best']:.3f} s")
    for stage, sec in r["split"].items():
        print(f"  {stage:<28} {sec:6.3f} s (profiled)")
    rest = r["profiled_total"] - sum(r["split"].values())
    print(f"  {'other':<28} {rest:6.3f} s (profiled; run total {r['profiled_total']:.3f} s)")


def child(tree: Path, scenario: str, repeat: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--json", "--tree", str(tree),
                          "--scenario", scenario, "--repeat", str(repeat)],
                         capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="historical")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--channels-ratio", action="store_true")
    ap.add_argument("--before", type=Path, help="another source tree to time against")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    if args.before is not None:
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            runs["before"].append(child(args.before.resolve(), args.scenario, args.repeat))
            runs["after"].append(child(ROOT, args.scenario, args.repeat))
        best = {k: min(v, key=lambda r: r["best"]) for k, v in runs.items()}
        show(f"before ({args.before})", best["before"])
        show("after (this tree)", best["after"])
        print(f"after/before: {best['after']['best'] / best['before']['best']:.2f} "
              f"(best of {args.rounds} rounds x {args.repeat} runs each, alternating)")
        return
    if args.json:
        print(json.dumps(measure(args.scenario, args.repeat)))
        return
    if args.channels_ratio:
        from sim.data.baseline import load_baseline
        from sim.run import run_scenario

        bl = load_baseline("icio2022")
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
    show(args.scenario, measure(args.scenario, args.repeat))
    print("target (issue 10): <= 1 s")


if __name__ == "__main__":
    main()
