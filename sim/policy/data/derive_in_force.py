"""Derive ``agreements_in_force_2022.csv`` from ``../shared/data`` (run once, by hand).

``python -m sim.policy.data.derive_in_force /path/to/shared/data``

Reads ``tariffs_2022/preferences_2022.csv`` (for every ordered pair of the 15 named regions,
the agreements in force in 2022 with their entry-into-force dates; CPTPP and RCEP dates checked
against official pages, most other dates from secondary sources or memory, as its ``source``
column says) and writes one row per ordered pair and agreement: ``importer, exporter,
agreement, in_force, status, source``. ``in_force`` is the earliest date the row names (a
predecessor's date in the agreement's name counts: NAFTA 1994-01-01 for USMCA). Rows without
an agreement (``NONE``) or without a date are dropped. The table is used to scale down
non-tariff cuts for pairs that already had an agreement (sim/policy/channels.py).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "agreements_in_force_2022.csv"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def derive(shared: Path) -> list[dict[str, str]]:
    rows = []
    with open(shared / "tariffs_2022" / "preferences_2022.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["agreement"].strip().upper() == "NONE":
                continue
            dates = DATE.findall(r["in_force"] or "") + DATE.findall(r["agreement"])
            if not dates:
                continue
            src = r["source"].lower()
            checked = ("(verified)" in src or "(verified date)" in src
                       or ("verified for 1 jan 2022" in src and min(dates) == "2022-01-01"))
            rows.append({"importer": r["importer"], "exporter": r["exporter"],
                         "agreement": r["agreement"], "in_force": min(dates),
                         "status": "checked" if checked else "unverified",
                         "source": f"tariffs_2022/preferences_2022.csv: {r['source']}"})
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = derive(Path(argv[0]))
    with open(OUT, "w", newline="") as f:
        w = csv.DictWriter(f, ["importer", "exporter", "agreement", "in_force", "status",
                               "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
