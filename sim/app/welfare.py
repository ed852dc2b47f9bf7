"""Why a tariff can raise the imposing country's welfare: the parts of a welfare change, the
change per household, and the first year two scenarios differ (pandas only, no Streamlit).

For region n, scenario a against reference b, in one year (means of the year's periods):

* **exact total**: welfare of ``a`` against ``b`` by the one definition
  :func:`sim.results.difference` (real income relative to the reference's, %), where welfare is
  the exact change in real income Î/P̂ − 1 (income I = wages·VA + tariff revenue R + deficit D):
  the number on the Compare page's welfare card.
* **tariff revenue**: the part of real income that is tariff revenue, as a share of baseline
  income, ``100 (R_new / P̂ − R_base) / I_base``, scenario minus reference. Exact.
* **terms of trade** and **volume of trade**: the Caliendo–Parro (2015) first-order parts
  (``tot_pct``, ``vot_pct`` of :mod:`sim.model.metrics`, baseline weights). ToT > 0: the
  region's export prices rose against its import prices (foreign sellers absorb part of its
  tariff); VoT < 0: trade that was worth more than it cost no longer happens; differences in pp
  of baseline income. First order: with the tariff revenue part they do not add up exactly to
  the exact total (the remainder shown beside them).

Every figure is the mean over the year's periods of the periods' differences.

Households: the real-income difference in USD (2022 values) divided by the number of US
households, and that as a share of average spending per household (sources in
:data:`US_HOUSEHOLDS`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.results import difference, difference_units

__all__ = [
    "US_HOUSEHOLDS",
    "budget_window_revenue",
    "effective_tariff_rates",
    "first_difference_year",
    "household_cost",
    "real_gdp_change",
    "welfare_parts",
    "year_difference",
]

#: sourced household facts (numbers from the sources named; the second is a secondary copy)
US_HOUSEHOLDS: dict[str, tuple[float, str]] = {
    "households": (131.434e6, "U.S. Census Bureau, CPS ASEC, Families and Living Arrangements: "
                              "total households 2023, 131,434 thousand (series TTLHH, FRED, "
                              "fred.stlouisfed.org/series/TTLHH)"),
    "spending_per_household": (77_280.0, "U.S. Bureau of Labor Statistics, Consumer "
                                         "Expenditure Survey 2023: average annual expenditures "
                                         "per consumer unit $77,280 (as quoted in a secondary "
                                         "source; unverified against bls.gov)"),
}


def _year_values(path: pd.DataFrame, metric: str, region: str, year: int) -> float:
    p = path
    s = p[(p["metric"] == metric) & (p["region"] == region) & (p["partner"] == "all")
          & (p["sector"] == "all")]
    s = s[pd.to_datetime(s["date"]).dt.year == year]
    return float(s["value"].mean()) if len(s) else float("nan")


def _revenue_share(path: pd.DataFrame, region: str, year: int) -> float:
    """``100 (R_new / P̂ − R_base) / I_base`` for one path (mean over the year's periods)."""
    p = path[(path["region"] == region) & (path["partner"] == "all")
             & (path["sector"] == "all")]
    p = p[pd.to_datetime(p["date"]).dt.year == year]
    w = p.pivot_table(index="date", columns="metric", values="value", observed=True,
                      aggfunc="first")
    need = {"tariff_revenue_new", "tariff_revenue_base", "income_base", "price_index_pct"}
    if w.empty or not need <= set(w.columns):
        return float("nan")
    p_hat = 1 + w["price_index_pct"] / 100
    share = 100 * (w["tariff_revenue_new"] / p_hat - w["tariff_revenue_base"]) / w["income_base"]
    return float(share.mean())


def year_difference(a: pd.DataFrame, b: pd.DataFrame, metric: str, region: str,
                     year: int) -> float:
    """Mean over the year's periods of :func:`sim.results.difference` of a region total."""
    def sel(p: pd.DataFrame) -> pd.Series:
        s = p[(p["metric"] == metric) & (p["region"] == region) & (p["partner"] == "all")
              & (p["sector"] == "all")]
        s = s[pd.to_datetime(s["date"]).dt.year == year]
        return s.set_index("date")["value"]

    x, y = sel(a).align(sel(b), join="inner")
    return float(difference(metric, x, y).mean()) if len(x) else float("nan")


def real_gdp_change(paths: Mapping[str, pd.DataFrame], scenario: str, reference: str,
                    region: str, year: int) -> float:
    """Real GDP of ``region`` in ``year`` against the reference, %: the real wage against the
    reference's (:func:`sim.results.difference`, mean of the year's periods).

    In the model value added is all labour income (``VA_n = w_n L_n``), so value added deflated
    by the final-demand price index moves with the real wage ``ŵ_n / P̂_n``. Welfare (real
    income) adds tariff revenue and the trade deficit to it: ``I_n = w_n L_n + R_n + D_n``. That
    is why a country that imposes a tariff can gain welfare while its real GDP falls.
    """
    return year_difference(paths[scenario], paths[reference], "real_wage_pct", region, year)


def welfare_parts(paths: Mapping[str, pd.DataFrame], scenario: str, reference: str,
                  region: str, year: int) -> pd.DataFrame:
    """Rows ``part, value, unit, note``: the scenario against the reference (the total as the
    welfare card, %; the parts in pp of baseline income)."""
    a, b = paths[scenario], paths[reference]

    def diff(metric: str) -> float:
        return year_difference(a, b, metric, region, year)

    def unit(metric: str) -> str:
        return str(difference_units(metric, "%"))

    rev = _revenue_share(a, region, year) - _revenue_share(b, region, year)
    rows = [
        ("total", diff("welfare_pct"), unit("welfare_pct"), "exact change in real income"),
        ("terms of trade", diff("tot_pct"), unit("tot_pct"),
         "export prices against import prices (first order)"),
        ("volume of trade", diff("vot_pct"), unit("vot_pct"),
         "gains or losses from trade that now does or no longer happens (first order)"),
        ("tariff revenue", rev, "pp", "tariff revenue the government collects, in real terms"),
    ]
    return pd.DataFrame(rows, columns=["part", "value", "unit", "note"])


def household_cost(paths: Mapping[str, pd.DataFrame], scenario: str, reference: str,
                   year: int, region: str = "USA") -> dict[str, float]:
    """Real-income difference per household (USD/yr at 2022 values) and as % of spending."""
    a, b = paths[scenario], paths[reference]
    usd = year_difference(a, b, "welfare_usd", region, year) * 1e6  # results in USD million
    per = usd / US_HOUSEHOLDS["households"][0]
    return {"usd_per_household": per,
            "pct_of_spending": 100 * per / US_HOUSEHOLDS["spending_per_household"][0]}


def first_difference_year(paths: Mapping[str, pd.DataFrame], reference: str,
                          tol: float = 1e-9) -> int | None:
    """The first year in which any scenario's welfare (any region) differs from the
    reference's (None if none does)."""
    ref = paths[reference]
    r = ref[ref["metric"] == "welfare_pct"][["date", "region", "value"]]
    years = []
    for name, p in paths.items():
        if name == reference:
            continue
        s = p[p["metric"] == "welfare_pct"][["date", "region", "value"]]
        m = s.merge(r, on=["date", "region"], suffixes=("", "_ref"))
        d = m[np.abs(m["value"] - m["value_ref"]) > tol]
        if len(d):
            years.append(int(pd.to_datetime(d["date"]).dt.year.min()))
    return min(years) if years else None


def effective_tariff_rates(path: pd.DataFrame, year: int, region: str = "USA") -> dict[str, float]:
    """The region's average tariff in ``year``, %: ``before`` substitution (trade-weighted with
    the 2022 baseline flows, ``tariff_avg``) and ``after`` (revenue over the period's own
    imports, ``100 tariff_revenue_new / imports_new``: the weights after buyers switched)."""
    before = _year_values(path, "tariff_avg", region, year)
    p = path[(path["region"] == region) & (path["partner"] == "all") & (path["sector"] == "all")]
    p = p[pd.to_datetime(p["date"]).dt.year == year]
    w = p.pivot_table(index="date", columns="metric", values="value", observed=True,
                      aggfunc="first")
    after = float((100 * w["tariff_revenue_new"] / w["imports_new"]).mean()) if {
        "tariff_revenue_new", "imports_new"} <= set(w.columns) and len(w) else float("nan")
    return {"before": before, "after": after}


def budget_window_revenue(paths: Mapping[str, pd.DataFrame], scenario: str, reference: str,
                          first: int = 2026, years: int = 10, region: str = "USA") -> float:
    """Tariff revenue difference summed over a budget window (``first`` .. ``first + years -
    1``), USD bn at 2022 values; NaN when the paths do not cover the whole window."""
    total = 0.0
    for y in range(first, first + years):
        total += year_difference(paths[scenario], paths[reference], "tariff_revenue_new",
                                  region, y)
    return total / 1000
