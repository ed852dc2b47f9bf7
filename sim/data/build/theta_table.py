"""The Monte Carlo θ table ``sim/batch/data/theta_cp2015.csv`` from the shared source data.

``python -m sim.data.build.theta_table [--data DIR] [--out FILE]``

One row per Caliendo & Parro (2015) tradable sector: θ from the replication input ``T.txt``,
its standard error from ``caliendo_parro_2015/theta_se_reproduced.csv`` (the authors'
estimation re-run on their 1993 data: triple ratios of ``CP_stat.m``, product aggregation of
``Sample_975.m``, OLS without constant with HC1 robust errors; **not checked against the printed
Table 1**), the 1993 world trade of the sector (``xbilat1993.txt``, thousand USD) that weights it
into our sectors, and the sources. The reproduced θ must equal ``T.txt`` to 0.005, else the
build stops. Auto and OtherTransport carry CP's non-estimated 8.22 and no standard error: the
table says so and ``sim.batch.theta`` gives them the median relative standard error of the
estimated sectors (docs/batch.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from sim.data.build import BuildError
from sim.data.build.common import read_rows, to_float
from sim.data.build.concordance import load_mapping
from sim.data.build.theta import CP_DIR, CP_REGIONS, CP_SECTORS, CP_TRADABLES, read_cp_table

SE_FILE = "caliendo_parro_2015/theta_se_reproduced.csv"
TABLE = Path(__file__).resolve().parents[2] / "batch" / "data" / "theta_cp2015.csv"
COLUMNS = ["cp_sector", "sector", "theta", "se", "trade_1993_kusd", "theta_source",
           "se_source", "se_verified"]
THETA_MATCH = 0.005
NO_SE_RULE = ("none: T.txt holds the non-estimated 8.22; draws use the median relative s.e. "
              "of the 18 estimated sectors (docs/batch.md)")


def _reproduced(data_dir: Path) -> dict[str, dict[str, str]]:
    p = data_dir / SE_FILE
    out = {}
    for line, row in read_rows(p, ["cp_sector", "theta", "se_robust", "n_obs",
                                   "countries_left_out"]):
        name = row["cp_sector"].strip()
        if name not in CP_SECTORS:
            raise BuildError(f"{p}, row {line}: unknown CP sector {name!r}")
        to_float(p, line, "theta", row["theta"])
        se = to_float(p, line, "se_robust", row["se_robust"])
        if not se > 0:
            raise BuildError(f"{p}, row {line}: se_robust {row['se_robust']!r} is not positive")
        out[name] = row
    return out


def theta_table_rows(data_dir: Path, concordance_dir: Path | None = None) -> list[dict]:
    """The rows of the θ table (strings, in CP's sector order)."""
    t = read_cp_table(data_dir / CP_DIR / "T.txt", 1)[:, 0]
    x = read_cp_table(data_dir / CP_DIR / "xbilat1993.txt", CP_REGIONS)
    if t.shape != (CP_TRADABLES,) or x.shape != (CP_TRADABLES * CP_REGIONS, CP_REGIONS):
        raise BuildError(f"{data_dir / CP_DIR}: T.txt or xbilat1993.txt has the wrong shape")
    trade = x.reshape(CP_TRADABLES, CP_REGIONS, CP_REGIONS).sum(axis=(1, 2))
    mapping, _ = load_mapping("cp2015_sectors_7.csv", "cp_sector", "sector", None,
                              concordance_dir)
    rep = _reproduced(data_dir)
    rows = []
    for k, name in enumerate(CP_SECTORS):
        row = {"cp_sector": name, "sector": mapping[name], "theta": f"{t[k]:.2f}",
               "trade_1993_kusd": f"{trade[k]:.3f}", "se_verified": "0"}
        if name in rep:
            r = rep[name]
            if abs(float(r["theta"]) - t[k]) > THETA_MATCH:
                raise BuildError(f"{data_dir / SE_FILE}: {name} θ {r['theta']} differs from "
                                 f"T.txt {t[k]:.4f} by more than {THETA_MATCH}")
            row["theta_source"] = "CP2015 replication T.txt"
            row["se"] = f"{float(r['se_robust']):.2f}"
            left_out = r["countries_left_out"].strip()
            row["se_source"] = (
                f"reproduced from the authors' code and data (99% sample, N={r['n_obs']}, "
                f"left out: {left_out}; robust HC1); not checked against the printed Table 1 "
                f"[{SE_FILE}]")
        else:
            row["theta_source"] = ("CP2015 replication T.txt (non-tradable value; published "
                                   "estimate not used)")
            row["se"] = ""
            row["se_source"] = NO_SE_RULE
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    from sim.data.build.commands import default_data_dir

    ap = argparse.ArgumentParser(description="Write sim/batch/data/theta_cp2015.csv.")
    ap.add_argument("--data", type=Path, default=None, help="shared data directory")
    ap.add_argument("--out", type=Path, default=TABLE)
    a = ap.parse_args(argv)
    try:
        text = format_table(theta_table_rows(a.data or default_data_dir()))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    a.out.write_text(text, encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["TABLE", "format_table", "theta_table_rows"]
