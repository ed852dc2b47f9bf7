"""Batch results: open a results store written by ``tradesim mc`` or ``tradesim sweep``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sim.app import charts
from sim.app.state import csv_bytes, parquet_bytes

__all__ = ["bands_from_summary", "find_stores", "render"]

METRIC_LABELS = {
    "welfare_pct": "welfare (exact real income), %",
    "real_wage_pct": "real wage, %",
    "price_index_pct": "consumer prices, %",
    "welfare_usd": "welfare, USD million/yr",
    "tariff_revenue_new": "tariff revenue, USD million/yr",
    "exports_new": "exports, USD million/yr",
    "imports_new": "imports, USD million/yr",
    "tariff_avg": "average applied tariff, %",
}


def _batch() -> Any:
    """The ``sim.batch`` module, or None if it is not installed."""
    try:
        mod = importlib.import_module("sim.batch")
    except ImportError:
        return None
    return mod if hasattr(mod, "ResultsStore") else None


def find_stores(roots: tuple[str, ...] = ("results", "runs", "."), limit: int = 30
                ) -> list[str]:
    """Folders under ``roots`` (one level) that open as results stores."""
    batch = _batch()
    if batch is None:
        return []
    out: list[str] = []
    for root in roots:
        r = Path(root)
        if not r.is_dir():
            continue
        for p in sorted(r.iterdir()):
            if len(out) >= limit:
                return out
            if p.is_dir() and not p.name.startswith("."):
                try:
                    batch.ResultsStore(p)
                except Exception:  # not a store (StoreError) or unreadable
                    continue
                out.append(str(p))
    return out


def _quantile_columns(df: pd.DataFrame) -> list[str]:
    """Numeric quantile columns of a summary table, in ascending order."""
    skip = {"value", "mean", "std", "n", "count", "draws", "year"}
    cols = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and c not in skip
            and any(ch.isdigit() for ch in str(c))]

    def q(c: str) -> float:
        digits = "".join(ch if (ch.isdigit() or ch == ".") else " " for ch in str(c)).split()
        x = float(digits[-1]) if digits else 0.0
        return x / 100 if x > 1 else x

    return sorted(cols, key=q)


def bands_from_summary(df: pd.DataFrame, x: str = "year") -> pd.DataFrame:
    """Normalize a ``ResultsStore.summarize`` table to ``scenario, <x>, lo, mid, hi``."""
    d = df.copy()
    if {"lo", "mid", "hi"} <= set(d.columns):
        return d
    qs = _quantile_columns(d)
    if len(qs) >= 3:
        d["lo"], d["mid"], d["hi"] = d[qs[0]], d[qs[len(qs) // 2]], d[qs[-1]]
    elif "quantile" in d.columns and "value" in d.columns:
        keys = [c for c in d.columns if c not in ("quantile", "value")]
        w = d.pivot_table(index=keys, columns="quantile", values="value").reset_index()
        qcols = sorted(c for c in w.columns if c not in keys)
        w["lo"], w["mid"], w["hi"] = w[qcols[0]], w[qcols[len(qcols) // 2]], w[qcols[-1]]
        d = w
    else:
        raise ValueError(f"summary has no quantile columns: {list(df.columns)}")
    if "scenario" not in d.columns:
        d["scenario"] = "all"
    return d


def render() -> None:
    """Draw the Batch results page."""
    st.title("Batch results")
    st.caption("Monte Carlo and parameter-sweep results written by `tradesim mc` / `tradesim "
               "sweep` (a folder of Parquet parts with a manifest, queried with DuckDB).")
    batch = _batch()
    if batch is None:
        st.info("The batch module (`sim.batch`) is not available in this installation, so "
                "there are no Monte Carlo or sweep results to show. Compare scenarios on the "
                "Compare page; its optional band is an elasticity sensitivity range.")
        return
    found = find_stores()
    c1, c2 = st.columns([3, 2])
    default = found[0] if found else "results/mc"
    typed = c1.text_input("Results store (folder)", default, key="batch_path",
                          help="The --out folder of `tradesim mc` or `tradesim sweep`.")
    if found:
        c2.caption("Stores found: " + ", ".join(f"`{f}`" for f in found))
    try:
        store = batch.ResultsStore(typed)
    except batch.StoreError as exc:
        st.warning(str(exc))
        st.markdown("Make one with, for example, `tradesim mc scenarios/tpp12.toml --draws 50 "
                    "--out results/mc` (see docs/batch.md).")
        return
    except Exception as exc:  # an unreadable store must not break the page
        st.error(f"{typed}: cannot be read as a results store ({exc})")
        return
    _show(store, typed)


def _show(store: Any, path: str) -> None:
    runs = store.runs()
    man = store.manifest
    n_ok = int((runs["status"] == "ok").sum()) if "status" in runs else len(runs)
    cols = st.columns(4)
    cols[0].metric("kind", "Monte Carlo" if store.kind == "mc" else "parameter sweep")
    cols[1].metric("runs", f"{n_ok} ok of {len(runs)}")
    cols[2].metric("scenarios", str(runs["scenario"].nunique()) if "scenario" in runs else "?")
    secs = float(runs["seconds"].sum()) if "seconds" in runs else float("nan")
    cols[3].metric("compute time", f"{secs:,.0f} s")
    failed = runs[runs["status"] != "ok"] if "status" in runs else runs.iloc[:0]
    if len(failed):
        st.warning(f"{len(failed)} runs failed; they are left out of the bands.")
    res = store.results()
    metrics = [m for m in METRIC_LABELS if m in set(res["metric"].astype(str))] or sorted(
        res["metric"].astype(str).unique())
    regions = sorted(res["region"].astype(str).unique())
    a, b = st.columns(2)
    metric = a.selectbox("Outcome", metrics, key="batch_metric",
                         format_func=lambda m: METRIC_LABELS.get(m, m))
    region = b.selectbox("Region", regions, index=regions.index("USA") if "USA" in regions
                         else 0, key="batch_region")
    unit = METRIC_LABELS.get(metric, metric)
    table: pd.DataFrame
    if store.kind == "sweep":
        params = [c for c in _params(runs)]
        param = st.selectbox("Parameter", params, key="batch_param") if params else None
        table = store.sweep_response(metric, region=region, param=param)
        xcol = param if param in table.columns else next(
            (c for c in table.columns if c not in ("scenario", "value", "unit")), "x")
        st.altair_chart(charts.sweep_chart(table, param=xcol, y_title=f"{unit}, {region}"),
                        width="stretch")
        st.caption("Each point is one run at the end of the horizon window the sweep reports; "
                   "see the manifest for the reference and the grid.")
    else:
        summ = store.summarize(metrics=[metric], by=["scenario", "region", "year"])
        summ = summ[summ["region"].astype(str) == region] if "region" in summ else summ
        table = bands_from_summary(summ)
        st.altair_chart(charts.band_chart(table, y_title=f"{unit}, {region}"), width="stretch")
        st.caption("Line: median over the draws; band: 5th to 95th percentile (annual means "
                   "of the reporting periods). Draws vary the trade elasticities (and any "
                   "policy uncertainty the plan names; see the manifest).")
    d1, d2, d3 = st.columns(3)
    d1.download_button("table shown (CSV)", csv_bytes(table), file_name="batch_table.csv",
                       mime="text/csv", key="batch_dl_table", on_click="ignore")
    d2.download_button("runs (CSV)", csv_bytes(runs), file_name="batch_runs.csv",
                       mime="text/csv", key="batch_dl_runs", on_click="ignore")
    d3.download_button("all results (Parquet)", lambda: parquet_bytes(store.results()),
                       file_name="batch_results.parquet", mime="application/octet-stream",
                       key="batch_dl_parquet", on_click="ignore")
    with st.expander("Runs"):
        st.dataframe(runs, hide_index=True, width="stretch")
    with st.expander("Manifest"):
        st.json(man, expanded=False)


def _params(runs: pd.DataFrame) -> list[str]:
    """Names of the parameters that vary across runs (from the ``params`` column)."""
    if "params" not in runs:
        return []
    keys: dict[str, set[str]] = {}
    for p in runs["params"]:
        d = p if isinstance(p, dict) else {}
        if isinstance(p, str):
            import json

            try:
                d = json.loads(p)
            except ValueError:
                d = {}
        for k, v in d.items():
            keys.setdefault(k, set()).add(repr(v))
    return [k for k, v in keys.items() if len(v) > 1] or list(keys)
