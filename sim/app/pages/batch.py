"""Batch results: open a results store written by ``tradesim mc`` or ``tradesim sweep``."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sim.app import charts
from sim.app.state import csv_bytes, parquet_bytes

__all__ = ["bands_from_summary", "find_stores", "render", "sweep_table"]

#: outcomes offered first, in this order (labels and units: the metric registry)
SHOWN = ("welfare_pct", "real_wage_pct", "price_index_pct", "welfare_usd",
         "tariff_revenue_new", "exports_new", "imports_new", "tariff_avg")


def metric_label(name: str) -> str:
    """The registry's label of a metric (the name itself for one it does not have)."""
    from sim.model.metric_registry import METRICS

    return METRICS[name].label if name in METRICS else name


def batch_package() -> Any:
    """The ``sim.batch`` module, or None if it is not installed."""
    try:
        mod = importlib.import_module("sim.batch")
    except ImportError:
        return None
    return mod if hasattr(mod, "ResultsStore") else None


def find_stores(roots: tuple[str, ...] = ("results", "runs", "."), limit: int = 30
                ) -> list[str]:
    """Folders under ``$TRADESIM_RESULTS`` and ``roots`` (one level) that open as results
    stores (``$TRADESIM_RESULTS`` itself may be a store)."""
    batch = batch_package()
    if batch is None:
        return []
    out: list[str] = []
    env = os.environ.get("TRADESIM_RESULTS")
    if env:
        try:
            batch.ResultsStore(env)
            out.append(env)
        except Exception:  # a folder of stores, not a store
            roots = (env, *roots)
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


def cached_stores() -> list[str]:
    """:func:`find_stores`, looked up again at most every 10 s (per folder and
    ``$TRADESIM_RESULTS``)."""
    return _stores_in(os.getcwd(), os.environ.get("TRADESIM_RESULTS", ""))


@st.cache_data(ttl=10, show_spinner=False)
def _stores_in(cwd: str, env: str) -> list[str]:
    return find_stores()


def bands_from_summary(df: pd.DataFrame) -> pd.DataFrame:
    """``ResultsStore.summarize`` output (``p5, p50, p95`` or other quantile columns) with
    ``lo``, ``mid``, ``hi`` added (lowest, middle and highest quantile)."""
    qs = sorted((c for c in df.columns if str(c).startswith("p") and str(c)[1:2].isdigit()),
                key=lambda c: float(str(c)[1:].replace("_", ".")))
    if len(qs) < 2:
        raise ValueError(f"summary has no quantile columns: {list(df.columns)}")
    d = df.copy()
    d["lo"], d["mid"], d["hi"] = d[qs[0]], d[qs[len(qs) // 2]], d[qs[-1]]
    return d


def sweep_table(df: pd.DataFrame, param: str) -> pd.DataFrame:
    """Per scenario and parameter value: mean ``value`` over runs and the range (``lo``,
    ``hi``) over the other swept parameters."""
    g = df.groupby(["label", param], as_index=False)["value"].agg(["mean", "min", "max"])
    g = g.rename(columns={"mean": "value", "min": "lo", "max": "hi", "label": "scenario"})
    return g


def render() -> None:
    """Draw the Batch results page."""
    st.title("Batch results")
    st.caption("Monte Carlo and parameter-sweep results written by `tradesim mc` / `tradesim "
               "sweep` (a folder of Parquet parts with a manifest, queried with DuckDB).")
    batch = batch_package()
    if batch is None:
        st.info("The batch module (`sim.batch`) is not available in this installation, so "
                "there are no Monte Carlo or sweep results to show. Compare scenarios on the "
                "Compare page; its optional band is an elasticity sensitivity range.")
        return
    found = cached_stores()
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
        st.markdown("Make one with, for example, `tradesim mc tpp12 --reference historical "
                    "--draws 50 --out results/mc` (see docs/batch.md).")
        return
    except Exception as exc:  # an unreadable store must not break the page
        st.error(f"{typed}: cannot be read as a results store ({exc})")
        return
    _show(store, typed)


def _show(store: Any, path: str) -> None:
    runs = store.runs()
    man = store.manifest
    ok = runs[runs["status"] == "ok"]
    cols = st.columns(4)
    cols[0].metric("kind", "Monte Carlo" if store.kind == "mc" else "parameter sweep")
    cols[1].metric("runs", f"{len(ok)} ok of {len(runs)}")
    cols[2].metric("scenarios", ", ".join(sorted(runs["scenario"].astype(str).unique())))
    cols[3].metric("compute time", f"{float(runs['seconds'].sum()):,.0f} s")
    if len(ok) < len(runs):
        st.warning(f"{len(runs) - len(ok)} runs failed; they are left out of the charts "
                   "(errors in the Runs table below).")
    bad = store.bad_parts
    if bad:
        st.warning(f"{len(bad)} part file(s) failed verification and are left out: "
                   + "; ".join(f"{p.name} ({why})" for p, why in bad[:5])
                   + ". Rerun the command that made the store to recompute them.")
    avail = store.query("SELECT DISTINCT metric, region, reference, unit FROM results")
    metrics = [m for m in SHOWN if m in set(avail["metric"])] or sorted(
        avail["metric"].unique())
    regions = sorted(avail["region"].unique())
    refs = sorted(r for r in avail["reference"].unique() if r)
    a, b, c = st.columns([2, 1, 2])
    metric = a.selectbox("Outcome", metrics, key="batch_metric",
                         format_func=metric_label)
    region = b.selectbox("Region", regions, index=regions.index("USA") if "USA" in regions
                         else 0, key="batch_region")
    modes = ([f"against the reference ({', '.join(refs)})"] if refs else []) + [
        "against the solved baseline"]
    mode = c.radio("Show", modes, key="batch_mode", horizontal=True)
    diff = mode.startswith("against the reference")
    label = metric_label(metric)

    def unit_of_rows(against: bool) -> str:   # the store's unit column (registry units)
        u = avail[(avail["metric"] == metric) & ((avail["reference"] != "") == against)]["unit"]
        return str(u.iloc[0]) if len(u) else ""

    munit, dunit = unit_of_rows(False), unit_of_rows(True)
    ref_name = ", ".join(refs)
    yunit = f"{dunit} vs {ref_name}" if diff else (
        f"{munit} vs solved baseline" if munit == "%" else munit)
    st.markdown(f"**{label}**, {region}: " + (
        f"difference from {ref_name}" if diff else
        "change against the model's solved 2022 baseline" if munit == "%" else
        f"level ({munit} at the baseline's 2022 values; not a change)"))
    unit = yunit
    table: pd.DataFrame
    if store.kind == "sweep":
        params = [col[6:] for col in runs.columns if col.startswith("param:")]
        param = st.selectbox("Swept parameter", params, key="batch_param")
        raw = store.sweep_response(metric, region=region, param=param, reference=diff)
        raw["label"] = raw["scenario"] + (" vs " + raw["reference"] if diff else "")
        table = sweep_table(raw, param)
        st.altair_chart(charts.sweep_chart(table, param=param, y_title=f"{region}, {unit}"),
                        width="stretch")
        st.caption(f"Each point: the run's mean over its reporting dates, {region}. With "
                   "several swept parameters the line is the mean and the band the range over "
                   "the others. Parameters: " + "; ".join(
                       f"{k}: {', '.join(map(str, v))}"
                       for k, v in _grid(man).items()))
    else:
        summ = store.summarize(metrics=[metric], by=["scenario", "reference", "region", "year"],
                               regions=[region], reference=diff)
        table = bands_from_summary(summ)
        table["scenario"] = table["scenario"] + (" vs " + table["reference"] if diff else "")
        st.altair_chart(charts.band_chart(table, y_title=f"{region}, {unit}"), width="stretch")
        n = int(table["runs"].max()) if len(table) else 0
        st.caption(f"Line: median over {n} draws; band: 5th to 95th percentile of the draws' "
                   "annual means. Draws vary the trade elasticities θ (sector standard errors, "
                   "Caliendo–Parro 2015) and the policy uncertainties the scenario files "
                   "declare (see the Runs table's outcome columns).")
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


def _grid(man: dict) -> dict[str, list]:
    """The swept parameters and their values, from the manifest."""
    g = man.get("parameters")
    return g if isinstance(g, dict) else {}
