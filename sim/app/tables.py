"""Tables the app shows, computed from tidy scenario paths (pandas only, no Streamlit).

Every function takes the tidy path of :func:`sim.run.run_scenario` (columns ``scenario, date,
region, partner, sector, metric, value, unit``), one per scenario, and returns a tidy DataFrame
with explicit units. Comparisons are always against a named reference scenario, by the one
definition :func:`sim.results.difference` (the metric registry's rule, ``sim/model/metrics.toml``):

* percent changes against the model's solved baseline (welfare, real wage, prices) as the
  change relative to the reference, ``100 ((1 + a/100) / (1 + b/100) − 1)``, in %;
* levels (USD million at the baseline's 2022 values, annual rates) as differences, shown in
  USD billion, and rates in % (tariffs) as differences in pp.

Differences are taken period by period; a year's figure is the mean of the differences of the
reporting periods that start in that year (annual rates).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.results import difference, difference_units

__all__ = ["HEADLINES", "bilateral_by_sector", "cumulative", "event_log", "headline_table",
           "period_years", "region_welfare", "sector_output", "series", "year_mean"]

#: (key, label, metric, region, kind): kind "change" (a region metric against the reference by
#: the registry's rule), "usd" (level, USD million, difference in USD billion per year),
#: "trade" (US–Japan goods and services trade, both directions, % change of the level).
HEADLINES: tuple[tuple[str, str, str, str, str], ...] = (
    ("welfare_usa", "US welfare", "welfare_pct", "USA", "change"),
    ("welfare_jpn", "Japan welfare", "welfare_pct", "JPN", "change"),
    ("trade_usjp", "US–Japan trade", "imports", "USA+JPN", "trade"),
    ("revenue_usa", "US tariff revenue", "tariff_revenue_new", "USA", "usd"),
    ("cpi_usa", "US consumer prices", "price_index_pct", "USA", "change"),
    ("cpi_jpn", "Japan consumer prices", "price_index_pct", "JPN", "change"),
)


def _sel(path: pd.DataFrame, metric: str, region: str | None = None, partner: str = "all",
         sector: str | None = "all") -> pd.DataFrame:
    m = path["metric"] == metric
    if region is not None:
        m &= path["region"] == region
    if partner is not None:
        m &= path["partner"] == partner
    if sector is not None:
        m &= path["sector"] == sector
    out = path.loc[m, ["scenario", "date", "region", "partner", "sector", "value", "unit"]]
    return out.astype({c: str for c in ("scenario", "region", "partner", "sector", "unit")})


def period_years(dates: pd.Series | pd.DatetimeIndex) -> float:
    """Length of one reporting period in years (from the spacing of period starts)."""
    d = pd.Series(pd.to_datetime(pd.Series(dates).unique())).sort_values()
    if len(d) < 2:
        return 1.0
    return float(d.diff().dt.days.median() / 365.25)


def series(paths: Mapping[str, pd.DataFrame], metric: str, region: str, *,
           partner: str = "all", sector: str | None = "all",
           reference: str | None = None) -> pd.DataFrame:
    """Time path of one metric by scenario: ``scenario, date, value, unit``.

    ``sector=None`` sums over sectors (bilateral imports). With ``reference`` each scenario's
    value is shown against the reference's on the same date (:func:`sim.results.difference`;
    the ``unit`` column says %, pp or the level's unit).
    """
    frames = []
    for name, p in paths.items():
        s = _sel(p, metric, region, partner, sector)
        if sector is None:
            s = s.groupby("date", as_index=False).agg(value=("value", "sum"),
                                                      unit=("unit", "first"))
        frames.append(s.assign(scenario=name)[["scenario", "date", "value", "unit"]])
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["scenario", "date", "value", "unit"])
    if reference is not None and reference in paths:
        ref = df[df.scenario == reference][["date", "value"]].rename(columns={"value": "ref"})
        df = df.merge(ref, on="date", how="inner")
        df["value"] = difference(metric, df["value"], df["ref"])
        df["unit"] = difference_units(metric, df["unit"].astype(str).to_numpy())
        df = df.drop(columns="ref")
    return df.reset_index(drop=True)


def year_mean(df: pd.DataFrame, year: int, by: list[str]) -> pd.DataFrame:
    """Mean of ``value`` over the periods starting in ``year``, grouped by ``by``."""
    d = df[pd.to_datetime(df["date"]).dt.year == year]
    return d.groupby(by, as_index=False, observed=True)["value"].mean()


def cumulative(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum over periods of an annual-rate ``value`` times the period length in years."""
    if df.empty:
        return df.groupby(by, as_index=False)["value"].sum()
    yrs = period_years(df["date"])
    out = df.groupby(by, as_index=False, observed=True)["value"].sum()
    out["value"] *= yrs
    return out


def _headline_wide(path: pd.DataFrame) -> pd.DataFrame:
    """The series behind the headline cards, one column each (``metric|region`` and
    ``trade``), indexed by date."""
    need = sorted({h[2] for h in HEADLINES if h[4] != "trade"} | {"welfare_usd"})
    regions = sorted({h[3] for h in HEADLINES if h[4] != "trade"})
    tot = path[path["metric"].isin(need) & path["region"].isin(regions)
               & (path["partner"] == "all") & (path["sector"] == "all")]
    w = tot.pivot_table(index="date", columns=["metric", "region"], values="value",
                        observed=True, aggfunc="first")
    w.columns = [f"{m}|{r}" for m, r in w.columns]
    imp = path[(path["metric"] == "imports")
               & (((path["region"] == "USA") & (path["partner"] == "JPN"))
                  | ((path["region"] == "JPN") & (path["partner"] == "USA")))]
    w["trade"] = imp.groupby("date", observed=True)["value"].sum()
    return w.sort_index()


def headline_table(paths: Mapping[str, pd.DataFrame], reference: str,
                   year: int, window: tuple[int, int] | None = None) -> pd.DataFrame:
    """Headline numbers of every scenario against ``reference``.

    Columns: ``scenario, key, indicator, year, value, reference_value, unit, difference,
    difference_unit, horizon, horizon_unit, horizon_label``.

    * welfare and prices (``change``): the mean over the year's periods of
      :func:`sim.results.difference` (the change relative to the reference, %); over the
      horizon the cumulative real-income difference in USD billion (welfare, from
      ``welfare_usd``) or the mean of the periods' differences (prices);
    * tariff revenue: USD billion per year and cumulative USD billion;
    * US–Japan trade (US imports from Japan plus US exports to Japan, goods and services at
      producer prices, 2022 values): percent change of the year's level against the
      reference's, and cumulative difference in USD billion.

    ``window = (first, last)`` limits the cumulative and mean figures to those years
    (default: every year of the paths).
    """
    rows = []
    wide = {n: _headline_wide(p) for n, p in paths.items()}
    ref_w = wide[reference]
    for name, w_a in wide.items():
        common = w_a.index.intersection(ref_w.index)
        in_year = np.asarray(common.year == year)
        in_window = np.ones(len(common), dtype=bool) if window is None else np.asarray(
            (common.year >= window[0]) & (common.year <= window[1]))
        yrs = period_years(pd.Series(common[in_window])) if in_window.any() else 1.0

        def year_mean_of(x: np.ndarray, in_year: np.ndarray = in_year) -> float:
            return float(x[in_year].mean()) if in_year.any() else np.nan

        for key, label, metric, region, kind in HEADLINES:
            col = "trade" if kind == "trade" else f"{metric}|{region}"
            va, vb = w_a.loc[common, col].to_numpy(), ref_w.loc[common, col].to_numpy()
            v, vr = year_mean_of(va), year_mean_of(vb)
            level = difference("imports" if kind == "trade" else metric, va, vb)
            cum = float(level[in_window].sum() * yrs / 1000)
            if kind == "change":
                diff = year_mean_of(difference(metric, va, vb))
                dunit = str(difference_units(metric, "%"))
                if metric == "welfare_pct":
                    wcol = f"welfare_usd|{region}"
                    usd = difference("welfare_usd", w_a.loc[common, wcol].to_numpy(),
                                     ref_w.loc[common, wcol].to_numpy())
                    hz = float(usd[in_window].sum() * yrs / 1000)
                    hunit, hlabel = "USD bn", "cumulative"
                else:
                    d = difference(metric, va, vb)[in_window]
                    hz, hunit, hlabel = float(d.mean()) if len(d) else np.nan, dunit, "mean"
            elif kind == "usd":
                diff, dunit = year_mean_of(level) / 1000, "USD bn/yr"
                hz, hunit, hlabel = cum, "USD bn", "cumulative"
            else:
                diff = 100 * (v / vr - 1) if vr else np.nan
                dunit = "%"
                hz, hunit, hlabel = cum, "USD bn", "cumulative"
            unit = "% vs solved baseline" if kind == "change" else "USD bn/yr"
            scale = 1.0 if kind == "change" else 1 / 1000
            rows.append({"scenario": name, "key": key, "indicator": label, "year": year,
                         "value": v * scale, "reference_value": vr * scale, "unit": unit,
                         "difference": diff, "difference_unit": dunit, "horizon": hz,
                         "horizon_unit": hunit, "horizon_label": hlabel})
    return pd.DataFrame(rows)


def bilateral_by_sector(paths: Mapping[str, pd.DataFrame], reference: str,
                        year: int) -> pd.DataFrame:
    """US–Japan trade by sector and direction in ``year`` against the reference.

    Columns: ``scenario, direction, sector, value`` (USD bn/yr, 2022 values, producer prices),
    ``reference_value``, ``change_pct``, ``difference`` (USD bn/yr).
    """
    out = []
    for direction, imp, exp in (("US imports from Japan", "USA", "JPN"),
                                ("US exports to Japan", "JPN", "USA")):
        per = {}
        for name, p in paths.items():
            s = _sel(p, "imports", imp, exp, None)
            per[name] = year_mean(s, year, ["sector"]).set_index("sector")["value"] / 1000
        ref = per[reference]
        for name, v in per.items():
            d = pd.DataFrame({"value": v, "reference_value": ref}).reset_index()
            d = d.rename(columns={"index": "sector"})
            d["change_pct"] = 100 * (d["value"] / d["reference_value"] - 1)
            d["difference"] = d["value"] - d["reference_value"]
            d.insert(0, "direction", direction)
            d.insert(0, "scenario", name)
            out.append(d)
    df = pd.concat(out, ignore_index=True)
    df["unit"] = "USD bn/yr"
    return df


def sector_output(paths: Mapping[str, pd.DataFrame], reference: str, year: int,
                  regions: tuple[str, ...] = ("USA", "JPN")) -> pd.DataFrame:
    """Gross output by sector in ``year``: ``scenario, region, sector, value`` (USD bn/yr),
    ``change_pct`` against the reference."""
    out = []
    per = {}
    for name, p in paths.items():
        s = p[(p["metric"] == "gross_output") & p["region"].isin(regions)]
        s = s.astype({"region": str, "sector": str})
        per[name] = year_mean(s, year, ["region", "sector"]).set_index(
            ["region", "sector"])["value"]
    ref = per[reference]
    for name, v in per.items():
        d = pd.DataFrame({"value": v / 1000, "reference_value": ref / 1000}).reset_index()
        d["change_pct"] = 100 * (d["value"] / d["reference_value"] - 1)
        d.insert(0, "scenario", name)
        out.append(d)
    df = pd.concat(out, ignore_index=True)
    df["unit"] = "USD bn/yr"
    return df


def region_welfare(paths: Mapping[str, pd.DataFrame], reference: str,
                   year: int) -> pd.DataFrame:
    """Welfare (exact real-income change) by region in ``year``: ``scenario, region, value``
    (against the reference, :func:`sim.results.difference`, mean of the year's periods),
    ``welfare_pct``, ``reference_pct`` (against the solved baseline), ``welfare_usd_bn``."""
    def per_period(p: pd.DataFrame, metric: str) -> pd.DataFrame:
        s = _sel(p, metric)
        return s[pd.to_datetime(s["date"]).dt.year == year][["date", "region", "value"]]

    ref_w, ref_u = per_period(paths[reference], "welfare_pct"), per_period(paths[reference],
                                                                           "welfare_usd")
    out = []
    for name, p in paths.items():
        m = per_period(p, "welfare_pct").merge(ref_w, on=["date", "region"],
                                               suffixes=("", "_ref"))
        u = per_period(p, "welfare_usd").merge(ref_u, on=["date", "region"],
                                               suffixes=("", "_ref"))
        m["diff"] = difference("welfare_pct", m["value"], m["value_ref"])
        u["usd"] = difference("welfare_usd", u["value"], u["value_ref"]) / 1000
        g = m.groupby("region").agg(welfare_pct=("value", "mean"),
                                    reference_pct=("value_ref", "mean"), value=("diff", "mean"))
        g["welfare_usd_bn"] = u.groupby("region")["usd"].mean()
        d = g.reset_index()[["region", "welfare_pct", "reference_pct", "welfare_usd_bn",
                             "value"]]
        d.insert(0, "scenario", name)
        out.append(d)
    df = pd.concat(out, ignore_index=True)
    df["unit"] = str(difference_units("welfare_pct", "%"))
    return df


def event_log(logs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Event logs of the scenarios in one table (``scenario, date, actor, kind, what, why,
    source``), dates as timestamps."""
    frames = [lg.assign(scenario=name) for name, lg in logs.items() if len(lg)]
    if not frames:
        return pd.DataFrame(columns=["scenario", "date", "actor", "kind", "what", "why",
                                     "source"])
    df = pd.concat(frames, ignore_index=True)
    df["date"] = pd.to_datetime(df["date"])
    return df
