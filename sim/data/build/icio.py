"""The ``icio2022`` builder: OECD ICIO 2022 + BACI 2023 + US Census 2024 (docs/data.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.balance import capped_targets, ras
from sim.data.build.common import Tables, read_rows, to_float
from sim.data.build.concordance import (
    aggregation_matrix,
    concordance_path,
    load_mapping,
    read_codes,
)
from sim.data.build.sources import (
    find_io_source,
    load_baci,
    load_icio_compact,
    load_io_coefficients,
)
from sim.data.build.tariffs import census_us_imports, mfn_checks, mfn_preference_tariffs
from sim.data.build.theta import cp_theta
from sim.data.build.wiod_source import load_wiod, wiod_flows, wiod_import_rates

OECD_ATTRIBUTION = "OECD (2025), Inter-Country Input-Output Database, http://oe.cd/icio"


def read_parameters(concordance_dir: Path | None = None) -> dict[str, float]:
    p = concordance_path("parameters.csv", concordance_dir)
    return {row["parameter"].strip(): to_float(p, line, "value", row["value"])
            for line, row in read_rows(p, ["parameter", "value"])}


def read_axes(concordance_dir: Path | None, region_file: str,
              sector_file: str = "sectors_7.csv"):
    """Region codes, sector codes and the tradable flag of each sector, from the concordance
    files ``region_file`` and ``sector_file`` (a clear error on a bad ``tradable`` value)."""
    regions = read_codes(concordance_path(region_file, concordance_dir), "region", ("iso3",))
    sectors = read_codes(concordance_path(sector_file, concordance_dir), "sector", ("tradable",))
    tradable = []
    for s, v in zip(sectors.codes, sectors.extra["tradable"], strict=True):
        if v not in ("0", "1"):
            raise BuildError(f"{concordance_path(sector_file, concordance_dir)}: tradable "
                             f"{v!r} for sector {s!r} must be 0 or 1")
        tradable.append(int(v))
    return regions, sectors, tradable


def icio_aggregates(d: dict, io: dict, rmat: np.ndarray, smat: np.ndarray) -> dict:
    """Aggregate ICIO arrays: Z[i,n,j], GO[i,j], FS[i,j] (final + ICIO-RoW sales), M[n,k,j]."""
    Z = np.einsum("sod,oi,dn,sj->inj", d["interm_sales_by_dest"].astype(float), rmat, rmat, smat)
    GO = rmat.T @ d["gross_output"].T @ smat
    FS = rmat.T @ d["final_and_row_sales"].T @ smat
    S, C = len(d["sectors"]), len(d["countries"])
    A, omb, go = io["A"], io["omb"], io["go"]
    # node = sector * C + country (sector-major); intermediate flow = A * omb * go (by column)
    buy = (A * (omb * go)[None, :]).reshape(S, C, S, C).sum(axis=1)  # [in_s, buy_s, buy_c]
    M = np.einsum("kbc,kK,bJ,cn->nKJ", buy, smat, smat, rmat)
    return {"Z": Z, "GO": GO, "FS": FS, "M": M}


def calibrate_final(Z, FS, T, us_mix, us, goods, smax, regions):
    """Final-goods flows FD[i,n,j] (i != n) and a report of binding caps (see docs/data.md)."""
    R, _, J = Z.shape
    FD = np.zeros_like(Z)
    notes = []
    g = np.array(goods, dtype=bool)
    for i in range(R):
        others = [n for n in range(R) if n != i]
        zg = Z[i][:, g].sum(axis=1)
        ft = np.maximum(T[i] - zg, 0.0)
        ft[i] = 0.0
        cap = smax * FS[i] * g
        fixed = np.zeros(J)
        if i != us and us is not None:
            tgt = T[i, us] * us_mix[i]
            fd = np.maximum(tgt - Z[i, us], 0.0) * g
            # follow the Census mix; where a sector's final sales cannot hold its share the
            # rest of the pair total goes to the other goods sectors (water filling)
            fd = capped_targets(fd + 1e-12 * g, cap, ft[us])
            if fd.sum() < ft[us] * (1 - 1e-9):
                notes.append(f"{regions[i]}->{regions[us]}: final goods capped, pair total "
                             f"short by {ft[us] - fd.sum():.0f}")
            FD[i, us] = fd
            fixed = fd
        rows = [n for n in others if n != us]
        rt = ft[rows]
        zsh = np.divide(Z[i], Z[i].sum(axis=0, keepdims=True),
                        out=np.zeros_like(Z[i]), where=Z[i].sum(axis=0, keepdims=True) > 0)
        prior = FS[i][None, :] * zsh[rows] * g[None, :]
        prior += 1e-9 * (FS[i] * g)[None, :] / max(FS[i].sum(), 1.0)  # never an empty row
        room = np.maximum(cap - fixed, 0.0)
        if rt.sum() > room.sum():
            notes.append(f"{regions[i]}: final-goods exports capped at {smax:.0%} of final "
                         f"sales; pair totals scaled by {room.sum() / rt.sum():.3f}")
            rt = rt * room.sum() / rt.sum()
        ct = capped_targets(prior.sum(axis=0), room, rt.sum())
        ct *= rt.sum() / ct.sum() if ct.sum() > 0 else 0.0
        FD[i, rows] = ras(prior, rt, ct)
    return FD, notes


def build_icio2022(data_dir: Path, io_source: Path | None = None, allow_download: bool = True,
                   concordance_dir: Path | None = None,
                   region_file: str = "regions_16.csv",
                   region_map_file: str = "icio_regions_16.csv",
                   sector_map_file: str = "icio_sectors_7.csv") -> Tables:
    data_dir = Path(data_dir)
    regions, sectors, tradable = read_axes(concordance_dir, region_file)
    R, _J = len(regions.codes), len(sectors.codes)
    iso_region, rpath = load_mapping(region_map_file, "iso3", "region", set(regions.codes),
                                     concordance_dir)
    sec_map, spath = load_mapping(sector_map_file, "icio_code", "sector", set(sectors.codes),
                                  concordance_dir)
    d = load_icio_compact(data_dir)
    rmat = aggregation_matrix(list(d["countries"]), iso_region, regions.codes, rpath, "country")
    smat = aggregation_matrix(list(d["sectors"]), sec_map, sectors.codes, spath, "sector")
    src = find_io_source(io_source, allow_download)
    io = load_io_coefficients(src)
    if list(io["countries"]) != list(d["countries"]) or list(io["sectors"]) != list(d["sectors"]):
        raise BuildError(f"{src}: country/sector order differs from {d['path']}")
    agg = icio_aggregates(d, io, rmat, smat)
    Z, GO, FS, M = agg["Z"], agg["GO"], agg["FS"], agg["M"]
    # consistency: intermediate use by buyer from the coefficients = sales by destination
    use_from_sales = Z.sum(axis=0)  # [n, k] purchases of k by n from all exporters
    use_from_coef = M.sum(axis=2)   # [n, k]
    gap = np.abs(use_from_sales - use_from_coef).max() / max(use_from_sales.max(), 1.0)
    if gap > 1e-4:
        raise BuildError(f"{src}: intermediate use from IO coefficients differs from "
                         f"{d['path']} by {gap:.2e} (relative)")
    params = read_parameters(concordance_dir)
    goods = [bool(t) and s != "services" for s, t in zip(sectors.codes, tradable, strict=True)]
    # --- BACI pair totals, rescaled to 2022; regions of ICIO economies missing in BACI ---
    biso, bmat, _bpath = load_baci(data_dir)
    in_icio = [k for k, c in enumerate(biso) if c in set(d["countries"])]
    bmap = np.zeros((len(biso), R))
    for k in in_icio:
        bmap[k, regions.index(iso_region[biso[k]])] = 1.0
    T = bmap.T @ bmat @ bmap * params["baci_2023_to_2022"]
    np.fill_diagonal(T, 0.0)
    absent = [c for c in d["countries"] if c not in set(biso)]
    gsel = np.array(goods, dtype=float)
    if absent:
        # scale pairs by the ratio of ICIO intermediate goods trade with / without the absentees
        keep = np.array([c not in absent for c in d["countries"]], dtype=float)
        zc = np.einsum("sod,sj,j->od", d["interm_sales_by_dest"].astype(float), smat, gsel)
        full = rmat.T @ zc @ rmat
        part = rmat.T @ (zc * keep[:, None] * keep[None, :]) @ rmat
        ratio = np.divide(full, part, out=np.ones_like(full), where=part > 0)
        T = T * ratio
    # --- US import sector mix (Census 2024) ---
    us = regions.index("USA") if "USA" in regions.codes else None
    us_imp, us_duty, members = census_us_imports(data_dir, regions.codes, sectors.codes,
                                                 iso_region, concordance_dir)
    mix = np.divide(us_imp, us_imp.sum(axis=1, keepdims=True), out=np.zeros_like(us_imp),
                    where=us_imp.sum(axis=1, keepdims=True) > 0)
    FD, notes = calibrate_final(Z, FS, T, mix, us, goods, params["max_final_export_share"],
                                regions.codes)
    exports_final = FD.sum(axis=1)
    dom = FS - exports_final
    if (dom < -1e-6).any():
        i, j = np.argwhere(dom < -1e-6)[0]
        raise BuildError(f"calibration: domestic final sales of {regions.codes[i]} "
                         f"{sectors.codes[j]} negative ({dom[i, j]!r})")
    dom = np.maximum(dom, 0.0)
    for i in range(R):
        FD[i, i] = dom[i]
    X = Z + FD
    # --- IO shares and value added ---
    io_sh = np.divide(M, GO[:, None, :], out=np.zeros_like(M), where=GO[:, None, :] > 0)
    va = 1.0 - io_sh.sum(axis=1)
    if (va < -1e-9).any():
        n, j = np.argwhere(va < -1e-9)[0]
        raise BuildError(f"{src}: intermediate cost share above 1 for {regions.codes[n]} "
                         f"{sectors.codes[j]}")
    # --- tariffs ---
    rate, source, est = tariff_table(data_dir, regions.codes, sectors.codes, tradable,
                                     us, us_imp, us_duty, concordance_dir, X)
    theta, theta_members = cp_theta(data_dir, sectors.codes, concordance_dir=concordance_dir)
    t = Tables(
        name="icio2022", regions=regions.codes, region_labels=regions.labels,
        region_iso3=regions.extra["iso3"], sectors=sectors.codes, sector_labels=sectors.labels,
        tradable=tradable, theta=theta, flows=X, tariffs=rate, tariff_source=source,
        tariff_estimate=est, io=io_sh, va=va)
    t.metadata = icio_metadata(params, notes, theta_members, members, absent)
    t.metadata["tariff_checks"] = mfn_checks(data_dir, sectors.codes, concordance_dir)
    return t


def tariff_table(data_dir, regions, sectors, tradable, us, us_imp, us_duty, concordance_dir,
                 X):
    R, J = len(regions), len(sectors)
    rate, source, est, _ = mfn_preference_tariffs(data_dir, regions, sectors, tradable,
                                                  concordance_dir)
    if us is not None:
        for i in range(R):
            if i == us:
                continue
            for j in range(J):
                if not tradable[j]:
                    continue
                if us_imp[i, j] > 0:
                    rate[i, us, j] = us_duty[i, j] / us_imp[i, j]
                    source[i, us, j] = "census_2024_duties_over_imports"
                    est[i, us, j] = 0
                else:
                    rate[i, us, j] = 0.0
                    source[i, us, j] = "census_2024_no_imports"
                    est[i, us, j] = 1
    if "ROW" in regions:
        n = regions.index("ROW")
        w = load_wiod(data_dir)
        wmap, _wpath = load_mapping("wiod_regions_9.csv", "wiod_code", "region", None,
                                   concordance_dir)
        wsec, _ = load_mapping("wiod_sectors_7.csv", "wiod_code", "sector", set(sectors),
                               concordance_dir)
        wr = wiod_import_rates(w)
        wx = wiod_flows(w)
        rowk = w["countries"].index("ROW")
        for j, sec in enumerate(sectors):
            if not tradable[j]:
                continue
            ss = [k for k, s in enumerate(w["sectors"]) if wsec.get(s) == sec]
            for i, exp in enumerate(regions):
                if i == n:
                    continue
                ks = [k for k, c in enumerate(w["countries"]) if wmap.get(c) == exp]
                if not ks:
                    ks = [k for k, c in enumerate(w["countries"]) if k != rowk]
                    tag = "wiod2014_row_average"
                else:
                    tag = "wiod2014"
                vw = wx[np.ix_(ks, [rowk], ss)].ravel()
                vr = wr[np.ix_(ks, [rowk], ss)].ravel()
                rate[i, n, j] = float(np.sum(vw * vr) / np.sum(vw)) if vw.sum() > 0 else 0.0
                source[i, n, j] = tag
                est[i, n, j] = 1
    for j, sec in enumerate(sectors):
        if tradable[j] and sec == "services":
            rate[:, :, j] = 0.0
            source[:, :, j] = "services_no_tariff"
            est[:, :, j] = 0
    missing = [(regions[i], regions[n], sectors[j]) for i in range(R) for n in range(R)
               for j in range(J) if i != n and tradable[j] and np.isnan(rate[i, n, j])]
    if missing:
        raise BuildError(f"tariffs: no source for importer/exporter/sector {missing[:5]} ...")
    rate = np.nan_to_num(rate, nan=0.0)
    for i in range(R):
        rate[i, i] = 0.0
        source[i, i] = ""
    return rate, source, est


def icio_metadata(params, notes, theta_members, members, absent) -> dict:
    return {
        "name": "icio2022",
        "year": 2022,
        "currency": "USD",
        "unit": "USD million",
        "description": (
            "16 regions x 7 sectors, base year 2022. Gross output, value added, input-output "
            "shares and bilateral intermediate flows from OECD ICIO 2022 (2025 release); "
            "bilateral final-goods flows calibrated to BACI 2023 goods pair totals (x "
            f"{params['baci_2023_to_2022']} to 2022) and, for US imports, the Census 2024 "
            "sector mix; tariffs from US Census 2024 duties (US), WTO MFN 2022 + 2022 "
            "preferences (other importers), WIOD 2014 (RoW as importer). See docs/data.md."),
        "sources": [
            OECD_ATTRIBUTION + " (CC BY 4.0); full input-output coefficients via the PyPI "
            "wheel sanction-simulator 0.1.4 (MIT), file sanction_simulator/data/bench_cache.npz",
            "CEPII BACI, HS22 V202501 (Gaulier & Zignago 2010), goods totals by pair as "
            "aggregated by Ignatenko, Macedoni, Lashkaripour & Simonovska (2025); Etalab 2.0",
            "US Census Bureau, US imports and calculated duties by partner and HS chapter, 2024 "
            "(public domain), as compiled in the us_tariffs_2025 data set (MIT)",
            "WTO Tariff & Trade Data, MFN applied averages 2022 (JPN, CHN, EU verified; other "
            "importers: estimates, scaled to published averages where found: WTO World Tariff "
            "Profiles 2023, Peru 2022 customs tariff, World Bank WDI; SGP from Singapore "
            "Customs) and a 2022 agreement matrix (tariffs_2022)",
            "WIOD 2016 release (Timmer et al. 2015, CC BY 4.0), 2014 tariffs as processed by the "
            "Kiel Institute KITE project: RoW import tariffs only, indicative",
            "Caliendo & Parro (2015), ReStud 82(1): replication inputs for theta",
        ],
        "licence": (
            "Derived tables, CC BY 4.0. Attribution: " + OECD_ATTRIBUTION + "; CEPII BACI "
            "(Etalab Open Licence 2.0); US Census Bureau (public domain); WTO Tariff & Trade Data; "
            "WIOD (Timmer et al. 2015, CC BY 4.0); Caliendo & Parro (2015)."),
        "limits": [
            "Final-goods bilateral flows are calibrated, not observed (OECD compact release "
            "lacks final demand by destination).",
            "Services trade includes intermediate services only; final-demand services "
            "(e.g. tourism) are counted as domestic sales.",
            "Tariffs other than US and MFN rows of JPN, CHN, EU (and SGP's zero schedule) are "
            "estimates (estimate=1); the estimated MFN rows of AUS BRN CAN CHL PER KOR are "
            "scaled to published all-products averages and VNM MEX manufactures to published "
            "manufactures averages (tariff_checks; NZL MYS unscaled: no comparable figure); "
            "preference depth by agreement class is an assumption (preference_depth.csv).",
            "ICIO's own rest-of-world block is dropped: the model world is the 80 ICIO "
            "economies; ROW = the 51 other ICIO economies.",
            "BACI 2023 rescaled uniformly to 2022; re-exports (SGP, MYS, HKG in ROW) remain in "
            "the BACI totals up to the final-export cap.",
        ] + notes + ([f"ICIO economies absent from BACI (pair totals scaled by their ICIO "
                      f"intermediate trade): {', '.join(absent)}"] if absent else []),
        "theta": {"theta": "CP 2015 T.txt, weighted by 1993 world trade of member sectors",
                  "members": theta_members,
                  "variants": ["theta_uniform4", "theta_uniform5"]},
        "census_partner_codes": members,
    }
