"""The channel split for the app (no Streamlit): sequential parts from the three runs per side.

The same definition as :mod:`sim.channels` (tariffs, + goods non-tariff, + services; parts add
up to the total), computed from the app's cached run tables so that a page reuses its runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from sim.channels import PARTS, STEPS
from sim.results import difference

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
    (:func:`sim.results.difference`, as every Compare number), as sequential parts."""
    levels = []
    for a, b in zip(scenario_steps, reference_steps, strict=True):
        x, y = _region_totals(a, metric, regions), _region_totals(b, metric, regions)
        x, y = x.align(y, join="inner")
        levels.append(pd.Series(difference(metric, x, y), index=x.index))
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


def channel_parameters(scenarios: Sequence[str] = ("historical", "tpp12",
                                                   "us_joins_cptpp_2027")) -> pd.DataFrame:
    """Every channel parameter of the library's agreements: ``scenario, agreement, channel,
    parameter, estimate, band (90 %), uncertainty, source``."""
    from sim.app.runs import library_scenario
    from sim.policy.channels import Param

    def band(p: Param) -> tuple[str, str]:
        lo, hi = p.band()
        how = f"s.e. {p.std_error:.3g}" if p.std_error is not None else "range (uniform)"
        return f"{lo:.3g} – {hi:.3g}", how

    rows, seen = [], set()
    for name in scenarios:
        for a in library_scenario(name).policy.agreements:
            items: list[tuple[str, str, Param | None]] = []
            if a.goods_nontariff is not None:
                g = a.goods_nontariff
                items += [("goods_nontariff", "β (log points of members' trade)", g.beta),
                          ("goods_nontariff", "cut (fraction, net of tariffs)", g.cut),
                          ("goods_nontariff", "tariff correction c = Δln(1+t̄)", g.correction),
                          ("goods_nontariff", "scale for pairs with an earlier agreement",
                           g.prior_scale),
                          ("goods_nontariff", "spillover share to non-members", g.spillover)]
                if (a.name, "phase") not in seen:
                    seen.add((a.name, "phase"))
                    rows.append({"scenario": name, "agreement": a.name,
                                 "channel": "goods_nontariff",
                                 "parameter": "phase-in (years: share)",
                                 "estimate": ", ".join(f"{y:g}: {s:.0%}" for y, s in zip(
                                     g.phase_in.years, g.phase_in.shares, strict=True)),
                                 "band (90 %)": "", "uncertainty": "",
                                 "source": g.phase_in.source})
            if a.services is not None:
                items.append(("services", f"cut (fraction, scope {a.services.scope})",
                              a.services.cut))
            for channel, label, p in items:
                if p is None or (a.name, label) in seen:
                    continue
                b, how = band(p)
                rows.append({"scenario": name, "agreement": a.name, "channel": channel,
                             "parameter": label, "estimate": f"{p.value:.3g}",
                             "band (90 %)": b, "uncertainty": how, "source": p.source})
            seen.update((a.name, label) for _, label, _ in items)
    return pd.DataFrame(rows)
