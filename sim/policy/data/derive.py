"""Derive the small policy tables in this folder from ``../shared/data`` (run once, by hand).

``python -m sim.policy.data.derive /path/to/shared/data``

* ``mfn_by_sector.csv``: MFN simple averages by goods sector for 14 importers from
  ``tariffs_2022/mfn_by_sector.csv`` (WTO Tariff & Trade Data; JPN, CHN, EU verified, the other
  rows estimates), with the estimated rows recalibrated to published averages exactly as the
  baseline build does (``sim.data.build.tariffs.read_mfn``; the ``source`` column names the
  figure each importer was scaled to), plus a USA row computed here from the US Census 2024
  imports and duties by HS chapter (``us_tariffs_2025/data-hs2``, MIT, tradewartracker) for
  partners without a US trade agreement (JPN, EU, NZL, VNM, MYS, BRN): trade-weighted applied
  duty, which
  includes Section 232 duties where they were collected in 2024.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
SECTOR_ORDER = ["food_agriculture", "mining_energy", "metals", "machinery_electronics",
                "motor_vehicles", "other_manufacturing"]
US_PARTNERS = {"5880": "JPN", "0003": "EU", "6141": "NZL", "5520": "VNM", "5570": "MYS",
               "5610": "BRN"}


def hs2_sector(ch: int) -> str:
    """Our six goods sectors from an HS chapter."""
    if ch <= 24:
        return "food_agriculture"
    if ch <= 27:
        return "mining_energy"
    if 72 <= ch <= 83:
        return "metals"
    if ch in (84, 85):
        return "machinery_electronics"
    if ch == 87:
        return "motor_vehicles"
    return "other_manufacturing"


def main(shared: Path) -> None:
    from sim.data.build.tariffs import read_mfn, read_mfn_source

    rows = []
    _, wto_verified = read_mfn_source(shared, SECTOR_ORDER)
    mfn, _, tags = read_mfn(shared, SECTOR_ORDER)
    order = list(dict.fromkeys(wto_verified))
    for imp, sec in sorted(mfn, key=lambda k: (order.index(k[0]), SECTOR_ORDER.index(k[1]))):
        tag = tags[imp]
        if wto_verified[imp]:
            status = "verified (WTO)"
        elif tag.startswith("zero tariff schedule"):
            status = "sourced (tariff schedule)"
        elif "scaled to" in tag:
            status = "estimate scaled to a published average"
        else:
            status = "unverified estimate"
        rows.append({"importer": imp, "sector": sec, "rate": round(mfn[imp, sec], 6),
                     "status": status,
                     "source": f"tariffs_2022/mfn_by_sector.csv (WTO Tariff & Trade Data); {tag}"})
    imports: dict[str, float] = {}
    duty: dict[str, float] = {}
    seen = set()
    for code in US_PARTNERS:
        with open(shared / "us_tariffs_2025" / "data-hs2" / f"hs2-tariff-{code}.csv") as f:
            for r in csv.DictReader(f):
                key = (code, r["HS2"])
                if key in seen:  # the files repeat some chapters
                    continue
                seen.add(key)
                s = hs2_sector(int(r["HS2"]))
                imports[s] = imports.get(s, 0.0) + float(r["2024_imports"] or 0)
                duty[s] = duty.get(s, 0.0) + float(r["2024_duty"] or 0)
    for s in sorted(imports):
        rows.append({"importer": "USA", "sector": s, "rate": round(duty[s] / imports[s], 6),
                     "status": "derived (Census 2024 duties/imports, trade-weighted)",
                     "source": "us_tariffs_2025/data-hs2 (US Census Bureau; tradewartracker, MIT)"})
    with open(HERE / "mfn_by_sector.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
