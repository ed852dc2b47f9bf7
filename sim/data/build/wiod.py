"""The ``wiod2014`` builder: WIOD 2016 release, year 2014, KITE model inputs (docs/data.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.data.build import BuildError
from sim.data.build.common import Tables
from sim.data.build.concordance import aggregation_matrix, load_mapping
from sim.data.build.icio import read_axes
from sim.data.build.theta import cp_theta
from sim.data.build.wiod_source import load_wiod, wiod_flows, wiod_import_rates

WIOD_ATTRIBUTION = ("Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. "
                    "(2015), An Illustrated User Guide to the World Input-Output Database: the "
                    "Case of Global Automotive Production, Review of International Economics "
                    "23: 575-605 (WIOD 2016 release, CC BY 4.0)")


def build_wiod2014(data_dir: Path, full: bool = False,
                   concordance_dir: Path | None = None) -> Tables:
    """Aggregated 9 regions x 7 sectors, or ``full=True``: WIOD's own 44 x 50 resolution."""
    data_dir = Path(data_dir)
    w = load_wiod(data_dir)
    regions, sectors, tradable = read_axes(concordance_dir, "regions_wiod_9.csv")
    sec_map, spath = load_mapping("wiod_sectors_7.csv", "wiod_code", "sector",
                                  set(sectors.codes), concordance_dir)
    theta7, theta_members = cp_theta(data_dir, sectors.codes, concordance_dir=concordance_dir)
    if full:
        reg_codes = list(w["countries"])
        reg_labels, reg_iso = reg_codes, [c if c != "ROW" else "" for c in reg_codes]
        sec_codes = list(w["sectors"])
        smat = np.eye(len(sec_codes))
        rmat = np.eye(len(reg_codes))
        s7 = aggregation_matrix(sec_codes, sec_map, sectors.codes, spath, "sector")
        theta = {k: s7 @ v for k, v in theta7.items()}
        sec_labels = [f"{c} ({sectors.labels[int(np.argmax(s7[k]))]})"
                      for k, c in enumerate(sec_codes)]
        trad = [1] * len(sec_codes)
        sec_names = [sectors.codes[int(np.argmax(s7[k]))] for k in range(len(sec_codes))]
    else:
        reg_map, rpath = load_mapping("wiod_regions_9.csv", "wiod_code", "region",
                                      set(regions.codes), concordance_dir)
        rmat = aggregation_matrix(w["countries"], reg_map, regions.codes, rpath, "country")
        smat = aggregation_matrix(w["sectors"], sec_map, sectors.codes, spath, "sector")
        reg_codes, reg_labels, reg_iso = regions.codes, regions.labels, regions.extra["iso3"]
        sec_codes, sec_labels, trad, theta = sectors.codes, sectors.labels, tradable, theta7
        sec_names = sec_codes
    Xw = wiod_flows(w)
    rw = wiod_import_rates(w)
    X = np.einsum("ods,oi,dn,sj->inj", Xw, rmat, rmat, smat)
    TX = np.einsum("ods,oi,dn,sj->inj", Xw * rw, rmat, rmat, smat)
    rate = np.divide(TX, X, out=np.zeros_like(X), where=X > 0)
    R, _J = X.shape[0], X.shape[2]
    rate[np.arange(R), np.arange(R), :] = 0.0
    Y = Xw.sum(axis=1)  # [country, sector] gross output
    cost = (1.0 - w["factor_share"])[:, None, :] * w["intermediate"] * Y[:, None, :]
    M = np.einsum("cks,cn,kK,sJ->nKJ", cost, rmat, smat, smat)
    GO = rmat.T @ Y @ smat
    io = np.divide(M, GO[:, None, :], out=np.zeros_like(M), where=GO[:, None, :] > 0)
    va = 1.0 - io.sum(axis=1)
    if (va < -1e-9).any():
        n, j = np.argwhere(va < -1e-9)[0]
        raise BuildError(f"{w['dir']}: intermediate share above 1 for {reg_codes[n]} "
                         f"{sec_codes[j]}")
    src = np.full(X.shape, "wiod2014_kite", dtype=object)
    svc = [j for j, s in enumerate(sec_names) if s == "services"]
    src[:, :, svc] = "wiod2014_kite_services"
    est = np.ones(X.shape, dtype=int)
    name = "wiod2014_full" if full else "wiod2014"
    t = Tables(name=name, regions=reg_codes, region_labels=list(reg_labels),
               region_iso3=list(reg_iso), sectors=sec_codes, sector_labels=list(sec_labels),
               tradable=trad, theta=theta, flows=X, tariffs=rate, tariff_source=src,
               tariff_estimate=est, io=io, va=va)
    t.metadata = {
        "name": name,
        "year": 2014,
        "currency": "USD",
        "unit": "USD million",
        "description": (
            ("WIOD 2016 release, year 2014, at its own 44 regions x 50 sectors" if full else
             "9 regions x 7 sectors, base year 2014") +
            ": observed bilateral flows including final demand (trade share x expenditure, "
            "net of tariffs), value-added and input-output shares and tariffs from the WIOD "
            "2016 release as processed into Caliendo-Parro model inputs by the Kiel Institute "
            "KITE project. A robustness check on base year and data source for icio2022."),
        "sources": [WIOD_ATTRIBUTION,
                    "Kiel Institute for the World Economy, KITE: WIOD processed into model "
                    "inputs (tariff source undocumented)",
                    "Caliendo & Parro (2015), ReStud 82(1): replication inputs for theta"],
        "licence": "Derived tables, CC BY 4.0. Attribution: " + WIOD_ATTRIBUTION + ".",
        "limits": [
            "Base year 2014: before CPTPP (2018), the US withdrawal from TPP (2017), USMCA "
            "(2020), the EU-Japan EPA (2019), the 2019 US-Japan agreement, the 2018-19 US "
            "Section 232/301 tariffs and the China retaliation.",
            "Of the TPP members only USA, JPN, CAN, MEX and AUS are separate; NZL, VNM, MYS, "
            "SGP, CHL, PER and BRN are inside ROW (with GBR, IND, IDN, TWN, RUS, BRA, ...).",
            "Tariffs are indicative (source undocumented by KITE; orientation transposed in "
            "the file and corrected here); Mexico's NAFTA preferences are missing (Mexico "
            "shows 4-5 % on US and Canadian goods).",
            "The file's trade_elasticity values are not used; theta as in icio2022.",
            "EU = the 27 members of 2020 (GBR in ROW).",
        ],
        "theta": {"theta": "CP 2015 T.txt, weighted by 1993 world trade of member sectors",
                  "members": theta_members,
                  "variants": ["theta_uniform4", "theta_uniform5"]},
    }
    return t
