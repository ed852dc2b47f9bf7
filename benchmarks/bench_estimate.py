"""Estimation benchmarks (issue 11 targets on a 2-core machine). Not part of the test suite.

    python benchmarks/bench_estimate.py [--repeat 3] [--rows 1000000] [--skip-large]

Cases:
  each guide specification on the shipped panel (28,566 rows, 2,347 pair effects):
    - first fit in a fresh process: Python start, imports, reading the panel and the fit
      (a subprocess, wall time less its later fits), target <= 2 s;
    - later fits in the same process (best of --repeat);
  the CLI end to end (`tradesim estimate --panel agtpa ...`, fresh process, wall time);
  a synthetic panel drawn from a known gravity model (sim.estimate.synthetic) with about
  --rows rows (default 200 countries x 25 years = 1,000,000), in a fresh process: generation,
  fit, and the peak resident memory of that process; target <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.estimate.specs import GUIDE_SPECS  # noqa: E402

FRESH = """
import json, time, resource
t0 = time.perf_counter()
from sim.estimate.specs import GUIDE_SPECS, GUIDE_YEARS
from sim.estimate import estimate
spec = GUIDE_SPECS[{name!r}]
est = estimate("agtpa", spec.formula, years=GUIDE_YEARS,
               international_only=spec.international_only)
t1 = time.perf_counter()
times = []
for _ in range({repeat}):
    s = time.perf_counter()
    estimate("agtpa", spec.formula, years=GUIDE_YEARS,
             international_only=spec.international_only)
    times.append(time.perf_counter() - s)
print(json.dumps({{"in_process_first": t1 - t0, "later_best": min(times) if times else None,
                  "later_sum": sum(times),
                  "rta": est.coef("rta"), "se": est.std_error("rta"),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

LARGE = """
import json, time, resource
t0 = time.perf_counter()
from sim.estimate import estimate
from sim.estimate.synthetic import synthetic_panel
df = synthetic_panel(n_countries={n}, years=range(2000, 2000 + {t}), beta=0.5, seed=1)
t1 = time.perf_counter()
est = estimate(df, "trade ~ rta | exporter_year + importer_year + pair")
t2 = time.perf_counter()
print(json.dumps({{"rows": len(df), "generate_s": t1 - t0, "fit_s": t2 - t1,
                  "rta": est.coef("rta"), "se": est.std_error("rta"),
                  "fixed_effects": est.meta["fixed_effects"],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def fresh(code: str) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return time.perf_counter() - t0, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()

    print("guide specifications on the shipped panel (target <= 2 s, fresh process)")
    print(f"{'spec':22} {'fresh process':>14} {'in-process 1st':>15} {'later best':>11} "
          f"{'rta':>8} {'s.e.':>7}")
    for name in GUIDE_SPECS:
        wall, r = fresh(FRESH.format(name=name, repeat=args.repeat))
        wall -= r["later_sum"]            # the process up to the end of its first fit
        print(f"{name:22} {wall:13.2f}s {r['in_process_first']:14.2f}s "
              f"{r['later_best']:10.2f}s {r['rta']:8.4f} {r['se']:7.4f}")

    t0 = time.perf_counter()
    out_dir = ROOT / ".bench_estimate_out"
    subprocess.run(["tradesim", "estimate", "--panel", "agtpa", "--formula",
                    GUIDE_SPECS["agtpa_pair_fe"].formula, "--years", "1986:2006:4",
                    "--out", str(out_dir), "--quiet"], check=True, cwd=ROOT)
    print(f"CLI end to end (tradesim estimate, main spec, fresh process): "
          f"{time.perf_counter() - t0:.2f} s")

    if not args.skip_large:
        years = 25
        n = max(10, round(math.sqrt(args.rows / years)))
        wall, r = fresh(LARGE.format(n=n, t=years))
        print(f"synthetic panel: {r['rows']:,} rows ({n} countries x {years} years), fixed "
              f"effects {r['fixed_effects']}")
        print(f"  generate {r['generate_s']:.1f} s, fit {r['fit_s']:.1f} s, process wall "
              f"{wall:.1f} s (target fit <= 60 s), peak RSS {r['peak_rss_mb']:.0f} MB; "
              f"rta {r['rta']:.4f} (s.e. {r['se']:.4f}, true 0.5)")


if __name__ == "__main__":
    main()
