"""Checks of a built baseline against facts (US Census) and accounting identities."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from sim.data.build import BuildError

GOODS_EXCLUDED = ("services",)

# (name, exporter, importer, sector or None for all goods, low, high, tolerance, source)
# Ranges are the facts; the tolerance widens them (relative).
FACTS_2022 = [
    ("US goods imports from JPN", "JPN", "USA", None, 148_000, 148_000, 0.10,
     "US Census, 2022 US imports of goods from Japan, about $148B"),
    ("US goods exports to JPN", "USA", "JPN", None, 80_000, 80_000, 0.10,
     "US Census, 2022 US exports of goods to Japan, about $80B"),
    ("JPN->USA motor vehicles", "JPN", "USA", "motor_vehicles", 50_000, 50_000, 0.15,
     "US Census, US imports of vehicles and parts (HS 87) from Japan, about $50B"),
    ("US goods imports from CHN", "CHN", "USA", None, 427_000, 537_000, 0.10,
     "US Census, 2022-2024 range of US imports of goods from China"),
    ("US goods imports from CAN", "CAN", "USA", None, 412_000, 438_000, 0.10,
     "US Census, 2022-2024 range of US imports of goods from Canada"),
    ("US goods imports from MEX", "MEX", "USA", None, 455_000, 506_000, 0.10,
     "US Census, 2022-2024 range of US imports of goods from Mexico"),
]


def read_dir(path: Path) -> dict:
    """Read a baseline directory into arrays (independent of the engine's loader)."""
    path = Path(path)

    def rows(name):
        with open(path / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    sec_rows = rows("sectors.csv")
    sectors = [r["sector"] for r in sec_rows]
    if (path / "regions.csv").is_file():
        regions = [r["region"] for r in rows("regions.csv")]
    else:
        regions = list(dict.fromkeys(r["exporter"] for r in rows("flows.csv")))
    R, J = len(regions), len(sectors)
    ri = {r: k for k, r in enumerate(regions)}
    si = {s: k for k, s in enumerate(sectors)}
    X = np.zeros((R, R, J))
    for r in rows("flows.csv"):
        X[ri[r["exporter"]], ri[r["importer"]], si[r["sector"]]] = float(r["value"])
    t = np.zeros((R, R, J))
    est = np.zeros((R, R, J), dtype=int)
    if (path / "tariffs.csv").is_file():
        for r in rows("tariffs.csv"):
            k = ri[r["exporter"]], ri[r["importer"]], si[r["sector"]]
            t[k] = float(r["rate"])
            est[k] = int(r.get("estimate") or 0)
    io = np.zeros((R, J, J))
    for r in rows("io.csv"):
        io[ri[r["region"]], si[r["input_sector"]], si[r["sector"]]] = float(r["share"])
    va = np.ones((R, J))
    for r in rows("value_added.csv"):
        va[ri[r["region"]], si[r["sector"]]] = float(r["share"])
    meta = {}
    if (path / "metadata.json").is_file():
        meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    theta = {k: np.array([float(r[k]) for r in sec_rows]) for k in sec_rows[0]
             if k.startswith("theta")}
    tradable = [int(r.get("tradable") or 1) for r in sec_rows]
    return {"regions": regions, "sectors": sectors, "flows": X, "tariffs": t, "estimate": est,
            "io": io, "va": va, "metadata": meta, "theta": theta, "tradable": tradable}


def run_checks(b: dict, facts: list | None = None) -> list[dict]:
    """Each check: name, built, fact, tolerance, ok (bool), source."""
    regions, sectors, X = b["regions"], b["sectors"], b["flows"]
    goods = [j for j, s in enumerate(sectors) if s not in GOODS_EXCLUDED]
    out = []
    year = b["metadata"].get("year")
    if facts is None:
        facts = FACTS_2022 if year == 2022 else []
    for name, exp, imp, sec, lo, hi, tol, src in facts:
        if exp not in regions or imp not in regions:
            continue
        i, n = regions.index(exp), regions.index(imp)
        v = X[i, n, sectors.index(sec)] if sec else X[i, n, goods].sum()
        ok = lo * (1 - tol) <= v <= hi * (1 + tol)
        fact = f"{lo / 1e3:.0f}" if lo == hi else f"{lo / 1e3:.0f}-{hi / 1e3:.0f}"
        out.append({"name": name, "built": round(float(v) / 1e3, 1),
                    "fact": fact + " $bn", "tolerance": f"±{tol:.0%}", "ok": bool(ok),
                    "source": src})
    R = len(regions)
    dom = X[np.arange(R), np.arange(R), :]
    out.append({"name": "every flow >= 0 (domestic included)", "built": float(X.min()),
                "fact": ">= 0", "tolerance": "exact", "ok": bool((X >= 0).all()),
                "source": "identity"})
    out.append({"name": "domestic flows present and >= 0", "built": float(dom.min()),
                "fact": ">= 0", "tolerance": "exact", "ok": bool((dom >= 0).all()),
                "source": "identity"})
    io, va = b["io"], b["va"]
    in_range = bool((io >= 0).all() and (io <= 1).all() and (va >= 0).all() and (va <= 1).all())
    gap = float(np.abs(io.sum(axis=1) + va - 1).max())
    out.append({"name": "io and value-added shares in [0, 1]", "built": in_range,
                "fact": True, "tolerance": "exact", "ok": in_range, "source": "identity"})
    out.append({"name": "max |sum io + va - 1|", "built": gap, "fact": 0,
                "tolerance": "1e-6", "ok": bool(gap <= 1e-6), "source": "identity"})
    offd = X.copy()
    offd[np.arange(R), np.arange(R), :] = 0
    wx, wm = offd.sum(axis=(1, 2)).sum(), offd.sum(axis=(0, 2)).sum()
    out.append({"name": "world exports = world imports ($bn)", "built": round(float(wx) / 1e3, 1),
                "fact": round(float(wm) / 1e3, 1), "tolerance": "1e-9 relative",
                "ok": bool(abs(wx - wm) <= 1e-9 * max(wx, 1.0)), "source": "identity"})
    t = b["tariffs"]
    diag_ok = bool((t[np.arange(R), np.arange(R), :] == 0).all())
    out.append({"name": "tariffs zero on the diagonal, >= 0", "built": diag_ok, "fact": True,
                "tolerance": "exact", "ok": diag_ok and bool((t >= 0).all()),
                "source": "identity"})
    return out


def format_checks(checks: list[dict]) -> str:
    lines = [f"{'check':42} {'built':>14} {'fact':>16} {'tol':>10}  ok"]
    for c in checks:
        built = c["built"]
        built = f"{built:.4g}" if isinstance(built, float) else str(built)
        lines.append(f"{c['name']:42} {built:>14} {c['fact']!s:>16} {c['tolerance']:>10}  "
                     f"{'yes' if c['ok'] else 'NO'}")
    return "\n".join(lines)


def headline_tables(b: dict, focus: tuple[str, ...] = ("USA", "JPN")) -> str:
    regions, sectors, X, t = b["regions"], b["sectors"], b["flows"], b["tariffs"]
    unit = b["metadata"].get("unit", "")
    lines = []
    goods = [j for j, s in enumerate(sectors) if s not in GOODS_EXCLUDED]
    for f in focus:
        if f not in regions:
            continue
        k = regions.index(f)
        lines.append(f"\n{f}: goods trade by partner ({unit}, $bn = /1000)")
        lines.append(f"{'partner':8} {'exports':>12} {'imports':>12} {'avg tariff on imports':>22}")
        for n, p in enumerate(regions):
            if n == k:
                continue
            ex, im = X[k, n, goods].sum(), X[n, k, goods].sum()
            avg = (t[n, k, goods] * X[n, k, goods]).sum() / im if im > 0 else 0.0
            lines.append(f"{p:8} {ex:12.0f} {im:12.0f} {avg:22.2%}")
    if "USA" in regions and "JPN" in regions:
        u, j = regions.index("USA"), regions.index("JPN")
        lines.append(f"\nUSA-JPN by sector ({unit})")
        lines.append(f"{'sector':24} {'JPN->USA':>10} {'US tariff':>10} {'USA->JPN':>10} "
                     f"{'JP tariff':>10}")
        for s, name in enumerate(sectors):
            lines.append(f"{name:24} {X[j, u, s]:10.0f} {t[j, u, s]:10.2%} {X[u, j, s]:10.0f} "
                         f"{t[u, j, s]:10.2%}")
    R = len(regions)
    lines.append(f"\nGross output and trade deficit by region ({unit})")
    for n, r in enumerate(regions):
        go = X[n].sum()
        d = X[:, n].sum() - X[n].sum()
        lines.append(f"{r:8} GO {go:14.0f}   D {d:12.0f}")
    del R
    thetas = b["theta"]
    lines.append("\nTrade elasticities")
    for j, s in enumerate(sectors):
        lines.append(f"{s:24} " + "  ".join(f"{k}={v[j]:.3g}" for k, v in thetas.items()))
    return "\n".join(lines)


def assert_ok(checks: list[dict]) -> None:
    bad = [c for c in checks if not c["ok"]]
    if bad:
        raise BuildError("checks failed: " + "; ".join(f"{c['name']} = {c['built']}"
                                                       for c in bad))


def format_tariff_checks(rows: list[dict]) -> str:
    """Our line-weighted MFN average of each importer beside the published figure."""
    if not rows:
        return ""

    def pct(v):
        return "" if v is None else f"{v:.2f}"

    lines = ["Average MFN tariff by importer (simple average over HS6 lines, %): ours beside "
             "published",
             f"{'importer':8} {'rows':9} {'scope':13} {'estimate':>8} {'ours':>7} "
             f"{'published':>9} {'diff':>6}  figure"]
    for r in rows:
        diff = ("" if r["published_pct"] is None or r["ours_pct"] is None
                else f"{r['ours_pct'] - r['published_pct']:+.2f}")
        fig = r["source"] or r["note"]
        lines.append(f"{r['importer']:8} {r['rows']:9} {r['scope']:13} "
                     f"{pct(r['estimate_pct']):>8} {pct(r['ours_pct']):>7} "
                     f"{pct(r['published_pct']):>9} {diff:>6}  {fig}")
    return "\n".join(lines)
