"""Reader for the WIOD 2014 model inputs (KITE processing of WIOD 2016 release)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import read_rows, to_float

WIOD_DIR = "wiod_2014"


def _cube(path: Path, k1: str, k2: str, k3: str) -> tuple[list[str], list[str], dict]:
    vals: dict[tuple[str, str, str], float] = {}
    a, c = set(), set()
    for line, row in read_rows(path, [k1, k2, k3, "value"]):
        key = (row[k1], row[k2], row[k3])
        if key in vals:
            raise BuildError(f"{path}, row {line}: duplicate key {key}")
        v = to_float(path, line, "value", row["value"])
        vals[key] = v
        a.add(row[k1])
        c.add(row[k3])
    return sorted(a), sorted(c), vals


def load_wiod(data_dir: Path) -> dict:
    """Arrays with WIOD's own orientation noted per key; country/sector lists sorted."""
    base = data_dir / WIOD_DIR
    countries, sectors, ts = _cube(base / "trade_share.csv.gz", "origin", "destination", "sector")
    C, S = len(countries), len(sectors)
    ci = {c: k for k, c in enumerate(countries)}
    si = {s: k for k, s in enumerate(sectors)}
    share = np.zeros((C, C, S))
    for (o, d, s), v in ts.items():
        share[ci[o], ci[d], si[s]] = v
    _, _, tf = _cube(base / "tariff.csv.gz", "origin", "destination", "sector")
    tariff = np.ones((C, C, S))  # file: tariff[origin=A, destination=B] = 1 + rate A applies to B
    for (o, d, s), v in tf.items():
        if o not in ci or d not in ci or s not in si:
            raise BuildError(f"{base / 'tariff.csv.gz'}: unknown code in {(o, d, s)}")
        if v < 1.0 - 1e-12:
            raise BuildError(f"{base / 'tariff.csv.gz'}: value {v!r} < 1 for {(o, d, s)}")
        tariff[ci[o], ci[d], si[s]] = v
    _, _, ish = _cube(base / "intermediate_share.csv.gz", "input", "output", "country")
    inter = np.zeros((C, S, S))  # [country, input, output]
    for (i, o, c), v in ish.items():
        inter[ci[c], si[i], si[o]] = v
    exp = np.zeros((C, S))
    p = base / "expenditure.csv"
    for line, row in read_rows(p, ["country", "sector", "value"]):
        exp[ci[row["country"]], si[row["sector"]]] = to_float(p, line, "value", row["value"])
    fs = np.zeros((C, S))
    p = base / "factor_share.csv"
    for line, row in read_rows(p, ["sector", "country", "value"]):
        fs[ci[row["country"]], si[row["sector"]]] = to_float(p, line, "value", row["value"])
    for name, arr in (("trade_share", share), ("expenditure", exp), ("factor_share", fs),
                      ("intermediate_share", inter)):
        if (arr < 0).any():
            raise BuildError(f"{base}/{name}: negative value at {tuple(np.argwhere(arr < 0)[0])}")
    return {"countries": countries, "sectors": sectors, "trade_share": share,
            "tariff_file": tariff, "intermediate": inter, "expenditure": exp,
            "factor_share": fs, "dir": base}


def wiod_import_rates(w: dict) -> np.ndarray:
    """Rates in tradesim orientation [exporter, importer, sector] (transposing the file)."""
    rate = np.transpose(w["tariff_file"], (1, 0, 2)) - 1.0
    C = rate.shape[0]
    rate[np.arange(C), np.arange(C), :] = 0.0
    return rate


def wiod_flows(w: dict) -> np.ndarray:
    """Flows at producer prices [exporter, importer, sector] = share x expenditure / (1 + t)."""
    rate = wiod_import_rates(w)
    return w["trade_share"] * w["expenditure"][None, :, :] / (1.0 + rate)
