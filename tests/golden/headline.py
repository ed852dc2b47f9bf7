"""Headline numbers of every library scenario, pinned (the golden file).

``compute()`` runs each scenario in ``scenarios/`` on the ``icio2022`` baseline with its own
settings (reporting, adjustment speed, dates) and samples the path on each 1 January:

* ``welfare_pct`` of the USA and Japan (change in real income against the solved baseline, %),
* US imports from Japan and Japanese imports from the USA (all sectors, baseline unit),
* US tariff revenue (``tariff_revenue_new``) and the US trade-weighted applied tariff (%).

Regenerate on purpose only, after a change that is meant to move results, and say in the commit
which scenario moved, by how much and why::

    python tests/golden/headline.py --diff    # what moved against the pinned file (2030, max)
    python tests/golden/headline.py --write

``headline_tariffs.json`` pins the same numbers with every agreement trade-cost channel off
(``channels=()``): the results from before the channels existed (issue 12), which must never
move when only channels change (``--tariffs-only`` with ``--diff``/``--write``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("headline.json")
TARIFFS_ONLY = Path(__file__).with_name("headline_tariffs.json")


def library_scenarios() -> list[str]:
    return sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))


def headline(name: str, channels: tuple[str, ...] | None = None
             ) -> dict[str, dict[str, float]]:
    """``{series: {YYYY-01-01: value}}`` for one library scenario (``channels``: the agreement
    trade-cost channels on, default as the files say; ``()`` = tariffs only)."""
    from sim.run import run_scenario

    run = run_scenario(name, "icio2022", channels=channels)
    p = run.path
    jan = p[(p.date.dt.month == 1) & (p.date.dt.day == 1)]

    def total(metric: str, region: str, partner: str = "all") -> dict[str, float]:
        s = jan[(jan.metric == metric) & (jan.region == region) & (jan.partner == partner)]
        if partner == "all":
            s = s[s.sector == "all"]
        g = s.groupby(s.date.dt.strftime("%Y-%m-%d"), observed=True)["value"].sum()
        return {k: float(v) for k, v in g.items()}

    return {
        "welfare_pct USA": total("welfare_pct", "USA"),
        "welfare_pct JPN": total("welfare_pct", "JPN"),
        "imports USA<-JPN": total("imports", "USA", "JPN"),
        "imports JPN<-USA": total("imports", "JPN", "USA"),
        "tariff_revenue_new USA": total("tariff_revenue_new", "USA"),
        "tariff_avg USA": total("tariff_avg", "USA"),
    }


def compute(channels: tuple[str, ...] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    return {name: headline(name, channels) for name in library_scenarios()}


def diff(pinned: dict, now: dict) -> list[str]:
    """One line per moved series: its 2030 value before -> after and the largest move."""
    lines = []
    for name in sorted(set(pinned) | set(now)):
        if name not in pinned or name not in now:
            lines.append(f"{name}: {'new' if name in now else 'removed'} scenario")
            continue
        for series, points in now[name].items():
            old = pinned[name].get(series, {})
            moves = [(abs(v - old[d]), d) for d, v in points.items() if d in old]
            if not moves or max(moves)[0] <= 1e-12 + 1e-9 * max(abs(v) for v in points.values()):
                continue
            big, day = max(moves)
            y = "2030-01-01"
            at = (f"2030: {old[y]:.6g} -> {points[y]:.6g}; " if y in old and y in points else "")
            lines.append(f"{name} {series}: {at}largest move {big:.3g} on {day}")
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    only = "--tariffs-only" in sys.argv
    target, chans = (TARIFFS_ONLY, ()) if only else (GOLDEN, None)
    if "--write" in sys.argv:
        target.write_text(json.dumps(compute(chans), indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}")
    elif "--diff" in sys.argv:
        print("\n".join(diff(json.loads(target.read_text()), compute(chans))) or "nothing moved")
    else:
        sys.exit("usage: python tests/golden/headline.py [--tariffs-only] --diff | --write")
