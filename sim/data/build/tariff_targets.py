"""Estimated MFN rows recalibrated to published averages (docs/data.md, "Tariffs").

The MFN sector rows of 11 importers in ``tariffs_2022/mfn_by_sector.csv`` are estimates. Where a
published average exists (``tariffs_2022/published_checks/found_figures.csv``), every sector
rate of the importer in the rule's scope is multiplied by one factor so that the line-weighted
average matches it:

.. math::

    f_n = \\frac{P_n}{\\sum_{s \\in S} w_s t_{ns} / \\sum_{s \\in S} w_s}, \\qquad
    t'_{ns} = f_n t_{ns}\\ (s \\in S)

with w_s the share of HS 2022 six-digit subheadings in sector s
(``published_checks/hs6_line_shares.csv``) and S all goods sectors (scope ``all``) or the four
manufacturing sectors (scope ``manufactures``): the sector pattern of the estimate is kept.
Scope ``zero`` sets every sector to 0 from a cited tariff schedule (Singapore). Which figure
each importer is scaled to is data: ``sim/data/concordances/tariff_targets.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.data.build import BuildError
from sim.data.build.common import read_rows, to_float
from sim.data.build.concordance import concordance_path

__all__ = ["MANUFACTURES", "Target", "line_shares", "line_weighted_pct", "read_targets",
           "recalibrate", "tariff_checks"]

PUBLISHED = "tariffs_2022/published_checks/found_figures.csv"
LINE_SHARES = "tariffs_2022/published_checks/hs6_line_shares.csv"
RULES = "tariff_targets.csv"
MANUFACTURES = ("metals", "machinery_electronics", "motor_vehicles", "other_manufacturing")
SCOPES = ("all", "manufactures", "zero")
#: prefix of the WTO all-products row used as a cross-check for importers with verified rows
WTO_ALL_PRODUCTS = "MFN applied simple average, all products"


@dataclass(frozen=True)
class Target:
    """The published figure an importer's estimated rows are scaled to."""

    importer: str
    scope: str
    value_pct: float | None
    year: int
    measure: str
    label: str
    source_url: str
    note: str


def line_shares(data_dir: Path, goods: list[str]) -> dict[str, float]:
    """Share of HS6 subheadings per goods sector (the weights of a simple line average)."""
    p = data_dir / LINE_SHARES
    out: dict[str, float] = {}
    for line, row in read_rows(p, ["sector", "share"]):
        s = row["sector"].strip()
        if s == "total":
            continue
        if s not in goods:
            raise BuildError(f"{p}, row {line}: unknown sector {s!r}")
        out[s] = to_float(p, line, "share", row["share"])
    missing = [s for s in goods if s not in out]
    if missing:
        raise BuildError(f"{p}: no share for sector(s) {missing}")
    if abs(sum(out.values()) - 1) > 1e-3:
        raise BuildError(f"{p}: shares sum to {sum(out.values())!r}, expected 1")
    return out


def _published(data_dir: Path) -> list[tuple[int, dict[str, str]]]:
    return list(read_rows(data_dir / PUBLISHED, ["importer", "measure", "year", "value_pct",
                                                 "source_title", "source_url", "note"]))


def read_targets(data_dir: Path, concordance_dir: Path | None = None) -> dict[str, Target]:
    """importer -> the published figure its rows are scaled to (rule file + found figures)."""
    rules = concordance_path(RULES, concordance_dir)
    figures = _published(data_dir)
    out: dict[str, Target] = {}
    for line, row in read_rows(rules, ["importer", "scope", "measure_starts", "year", "label",
                                       "note"]):
        imp, scope = row["importer"].strip(), row["scope"].strip()
        if scope not in SCOPES:
            raise BuildError(f"{rules}, row {line}: scope {scope!r} is not one of {SCOPES}")
        if imp in out:
            raise BuildError(f"{rules}, row {line}: importer {imp!r} listed twice")
        year = int(to_float(rules, line, "year", row["year"]))
        if scope == "zero":
            out[imp] = Target(imp, scope, None, year, "tariff schedule", row["label"], "",
                              row["note"])
            continue
        prefix = row["measure_starts"].strip()
        hits = [(k, r) for k, r in figures if r["importer"].strip() == imp
                and r["measure"].strip().startswith(prefix) and r["year"].strip() == str(year)]
        if len(hits) != 1:
            raise BuildError(f"{rules}, row {line}: {len(hits)} rows of {data_dir / PUBLISHED} "
                             f"match importer {imp!r}, measure {prefix!r}..., year {year} "
                             "(need exactly one)")
        k, fig = hits[0]
        value = to_float(data_dir / PUBLISHED, k, "value_pct", fig["value_pct"])
        out[imp] = Target(imp, scope, value, year, fig["measure"].strip(), row["label"],
                          fig["source_url"].strip(), row["note"])
    return out


def line_weighted_pct(mfn: dict[tuple[str, str], float], importer: str,
                      shares: dict[str, float], sectors: tuple[str, ...] | None = None) -> float:
    """Line-weighted simple average of an importer's sector rates, in percent."""
    secs = sectors or tuple(shares)
    w = sum(shares[s] for s in secs)
    return 100 * sum(shares[s] * mfn[importer, s] for s in secs) / w


def recalibrate(mfn: dict[tuple[str, str], float], estimated: set[str], data_dir: Path,
                goods: list[str], concordance_dir: Path | None = None,
                ) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """Scaled copy of ``mfn`` (rates, 0.05 = 5 %) and importer -> source tag, for the
    ``estimated`` importers that have a target. Importers with verified rows are untouched."""
    targets = read_targets(data_dir, concordance_dir)
    shares = line_shares(data_dir, goods)
    out = dict(mfn)
    tags: dict[str, str] = {}
    for imp, t in targets.items():
        if imp not in estimated:
            continue
        if any((imp, s) not in mfn for s in goods):
            raise BuildError(f"{data_dir}: importer {imp!r} has a target in {RULES} but not "
                             "every goods sector in mfn_by_sector.csv")
        if t.scope == "zero":
            for s in goods:
                out[imp, s] = 0.0
            tags[imp] = f"zero tariff schedule: {t.label}"
            continue
        secs = MANUFACTURES if t.scope == "manufactures" else tuple(goods)
        before = line_weighted_pct(mfn, imp, shares, secs)
        if before <= 0:
            raise BuildError(f"{imp}: estimated average is {before!r}, cannot be scaled")
        factor = t.value_pct / before
        for s in secs:
            out[imp, s] = mfn[imp, s] * factor
        what = "manufactures " if t.scope == "manufactures" else ""
        tags[imp] = f"mfn_estimate_2022, {what}scaled to {t.value_pct:g} % ({t.label})"
    return out, tags


def tariff_checks(before: dict[tuple[str, str], float], after: dict[tuple[str, str], float],
                  estimated: set[str], data_dir: Path, goods: list[str],
                  concordance_dir: Path | None = None) -> list[dict]:
    """One row per importer: our line-weighted average beside the published figure.

    ``ours_pct`` is over the target's scope (all goods, or manufactures); importers with
    verified rows are compared with the WTO all-products figure where one is listed (a check
    of the line weights, nothing is scaled)."""
    targets = read_targets(data_dir, concordance_dir)
    shares = line_shares(data_dir, goods)
    figures = _published(data_dir)
    rows = []
    for imp in sorted({k[0] for k in after}):
        if any((imp, s) not in after for s in goods):
            continue
        t = targets.get(imp) if imp in estimated else None
        others = [r for _, r in figures if r["importer"].strip() == imp]
        row = {"importer": imp, "rows": "estimate" if imp in estimated else "verified",
               "scope": "all goods", "estimate_pct": None, "ours_pct": None,
               "published_pct": None, "measure": "", "year": None, "source": "", "note": ""}
        if t is not None and t.scope != "zero":
            secs = MANUFACTURES if t.scope == "manufactures" else tuple(goods)
            row.update(scope="manufactures" if t.scope == "manufactures" else "all goods",
                       estimate_pct=round(line_weighted_pct(before, imp, shares, secs), 4),
                       ours_pct=round(line_weighted_pct(after, imp, shares, secs), 4),
                       published_pct=t.value_pct, measure=t.measure, year=t.year,
                       source=t.label, note=t.note)
        elif t is not None:
            row.update(rows="sourced", estimate_pct=round(line_weighted_pct(before, imp, shares),
                                                          4),
                       ours_pct=round(line_weighted_pct(after, imp, shares), 4),
                       measure=t.measure, year=t.year, source=t.label, note=t.note)
        else:
            row["ours_pct"] = round(line_weighted_pct(after, imp, shares), 4)
            wto = [r for r in others if r["measure"].strip().startswith(WTO_ALL_PRODUCTS)]
            if wto and imp not in estimated:
                r = wto[0]
                row.update(published_pct=float(r["value_pct"]), measure=r["measure"].strip(),
                           year=int(r["year"]), source=r["source_title"].strip(),
                           note="verified rows: a check of the line weights, nothing scaled")
            elif others:
                row["note"] = ("no comparable published figure found (only: " + "; ".join(
                    f"{r['measure'].strip()} {r['year'].strip()}" for r in others) + ")")
            else:
                row["note"] = "no published average found in the shared data"
        rows.append(row)
    return rows
