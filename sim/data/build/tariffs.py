"""Base-year applied tariffs with a source label per row (docs/data.md, "Tariffs")."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import read_rows, to_float
from sim.data.build.concordance import load_mapping
from sim.data.build.sources import load_census_partner
from sim.data.build.tariff_targets import recalibrate, tariff_checks

CENSUS_DIR = "us_tariffs_2025"
EU_CENSUS_CODE = "0003"
TARIFF_DIR = "tariffs_2022"
BASE_YEAR = 2022


def hs2_mapping(sectors: list[str], concordance_dir: Path | None = None) -> dict[str, str]:
    m, _ = load_mapping("hs2_sectors_7.csv", "hs2", "sector", {*sectors, "excluded"},
                        concordance_dir)
    return {k.zfill(2): v for k, v in m.items()}


def census_us_imports(data_dir: Path, regions: list[str], sectors: list[str],
                      iso_region: dict[str, str], concordance_dir: Path | None = None,
                      ) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]]]:
    """US 2024 imports and duties by exporter region and sector (USD), from Census HS2 files.

    Named regions use their own Census file, EU the EU aggregate (code 0003), ROW every
    partner whose ISO3 is mapped to ROW in the regional concordance (ICIO economies only).
    """
    base = data_dir / CENSUS_DIR
    cmap = base / "CensusCountryMapping_FRBAtl_short.csv"
    code_iso: dict[str, str] = {}
    for line, row in read_rows(cmap, ["CTY_CODE", "ISO3"]):
        code = (row["CTY_CODE"] or "").strip().zfill(4)
        if not code.isdigit():
            raise BuildError(f"{cmap}, row {line}: CTY_CODE {row['CTY_CODE']!r} is not a number")
        code_iso[code] = (row["ISO3"] or "").strip()
    hs = hs2_mapping(sectors, concordance_dir)
    R, J = len(regions), len(sectors)
    imports = np.zeros((R, J))
    duties = np.zeros((R, J))
    members: dict[str, list[str]] = {r: [] for r in regions}
    files: list[tuple[str, str]] = []
    for code, iso in sorted(code_iso.items()):
        reg = iso_region.get(iso)
        if reg is None or reg == "USA":
            continue
        if reg == "EU":
            continue  # the EU aggregate file is used instead of the members
        files.append((code, reg))
    if "EU" in regions:
        files.append((EU_CENSUS_CODE, "EU"))
    for code, reg in files:
        if reg not in regions:
            continue
        p = base / "data-hs2" / f"hs2-tariff-{code}.csv"
        data = load_census_partner(p)
        r = regions.index(reg)
        members[reg].append(code)
        for ch, (imp, duty) in data.items():
            if ch not in hs:
                raise BuildError(f"{p}: HS chapter {ch!r} is not in hs2_sectors_7.csv")
            s = hs[ch]
            if s == "excluded":
                continue
            imports[r, sectors.index(s)] += imp
            duties[r, sectors.index(s)] += duty
    missing = [r for r in regions if r != "USA" and not members[r]]
    if missing:
        raise BuildError(f"{base / 'data-hs2'}: no Census partner file for regions {missing}")
    return imports, duties, members


def read_mfn_source(data_dir: Path, sectors: list[str]) -> tuple[dict, dict]:
    """MFN rates as in ``mfn_by_sector.csv`` and importer -> rows verified (WTO data)."""
    p = data_dir / TARIFF_DIR / "mfn_by_sector.csv"
    mfn: dict[tuple[str, str], float] = {}
    verified: dict[str, bool] = {}
    for line, row in read_rows(p, ["importer", "sector", "mfn_simple_avg_pct", "note"]):
        imp, sec = row["importer"].strip(), row["sector"].strip()
        if sec not in sectors:
            raise BuildError(f"{p}, row {line}: unknown sector {sec!r}")
        v = to_float(p, line, "mfn_simple_avg_pct", row["mfn_simple_avg_pct"])
        if not 0 <= v <= 1000:
            raise BuildError(f"{p}, row {line}: tariff {v!r} % out of range")
        if (imp, sec) in mfn:
            raise BuildError(f"{p}, row {line}: duplicate ({imp}, {sec})")
        mfn[imp, sec] = v / 100.0
        verified[imp] = (row["note"] or "").strip().upper().startswith("VERIFIED")
    return mfn, verified


def goods_sectors(mfn: dict) -> list[str]:
    return sorted({s for _, s in mfn})


def read_mfn(data_dir: Path, sectors: list[str], concordance_dir: Path | None = None,
             ) -> tuple[dict, dict, dict[str, str]]:
    """MFN rates with the estimated rows recalibrated to published averages
    (:mod:`sim.data.build.tariff_targets`), importer -> verified, importer -> source tag."""
    mfn, verified = read_mfn_source(data_dir, sectors)
    estimated = {imp for imp, v in verified.items() if not v}
    new, tags = recalibrate(mfn, estimated, data_dir, goods_sectors(mfn), concordance_dir)
    for imp, v in verified.items():
        tags.setdefault(imp, "wto_mfn_2022" if v else "mfn_estimate_2022")
    sourced = {imp for imp, t in tags.items() if t.startswith("zero tariff schedule")}
    return new, {imp: v or imp in sourced for imp, v in verified.items()}, tags


def mfn_checks(data_dir: Path, sectors: list[str], concordance_dir: Path | None = None,
               ) -> list[dict]:
    """Our line-weighted MFN averages beside the published ones (stored in metadata.json)."""
    before, verified = read_mfn_source(data_dir, sectors)
    after, _, _ = read_mfn(data_dir, sectors, concordance_dir)
    estimated = {imp for imp, v in verified.items() if not v}
    return tariff_checks(before, after, estimated, data_dir, goods_sectors(before),
                         concordance_dir)


def _read_depth(sectors: list[str], concordance_dir: Path | None) -> dict[tuple[str, str], float]:
    from sim.data.build.concordance import concordance_path
    p = concordance_path("preference_depth.csv", concordance_dir)
    out = {}
    for line, row in read_rows(p, ["class", "sector", "residual"]):
        v = to_float(p, line, "residual", row["residual"])
        if not 0 <= v <= 1:
            raise BuildError(f"{p}, row {line}: residual {v!r} outside [0, 1]")
        if row["sector"] not in sectors:
            raise BuildError(f"{p}, row {line}: unknown sector {row['sector']!r}")
        out[row["class"].strip(), row["sector"]] = v
    return out


def _agreement_class(agreement: str, in_force: date) -> tuple[str, float]:
    """(class, fraction of the base year in force). NAFTA-successor rows date from 1994."""
    if "USJTA" in agreement:
        return "USJTA", 1.0
    m = re.search(r"NAFTA (\d{4})-(\d{2})-(\d{2})", agreement)
    if m:
        in_force = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if in_force.year < 2017:
        return "mature", 1.0
    if in_force.year < BASE_YEAR:
        return "recent", 1.0
    if in_force.year == BASE_YEAR:
        days = (date(BASE_YEAR, 12, 31) - in_force).days + 1
        return "new2022", days / 365.0
    return "none", 0.0


def mfn_preference_tariffs(data_dir: Path, regions: list[str], sectors: list[str],
                           tradable: list[int], concordance_dir: Path | None = None):
    """Rates for importers in mfn_by_sector.csv: MFN x residual share under preferences.

    Returns rate, source and estimate arrays [exporter, importer, sector] (NaN where the
    importer has no MFN row) and the pair -> agreements list used.
    """
    mfn, verified, tags = read_mfn(data_dir, sectors, concordance_dir)
    depth = _read_depth(sectors, concordance_dir)
    p = data_dir / TARIFF_DIR / "preferences_2022.csv"
    pairs: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for line, row in read_rows(p, ["importer", "exporter", "agreement", "in_force"]):
        ag = (row["agreement"] or "").strip()
        if ag.upper() == "NONE" or not ag:
            continue
        try:
            d = date.fromisoformat(row["in_force"].strip())
        except ValueError:
            raise BuildError(f"{p}, row {line}: in_force {row['in_force']!r} is not a date "
                             "(YYYY-MM-DD)") from None
        cls, frac = _agreement_class(ag, d)
        if cls != "none":
            pairs.setdefault((row["exporter"].strip(), row["importer"].strip()), []).append(
                (ag, cls, frac))
    R, J = len(regions), len(sectors)
    rate = np.full((R, R, J), np.nan)
    source = np.full((R, R, J), "", dtype=object)
    est = np.ones((R, R, J), dtype=int)
    for n, imp in enumerate(regions):
        for j, sec in enumerate(sectors):
            if (imp, sec) not in mfn:
                continue
            for i, exp in enumerate(regions):
                if i == n or not tradable[j]:
                    continue
                residual = 1.0
                used = []
                # full-year agreements first, then part-year ones on top (time-weighted)
                for ag, cls, frac in sorted(pairs.get((exp, imp), []), key=lambda a: -a[2]):
                    res = depth[cls, sec]
                    if res < residual:
                        residual = frac * res + (1 - frac) * residual
                        used.append(ag if frac == 1.0 else f"{ag} ({frac:.2f} of year)")
                rate[i, n, j] = mfn[imp, sec] * residual
                source[i, n, j] = tags[imp] + ("; pref: " + " + ".join(used) if used else "")
                est[i, n, j] = 0 if (verified[imp] and not used) else 1
    return rate, source, est, pairs
