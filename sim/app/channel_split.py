"""The channel split for the app (no Streamlit): sequential parts from the three runs per side.

The same definition as :mod:`sim.channels` (tariffs, + goods non-tariff, + services; parts add
up to the total), computed from the app's cached run tables so that a page reuses its runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from sim.channels import PARTS, STEPS

__all__ = ["CHANNEL_LABELS", "STEPS", "channel_bars", "channel_paths", "split"]

CHANNEL_LABELS = {"tariffs": "tariffs", "goods_nontariff": "goods non-tariff",
                  "services": "services", "total": "total"}
COLORS = {"tariffs": "#1f4e79", "goods_nontariff": "#d08a2b", "services": "#4f8a3c"}


def _region_totals(path: pd.DataFrame, metric: str, regions: Sequence[str]) -> pd.Series:
    p = path[(path["metric"].astype(str) == metric) & (path["partner"].astype(str) == "all")
             & (path["sector"].astype(str) == "all")
             & (path["region"].astype(str).isin(list(regions)))]
    return p.assign(region=p["region"].astype(str)).set_index(["date", "region"])["value"]


def split(scenario_steps: Sequence[pd.DataFrame], reference_steps: Sequence[pd.DataFrame],
          metric: str = "welfare_pct", regions: Sequence[str] = ("USA", "JPN")
          ) -> pd.DataFrame:
    """``date, region, channel, value``: the scenario against the reference at each step
    (percent metrics as ratios, as :func:`sim.run.against_reference`), as sequential parts."""
    levels = []
    for a, b in zip(scenario_steps, reference_steps, strict=True):
        x, y = _region_totals(a, metric, regions), _region_totals(b, metric, regions)
        x, y = x.align(y, join="inner")
        levels.append(100 * ((1 + x / 100) / (1 + y / 100) - 1) if metric.endswith("_pct")
                      else x - y)
    parts = {"tariffs": levels[0], "goods_nontariff": levels[1] - levels[0],
             "services": levels[2] - levels[1], "total": levels[2]}
    out = [v.rename("value").reset_index().assign(channel=k) for k, v in parts.items()]
    df = pd.concat(out, ignore_index=True)
    df["channel"] = pd.Categorical(df["channel"], categories=list(PARTS))
    return df[["date", "region", "channel", "value"]]


def channel_bars(df: pd.DataFrame, *, y_title: str) -> alt.Chart:
    """Stacked bars by region (one year): the three parts, and the total as a black tick."""
    parts = df[df["channel"].astype(str) != "total"].assign(
        label=lambda d: d["channel"].astype(str).map(CHANNEL_LABELS))
    total = df[df["channel"].astype(str) == "total"]
    order = [CHANNEL_LABELS[c] for c in COLORS]
    color = alt.Color("label:N", title="channel", sort=order,
                      scale=alt.Scale(domain=order, range=list(COLORS.values())),
                      legend=alt.Legend(orient="bottom"))
    bars = alt.Chart(parts).mark_bar().encode(
        x=alt.X("region:N", title=None), y=alt.Y("sum(value):Q", title=y_title), color=color,
        order=alt.Order("channel:N"),
        tooltip=[alt.Tooltip("region:N"), alt.Tooltip("label:N", title="channel"),
                 alt.Tooltip("value:Q", format=",.4f")])
    ticks = alt.Chart(total).mark_tick(color="black", thickness=2, size=40).encode(
        x="region:N", y="value:Q",
        tooltip=[alt.Tooltip("region:N"), alt.Tooltip("value:Q", format=",.4f",
                                                      title="total")])
    return (bars + ticks).properties(height=280)


def channel_paths(df: pd.DataFrame, *, y_title: str) -> alt.Chart:
    """Lines over time by channel (the parts and the total), one panel per region."""
    d = df.assign(label=df["channel"].astype(str).map(CHANNEL_LABELS))
    order = [CHANNEL_LABELS[c] for c in PARTS]
    return alt.Chart(d).mark_line(strokeWidth=2).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=y_title),
        color=alt.Color("label:N", title="channel", sort=order,
                        scale=alt.Scale(domain=order, range=[*COLORS.values(), "#000000"]),
                        legend=alt.Legend(orient="bottom")),
        column=alt.Column("region:N", title=None),
        tooltip=[alt.Tooltip("region:N"), alt.Tooltip("label:N", title="channel"),
                 alt.Tooltip("date:T", format="%Y"), alt.Tooltip("value:Q", format=",.4f")],
    ).properties(height=240, width=300)
