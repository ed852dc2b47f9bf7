"""The batched solve of one Monte Carlo chunk, per run-period (issue 10). Not part of the tests.

    python benchmarks/bench_batch_solve.py [--draws 25] [--repeat 2] [--before OLD_CHECKOUT]

1. Runs one chunk of ``tradesim mc tpp12 --reference historical --draws N --seed 1`` serially
   and keeps what the engine's batched solve received (the policy paths of the 2N runs, their θ)
   and returned, by wrapping ``sim.batch.engine._solve_batch`` (a private function: this
   benchmark measures that one step of the engine, nothing else calls it from outside).
2. Times that batched solve again on those inputs (best of ``--repeat``, wall and CPU seconds,
   BLAS on one thread as in the process-pool workers) in this checkout and, with ``--before``,
   in another checkout (for example ``git worktree add /tmp/old <commit>``) in a subprocess on
   the same inputs, and prints both, their ratio and the largest difference of the results.

Targets (issue 10): the path Monte Carlo 6x faster; the batched solve was 0.56 ms per run-period
(16 regions x 7 sectors, 312 monthly periods 2015-2040, 50 runs per chunk).
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TIMER = r"""
import pickle, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from threadpoolctl import threadpool_limits
import sim.batch.engine as engine
from sim.run import resolve_baseline
captured = pickle.load(open(sys.argv[2], "rb"))
repeat = int(sys.argv[3])
economy = resolve_baseline("icio2022").economy
best = None
with threadpool_limits(limits=1, user_api="blas"):
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = engine._solve_batch(economy, captured["paths"], captured["theta"],
                                  captured["closure"], captured["metrics"])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        best = (wall, cpu) if best is None or wall < best[0] else best
pickle.dump({"wall": best[0], "cpu": best[1], "out": out}, open(sys.argv[4], "wb"))
"""


def capture(draws: int, folder: Path) -> Path:
    """Run the chunk serially and keep the batched solve's inputs and outputs."""
    sys.path.insert(0, str(ROOT))
    import sim.batch.engine as engine
    from sim.batch import mc_plan, run_plan

    kept = []
    original = engine._solve_batch

    def keep(economy, paths, theta, closure, metrics):
        out = original(economy, paths, theta, closure, metrics)
        kept.append({"paths": paths, "theta": theta, "closure": closure, "metrics": metrics})
        return out

    engine._solve_batch = keep
    try:
        plan = mc_plan(["tpp12"], draws, 1, reference="historical", chunk_size=draws)
        run_plan(plan, folder / "store", executor_kind="serial")
    finally:
        engine._solve_batch = original
    path = folder / "batch.pkl"
    path.write_bytes(pickle.dumps(kept[0]))
    return path


def time_in(checkout: Path, inputs: Path, repeat: int, folder: Path) -> dict:
    script = folder / "timer.py"
    script.write_text(TIMER)
    out = folder / f"timed-{abs(hash(str(checkout)))}.pkl"
    subprocess.run([sys.executable, str(script), str(checkout), str(inputs), str(repeat),
                    str(out)], check=True)
    return pickle.loads(out.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout to time on the same inputs")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-batch-solve-"))
    try:
        inputs = capture(args.draws, folder)
        captured = pickle.loads(inputs.read_bytes())
        runs, periods = len(captured["paths"]), len(captured["paths"][0].tariffs)
        rows = [("this checkout", time_in(ROOT, inputs, args.repeat, folder))]
        if args.before:
            rows.append((f"before ({args.before})", time_in(args.before, inputs, args.repeat,
                                                          folder)))
        print(f"batched solve of one chunk: {runs} runs x {periods} periods")
        for name, r in rows:
            print(f"  {name:<40} wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  "
                  f"{1e3 * r['wall'] / runs / periods:.3f} ms per run-period (wall)")
        if args.before:
            new, old = rows[0][1], rows[1][1]
            print(f"  ratio before/after: wall {old['wall'] / new['wall']:.2f}x, "
                  f"cpu {old['cpu'] / new['cpu']:.2f}x")
            import numpy as np

            for metric in new["out"]:
                diff = float(np.max(np.abs(new["out"][metric] - old["out"][metric])))
                print(f"  max |after - before| {metric:<20} {diff:.3g}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
