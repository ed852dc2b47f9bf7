"""Altair chart builders for the app: DataFrames in, ``alt.Chart`` out (no Streamlit).

Every chart names its unit on the axis and draws offline (data inlined, no tiles or fonts from
the network). Inputs are the tidy tables of :mod:`sim.app.tables` and of the batch results
store.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["ROUTINE_EVENTS", "band_chart", "bilateral_chart", "event_timeline", "ranked_bars",
           "sector_chart", "sweep_chart", "time_path"]

PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d08a2b", "#4bacc6"]


def _scenario_scale(names: list[str]) -> alt.Scale:
    return alt.Scale(domain=names, range=PALETTE[:max(len(names), 1)])


def time_path(df: pd.DataFrame, *, y_title: str, band: pd.DataFrame | None = None,
              band_label: str = "", height: int = 320, color_title: str = "scenario"
              ) -> alt.Chart:
    """Lines of ``value`` over ``date`` by ``scenario``; optional ``band`` (``scenario, date,
    lo, hi``) drawn as a shaded area behind each line."""
    names = list(dict.fromkeys(df["scenario"]))
    color = alt.Color("scenario:N", scale=_scenario_scale(names), title=color_title,
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(df).encode(x=alt.X("date:T", title=None))
    lines = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)), color=color,
        tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("date:T", format="%Y-%m"),
                 alt.Tooltip("value:Q", format=",.4f", title=y_title)])
    layers: list[alt.Chart] = []
    if band is not None and len(band):
        layers.append(alt.Chart(band).mark_area(opacity=0.18).encode(
            x="date:T", y=alt.Y("lo:Q", title=y_title), y2="hi:Q", color=color,
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("date:T", format="%Y-%m"),
                     alt.Tooltip("lo:Q", format=",.4f", title=f"{band_label} low"),
                     alt.Tooltip("hi:Q", format=",.4f", title=f"{band_label} high")]))
    rule = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#999", strokeDash=[3, 3]
                                                          ).encode(y="y:Q")
    return alt.layer(*layers, lines, rule).properties(height=height)


def _bar_height(df: pd.DataFrame, rows: str, per_bar: int = 14) -> int:
    return max(120, int(df[rows].nunique() * max(df["scenario"].nunique(), 1) * per_bar + 30))


def bilateral_chart(df: pd.DataFrame, *, value: str = "change_pct",
                    x_title: str = "change against the reference (%)",
                    scenarios: list[str] | None = None, stacked: bool = False,
                    width: int = 330) -> alt.Chart:
    """Bars of US–Japan trade changes by sector, one panel per direction, bars by scenario
    (``scenario, direction, sector, value, change_pct, difference``). ``scenarios`` fixes the
    colour order (the same colours as the time paths); ``stacked`` puts the panels one above
    the other (narrow columns: Build at 1280 px)."""
    names = scenarios or list(dict.fromkeys(df["scenario"]))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("sector:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        yOffset="scenario:N",
        x=alt.X(f"{value}:Q", title=x_title),
        color=alt.Color("scenario:N", scale=_scenario_scale(names),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["scenario:N", "direction:N", "sector:N",
                 alt.Tooltip("value:Q", format=",.2f", title="USD bn/yr"),
                 alt.Tooltip("reference_value:Q", format=",.2f", title="reference, USD bn/yr"),
                 alt.Tooltip("change_pct:Q", format="+.3f", title="change %"),
                 alt.Tooltip("difference:Q", format="+,.3f", title="difference, USD bn/yr")],
    ).properties(width=width, height=_bar_height(df, "sector")).facet(
        **({"row": alt.Row("direction:N", title=None, header=alt.Header(
            labelAngle=0, labelAlign="left", labelOrient="top"))} if stacked
           else {"column": alt.Column("direction:N", title=None)}))


def sector_chart(df: pd.DataFrame, scenarios: list[str] | None = None) -> alt.Chart:
    """Gross-output change by sector (``scenario, region, sector, change_pct``), one panel per
    region."""
    names = scenarios or list(dict.fromkeys(df["scenario"]))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("sector:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        yOffset="scenario:N",
        x=alt.X("change_pct:Q", title="gross output, change against the reference (%)"),
        color=alt.Color("scenario:N", scale=_scenario_scale(names),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["scenario:N", "region:N", "sector:N",
                 alt.Tooltip("value:Q", format=",.1f", title="USD bn/yr"),
                 alt.Tooltip("change_pct:Q", format="+.4f", title="change %")],
    ).properties(width=330, height=_bar_height(df, "sector")).facet(
        column=alt.Column("region:N", title=None))


def ranked_bars(df: pd.DataFrame, *, value: str = "value", label: str = "region",
                x_title: str = "welfare against the reference (%)") -> alt.Chart:
    """Horizontal bars ranked by ``value`` (largest gain on top), blue for gains, red for
    losses (the map's diverging colours)."""
    d = df.assign(sign=(df[value] >= 0).map({True: "gain", False: "loss"}))
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort="-x", title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        x=alt.X(f"{value}:Q", title=x_title),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["gain", "loss"],
                                                  range=["#2166ac", "#b2182b"]), legend=None),
        tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", format="+.4f", title=x_title)]
        + ([alt.Tooltip("welfare_usd_bn:Q", format="+,.2f", title="USD bn/yr")]
           if "welfare_usd_bn" in d.columns else []),
    ).properties(height=max(120, 20 * d[label].nunique()))


ROUTINE_EVENTS = ("staging cut", "quota year closed")


def event_timeline(log: pd.DataFrame, *, max_events: int = 4000, width: int = 820
                   ) -> alt.Chart:
    """Dated events (``scenario, date, actor, kind, what, source``) as points on a timeline,
    one row per actor, one panel per scenario."""
    d = log.head(max_events).copy()
    d["what"] = d["what"].astype(str).str.slice(0, 120)
    d["source"] = d["source"].astype(str).str.slice(0, 120)
    return alt.Chart(d).mark_point(filled=True, size=55, opacity=0.8).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("actor:N", title=None),
        color=alt.Color("kind:N", title="event", legend=alt.Legend(orient="bottom", columns=4)),
        shape=alt.Shape("kind:N", legend=None),
        tooltip=[alt.Tooltip("date:T", format="%Y-%m-%d"), "actor:N", "kind:N", "what:N",
                 "source:N"],
    ).properties(height=alt.Step(18), width=width).facet(
        row=alt.Row("scenario:N", title=None, header=alt.Header(labelAngle=0,
                                                                labelAlign="left"))
    ).resolve_scale(y="independent")


def band_chart(df: pd.DataFrame, *, y_title: str, x: str = "year") -> alt.Chart:
    """Median line and quantile band by scenario from a summary table with columns
    ``scenario, <x>, lo, mid, hi`` (Monte Carlo or sweep results)."""
    names = list(dict.fromkeys(df["scenario"]))
    color = alt.Color("scenario:N", scale=_scenario_scale(names),
                      legend=alt.Legend(orient="bottom"))
    xt = "date:T" if x == "date" else f"{x}:Q"
    xenc = alt.X(xt, title=None if x in ("date", "year") else x,
                 axis=alt.Axis(format="d") if x == "year" else alt.Undefined)
    base = alt.Chart(df).encode(x=xenc, color=color)
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("lo:Q", title=y_title, scale=alt.Scale(zero=False)), y2="hi:Q")
    line = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("mid:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=["scenario:N", alt.Tooltip(xt), alt.Tooltip("lo:Q", format=",.4f"),
                 alt.Tooltip("mid:Q", format=",.4f"), alt.Tooltip("hi:Q", format=",.4f")])
    return alt.layer(area, line).properties(height=320)


def sweep_chart(df: pd.DataFrame, *, param: str, y_title: str) -> alt.Chart:
    """Response of a metric to a swept parameter: ``value`` against ``param`` by ``scenario``
    (optional ``lo``/``hi`` band)."""
    names = list(dict.fromkeys(df["scenario"]))
    color = alt.Color("scenario:N", scale=_scenario_scale(names),
                      legend=alt.Legend(orient="bottom"))
    # parameter names are dotted (model.adjustment_speed): Vega-Lite reads a dot in a field
    # name as a nested path and draws nothing, so the column gets a plain name
    d = df.rename(columns={param: "parameter_value"})
    base = alt.Chart(d).encode(x=alt.X("parameter_value:Q", title=param), color=color)
    layers: list[alt.Chart] = []
    if {"lo", "hi"} <= set(d.columns):
        layers.append(base.mark_area(opacity=0.2).encode(y="lo:Q", y2="hi:Q"))
    layers.append(base.mark_line(point=True).encode(
        y=alt.Y("value:Q", title=y_title),
        tooltip=["scenario:N", alt.Tooltip("parameter_value:Q", title=param),
                 alt.Tooltip("value:Q", format=",.4f")]))
    return alt.layer(*layers).properties(height=320)
