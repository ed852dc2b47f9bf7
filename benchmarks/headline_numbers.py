"""Headline numbers of every library scenario, 2025-2030 (a record to diff before/after a change).

    python benchmarks/headline_numbers.py out.json            # record
    python benchmarks/headline_numbers.py --diff a.json b.json  # print the moves

Per scenario and year (mean of the reporting periods that start in the year, each scenario with
its own settings, against the model's solved baseline): US and Japan welfare (% change),
US-Japan trade (US imports from Japan plus Japan's imports from the US, USD bn/yr) and US tariff
revenue (USD bn/yr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from sim.run import run_scenario
from sim.scenario.loader import LIBRARY

YEARS = range(2025, 2031)


def headlines(name: str) -> dict[str, dict[str, float]]:
    p = run_scenario(name).path
    p = p.astype({c: str for c in ("region", "partner", "sector", "metric")})
    p["year"] = pd.to_datetime(p["date"]).dt.year
    p = p[p["year"].isin(YEARS)]
    tot = p[(p.partner == "all") & (p.sector == "all")]

    def yearly(frame: pd.DataFrame, scale: float = 1.0) -> dict[str, float]:
        s = frame.groupby(["year", "date"])["value"].sum().groupby("year").mean() * scale
        return {str(y): round(float(v), 6) for y, v in s.items()}

    imp = p[(p.metric == "imports") & (((p.region == "USA") & (p.partner == "JPN"))
                                       | ((p.region == "JPN") & (p.partner == "USA")))]
    return {
        "welfare_usa_pct": yearly(tot[(tot.metric == "welfare_pct") & (tot.region == "USA")]),
        "welfare_jpn_pct": yearly(tot[(tot.metric == "welfare_pct") & (tot.region == "JPN")]),
        "trade_usjp_usd_bn": yearly(imp, 1e-3),
        "revenue_usa_usd_bn": yearly(tot[(tot.metric == "tariff_revenue_new")
                                         & (tot.region == "USA")], 1e-3),
    }


def diff(a: dict, b: dict) -> None:
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"{name}: only in {'after' if name in b else 'before'}")
            continue
        moves = []
        for k in a[name]:
            for y, va in a[name][k].items():
                vb = b[name][k].get(y)
                if vb is not None and abs(vb - va) > 1e-6 * max(1.0, abs(va)):
                    moves.append(f"  {k} {y}: {va:.4f} -> {vb:.4f} ({vb - va:+.4f})")
        print(f"{name}: {'unchanged' if not moves else 'moved'}")
        print("\n".join(moves))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--diff"]:
        diff(json.loads(Path(argv[1]).read_text()), json.loads(Path(argv[2]).read_text()))
        return
    out = {n: headlines(n) for n in sorted(f.stem for f in LIBRARY.glob("*.toml"))}
    Path(argv[0]).write_text(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
