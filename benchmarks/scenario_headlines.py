"""Headline numbers of every library scenario, to say how much a data change moves them.

``python benchmarks/scenario_headlines.py OUT.csv [--baseline NAME] [--year 2030]``

For each scenario in ``scenarios/`` and the year given (annual mean of the scenario's own
reporting grid): US and Japan welfare (% real income), US-Japan goods trade (both directions,
USD million) and US tariff revenue (USD million), each against the scenario's usual reference:
``calibrated_to`` when it names another scenario, ``no_change`` for ``historical``, and the
model's solved baseline for ``no_change`` itself. Run it before and after a change to the
baseline and compare the two files (``--compare BEFORE.csv AFTER.csv``).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["scenario", "reference", "year", "metric", "value", "unit"]


def usual_reference(path: Path) -> str | None:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    cal = spec.get("calibrated_to", "self")
    if cal not in ("self", "", spec["name"]):
        return cal
    return None if spec["name"] == "no_change" else "no_change"


def headlines(name: str, reference: str | None, baseline: str, year: int) -> list[dict]:
    import pandas as pd

    from sim.run import against_reference, run_scenario

    run = run_scenario(name, baseline, reference)
    if reference is None:
        df = run.path.astype({c: str for c in ("region", "partner", "sector", "metric")})
        df = df.assign(reference="solved baseline")
    else:
        df = against_reference(run)
    df = df[pd.to_datetime(df["date"]).dt.year == year]

    def pick(metric: str, region: str, partner: str = "all", sector: str | None = "all"):
        m = (df["metric"] == metric) & (df["region"] == region) & (df["partner"] == partner)
        if sector is not None:
            m &= df["sector"] == sector
        # annual mean over the grid dates of the year, summed over sectors if asked
        by_date = df[m].groupby("date")["value"].sum()
        return float(by_date.mean())

    out = {
        "welfare_pct USA": (pick("welfare_pct", "USA"), "%"),
        "welfare_pct JPN": (pick("welfare_pct", "JPN"), "%"),
        "imports USA from JPN": (pick("imports", "USA", "JPN", None), "USD million"),
        "imports JPN from USA": (pick("imports", "JPN", "USA", None), "USD million"),
        "tariff_revenue_new USA": (pick("tariff_revenue_new", "USA"), "USD million"),
    }
    ref = reference or "solved baseline"
    return [{"scenario": name, "reference": ref, "year": year, "metric": k, "value": v,
             "unit": u} for k, (v, u) in out.items()]


def compare(before: Path, after: Path) -> str:
    def read(p):
        with open(p, newline="") as f:
            return {(r["scenario"], r["metric"]): r for r in csv.DictReader(f)}

    a, b = read(before), read(after)
    lines = [f"{'scenario':22} {'reference':16} {'metric':24} {'before':>12} {'after':>12} "
             f"{'change':>12}"]
    for k, r in a.items():
        if k not in b:
            continue
        x, y = float(r["value"]), float(b[k]["value"])
        lines.append(f"{k[0]:22} {r['reference']:16} {k[1]:24} {x:12.4f} {y:12.4f} "
                     f"{y - x:+12.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--baseline", default="icio2022")
    ap.add_argument("--year", type=int, default=2030)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    a = ap.parse_args(argv)
    if a.compare:
        print(compare(*a.compare))
        return 0
    if a.out is None:
        ap.error("OUT.csv is required unless --compare is given")
    rows: list[dict] = []
    for p in sorted((ROOT / "scenarios").glob("*.toml")):
        name = p.stem
        rows += headlines(name, usual_reference(p), a.baseline, a.year)
        print(f"{name}: done", file=sys.stderr)
    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
