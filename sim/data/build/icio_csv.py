"""Build from an official OECD ICIO CSV with final demand (observed bilateral final flows).

Layout (OECD ICIO releases): the first column holds row labels ``CCC_SECTOR`` (country and
ICIO sector code), followed by ``TLS``/``VA``/``OUT`` rows; columns are ``CCC_SECTOR``
(intermediate use), ``CCC_<FD>`` final-demand categories (HFCE, NPISH, GGFC, GFCF, INVNT,
DPABR, ...) and ``OUT`` (gross output). Values in USD million.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import Tables, to_float
from sim.data.build.concordance import aggregation_matrix, concordance_path, load_mapping
from sim.data.build.icio import OECD_ATTRIBUTION, read_axes, tariff_table
from sim.data.build.theta import cp_theta

FD_CATEGORIES = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR", "NONRES", "DISC")
OTHER_ROWS = ("TLS", "VA", "OUT")


def read_icio_csv(path: Path, sector_codes: set[str]):
    """Z[node, node], FD[node, country], GO[node], node labels and countries."""
    if not path.is_file():
        raise BuildError(f"{path}: ICIO CSV not found")
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header or len(header) < 3:
            raise BuildError(f"{path}, row 1: no header")
        cols = header[1:]
        node_cols, fd_cols, out_col = [], [], None
        for c, lab in enumerate(cols):
            if lab == "OUT":
                out_col = c
                continue
            cc, _, suffix = lab.partition("_")
            if suffix in sector_codes:
                node_cols.append((c, cc, suffix))
            elif suffix in FD_CATEGORIES:
                fd_cols.append((c, cc))
            else:
                raise BuildError(f"{path}, row 1: column {lab!r} is neither COUNTRY_SECTOR "
                                 f"(known sector), COUNTRY_<final demand> nor OUT")
        if out_col is None:
            raise BuildError(f"{path}, row 1: no OUT column")
        nodes = [(cc, s) for _, cc, s in node_cols]
        countries = list(dict.fromkeys(cc for cc, _ in nodes))
        sectors = list(dict.fromkeys(s for _, s in nodes))
        if len(nodes) != len(countries) * len(sectors):
            raise BuildError(f"{path}, row 1: intermediate columns are not a full "
                             "country x sector grid")
        S = len(sectors)
        # canonical country-major order, whatever the column order in the file
        node_index = {(cc, s): countries.index(cc) * S + sectors.index(s) for cc, s in nodes}
        col_pos = [node_index[cc, s] for _, cc, s in node_cols]
        N, C = len(nodes), len(countries)
        Z = np.zeros((N, N))
        FD = np.zeros((N, C))
        GO = np.zeros(N)
        seen = set()
        for line, row in enumerate(reader, start=2):
            if not row or not row[0].strip():
                continue
            lab = row[0].strip()
            if len(row) != len(header):
                raise BuildError(f"{path}, row {line}: {len(row)} cells, expected {len(header)}")
            if lab in OTHER_ROWS or lab.endswith("_TAXSUB") or lab.startswith("TLS"):
                continue
            cc, _, s = lab.partition("_")
            if (cc, s) not in node_index:
                raise BuildError(f"{path}, row {line}: row label {lab!r} is not a column node")
            if lab in seen:
                raise BuildError(f"{path}, row {line}: duplicate row {lab!r}")
            seen.add(lab)
            r = node_index[cc, s]
            vals = [to_float(path, line, header[c + 1], row[c + 1], allow_blank=True)
                    for c in range(len(cols))]
            for c, _, _ in node_cols:
                if vals[c] < 0:
                    raise BuildError(f"{path}, row {line}: column {header[c + 1]!r} has "
                                     f"negative intermediate flow {row[c + 1]!r}")
            Z[r, col_pos] = [vals[c] for c, _, _ in node_cols]
            for c, cc2 in fd_cols:
                FD[r, countries.index(cc2)] += vals[c]
            GO[r] = vals[out_col]
        if len(seen) != N:
            missing = [f"{c}_{x}" for c, x in nodes if f"{c}_{x}" not in seen]
            raise BuildError(f"{path}: rows missing for {missing[:5]}")
    return Z, FD, GO, countries, sectors


def build_from_icio_csv(path: Path, data_dir: Path | None = None, name: str = "icio_csv",
                        concordance_dir: Path | None = None, with_tariffs: bool = True,
                        year: int | None = None) -> Tables:
    regions, sectors, tradable = read_axes(concordance_dir, "regions_16.csv")
    iso_region, rpath = load_mapping("icio_regions_16.csv", "iso3", "region",
                                     set(regions.codes), concordance_dir)
    sec_map, spath = load_mapping("icio_sectors_7.csv", "icio_code", "sector",
                                  set(sectors.codes), concordance_dir)
    Z, FD, GO, countries, icio_sectors = read_icio_csv(Path(path), set(sec_map))
    rmat = aggregation_matrix(countries, iso_region, regions.codes, rpath, "country")
    smat = aggregation_matrix(icio_sectors, sec_map, sectors.codes, spath, "sector")
    C, S = len(countries), len(icio_sectors)
    Z4 = Z.reshape(C, S, C, S)            # [o, s, d, b] (country-major nodes)
    FD3 = FD.reshape(C, S, C)             # [o, s, d]
    Xi = np.einsum("osdb,oi,dn,sj->inj", Z4, rmat, rmat, smat)
    Xf = np.einsum("osd,oi,dn,sj->inj", FD3, rmat, rmat, smat)
    neg = float(-Xf[Xf < 0].sum())
    Xf = np.maximum(Xf, 0.0)  # net inventory draws can make a cell negative
    X = Xi + Xf
    GOa = X.sum(axis=1)
    M = np.einsum("osdb,sk,dn,bj->nkj", Z4, smat, rmat, smat)
    io = np.divide(M, GOa[:, None, :], out=np.zeros_like(M), where=GOa[:, None, :] > 0)
    va = 1.0 - io.sum(axis=1)
    if (va < -1e-9).any():
        n, j = np.argwhere(va < -1e-9)[0]
        raise BuildError(f"{path}: intermediate inputs exceed output for {regions.codes[n]} "
                         f"{sectors.codes[j]}")
    gap = np.abs(rmat.T @ GO.reshape(C, S) @ smat - GOa).max()
    R, J = len(regions.codes), len(sectors.codes)
    if with_tariffs and data_dir is not None:
        us = regions.index("USA") if "USA" in regions.codes else None
        from sim.data.build.tariffs import census_us_imports
        us_imp, us_duty, _ = census_us_imports(Path(data_dir), regions.codes, sectors.codes,
                                               iso_region, concordance_dir)
        rate, source, est = tariff_table(Path(data_dir), regions.codes, sectors.codes,
                                         tradable, us, us_imp, us_duty, concordance_dir, X)
    else:
        rate = np.zeros((R, R, J))
        source = np.full((R, R, J), "none", dtype=object)
        est = np.ones((R, R, J), dtype=int)
    if data_dir is not None and (Path(data_dir) / "caliendo_parro_2015").is_dir():
        theta, members = cp_theta(Path(data_dir), sectors.codes, concordance_dir=concordance_dir)
    else:
        theta = {"theta": np.full(J, 5.0), "theta_uniform4": np.full(J, 4.0),
                 "theta_uniform5": np.full(J, 5.0)}
        members = "no Caliendo-Parro data given: theta = 5 in every sector"
    t = Tables(name=name, regions=regions.codes, region_labels=regions.labels,
               region_iso3=regions.extra["iso3"], sectors=sectors.codes,
               sector_labels=sectors.labels, tradable=tradable, theta=theta, flows=X,
               tariffs=rate, tariff_source=source, tariff_estimate=est, io=io, va=va)
    t.metadata = {
        "name": name, "year": year, "currency": "USD", "unit": "USD million",
        "description": f"Built from the official OECD ICIO CSV {Path(path).name} with observed "
                       "final demand by destination (no calibration).",
        "sources": [OECD_ATTRIBUTION],
        "licence": "Derived tables, CC BY 4.0. Attribution: " + OECD_ATTRIBUTION + ".",
        "limits": [f"negative final-demand cells (inventory changes) set to 0: {neg:.6g}",
                   f"max |aggregated OUT - row sum of flows|: {gap:.6g}"],
        "theta": {"members": members},
        "concordances": str(concordance_path("", concordance_dir)),
    }
    return t
