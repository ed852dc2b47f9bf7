"""Published estimates of the 2025 US tariffs beside tradesim's (no Streamlit).

Rows come from ``sim/app/assets/studies_2025.toml`` (the Validation page's study schema). For
each row we report the closest measure tradesim has, named in ``our measure``:

* an effective tariff rate (unit ``pp``): the change in the trade-weighted US applied tariff
  (``tariff_avg``, 2022 weights, so before substitution);
* a cost per household (unit ``USD per household``): the real-income change per US household
  (:func:`sim.app.welfare.household_cost`);
* anything else (welfare, GDP, prices): the exact real income of the region relative to the
  reference's, % (:func:`sim.results.difference`, as the Compare page's welfare card).

Years beyond our horizon are read at our last year (the row says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.app.welfare import household_cost, year_difference

__all__ = ["STUDIES_2025", "load_studies", "pairs", "study_table"]

STUDIES_2025 = Path(__file__).parent / "assets" / "studies_2025.toml"


def load_studies(path: Path = STUDIES_2025) -> list[dict]:
    """The ``[[study]]`` rows of a studies file, checked by :func:`sim.app.studies.load_studies`
    (fields, types, a url or a note saying why not)."""
    from sim.app.studies import load_studies as load_all

    return [r for r in load_all(path.parent) if r["file"] == path.name]


def pairs(rows: list[dict]) -> set[tuple[str, str]]:
    """The (scenario, reference) runs the rows need."""
    return {(r["tradesim_scenario"], r["tradesim_reference"]) for r in rows}


def _ours(row: dict, paths: Mapping[str, pd.DataFrame], year: int) -> tuple[float, str]:
    a, b = paths[row["tradesim_scenario"]], paths[row["tradesim_reference"]]
    region = row["region"]
    if row["unit"] == "pp":
        return (year_difference(a, b, "tariff_avg", region, year),
                "trade-weighted applied tariff, pp (2022 weights)")
    if row["unit"].startswith("USD per household"):
        hh = household_cost(paths, row["tradesim_scenario"], row["tradesim_reference"], year,
                            region)
        return hh["usd_per_household"], "real income per household, USD/yr (2022 values)"
    return (year_difference(a, b, "welfare_pct", region, year),
            "welfare (exact real income) relative to the reference, %")


def study_table(rows: list[dict], paths: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per study figure: what it measures, its value, ours beside it."""
    last = min(int(pd.to_datetime(p["date"]).dt.year.max()) for p in paths.values())
    out = []
    for r in rows:
        year = min(int(r["year"]), last)
        ours, what = _ours(r, paths, year)
        note = r.get("note", "")
        if year != int(r["year"]):
            note = f"ours read at {year} (our last year); " + note
        out.append({
            "study": r["study"], "region": r["region"], "measure (theirs)": r["measure"],
            "published": r["value"], "unit": r["unit"], "year": r["year"],
            "ours": ours, "our measure": what,
            "our comparison": f"{r['tradesim_scenario']} vs {r['tradesim_reference']}, {year}",
            "what they model": r["scenario"], "note": note, "link": r.get("url") or None,
        })
    return pd.DataFrame(out)
