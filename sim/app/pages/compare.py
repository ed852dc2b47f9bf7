"""Compare: two to four scenarios against a reference (the default page)."""

from __future__ import annotations

import dataclasses
import importlib
import math
from typing import Any

import pandas as pd
import streamlit as st

from sim.app import charts, tables, welfare
from sim.app.glossary import SURPRISES, region_label
from sim.app.runs import RunSettings
from sim.app.state import (
    all_scenarios,
    baseline,
    csv_bytes,
    parquet_bytes,
    run,
    run_settings,
    scenario_text,
)

__all__ = ["PATH_METRICS", "differences_download", "headline_cards", "path_label", "render"]

DEFAULT = ["historical", "tpp12"]
KEEP = "tradesim_compare_pick"  # survives page changes (widget state does not)

#: metric choices for the time paths: key -> (metric, partner, sector, label); sector None =
#: sum over sectors; label "" = the registry's label (sim/model/metrics.toml), units from there
PATH_METRICS: dict[str, tuple[str, str, str | None, str]] = {
    "welfare_pct": ("welfare_pct", "all", "all", ""),
    "real_wage_pct": ("real_wage_pct", "all", "all", ""),
    "price_index_pct": ("price_index_pct", "all", "all", ""),
    "tariff_revenue_new": ("tariff_revenue_new", "all", "all", ""),
    "tariff_avg": ("tariff_avg", "all", "all", ""),
    "imports_from_partner": ("imports", "partner", None, "Imports from the partner (all sectors)"),
    "exports_new": ("exports_new", "all", "all", ""),
    "tariff_on_partner": ("tariff", "partner", "pick",
                          "Tariff in force on the partner's goods, by sector"),
}


def path_label(key: str) -> str:
    """The time-path choice's label (the registry's unless the page names a selection)."""
    from sim.model.metric_registry import metric

    name, _, _, label = PATH_METRICS[key]
    return label or metric(name).label


READING = """
* **Welfare** is the change in a country's *real income* (what its income, including tariff
  revenue, can buy at the new prices), computed exactly from the model's equilibrium. The cards
  show the scenario's real income **relative to the reference's**, in %: +0.01 % for the US is
  about ${usd_bn:,.1f} bn a year (US income in the baseline: ${us_tn:,.1f} tn). Consumer
  prices, the real wage and real GDP are compared the same way (relative changes, %); levels
  (revenue, trade in USD) and tariff rates (pp) as differences. One rule for every number on
  the page and in its downloads: the Metrics page of the docs (docs/metrics.md).
* **Cumulative** figures add the yearly differences over the whole horizon, at 2022 values (the
  model holds the economy at its 2022 size; it has no growth).
* **US–Japan trade** counts US imports from Japan plus US exports to Japan, goods and services,
  at producer prices (tariffs excluded).
* **Consumer prices** is the final-demand price index, relative to world value added (the
  model's unit of account), so it measures relative price changes, not inflation.
* The model changes **tariffs only** (agreements, safeguards, US measures, retaliation):
  non-tariff barriers, services liberalisation, investment and productivity effects that
  published TPP studies include are not in it, so our effects are smaller (see Validation).
* Trade adjusts gradually (λ = 0.3 per year by default): a tariff cut raises trade over several
  years, which is why the paths bend. Method & sources has the equations and the data.
"""

CARD_HELP = {
    "welfare_pct": "Exact real income (income incl. tariff revenue over the final-demand price "
                   "index) relative to the reference's, in % (both measured against the "
                   "model's solved 2022 baseline). Below: the cumulative real-income "
                   "difference over the horizon, USD billion at 2022 values.",
    "trade": "US imports from Japan plus US exports to Japan, goods and services at producer "
             "prices, USD billion per year at 2022 values; change against the reference in %. "
             "Below: cumulative difference over the horizon.",
    "tariff_revenue_new": "US tariff revenue, USD billion per year at 2022 values; difference "
                          "from the reference. Below: cumulative difference over the horizon.",
    "price_index_pct": "Final-demand price index (numeraire: world value added) relative to "
                       "the reference's, in %; below: the mean of the yearly changes over the "
                       "horizon.",
}


def _zero(x: float, unit: str, digits: int = 3) -> bool:
    """Whether ``x`` shows as zero at the card's precision."""
    d = min(digits, 2) if unit in ("USD bn", "USD bn/yr") else digits
    return x is not None and not math.isnan(x) and round(abs(x), d) == 0


def _fmt(x: float, unit: str, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if _zero(x, unit, digits):
        if unit in ("USD bn", "USD bn/yr"):
            return "$0.00 bn" + ("/yr" if unit.endswith("/yr") else "")
        return f"{0:.{digits}f} {unit}"
    if unit in ("USD bn", "USD bn/yr"):
        sign = "-" if x < 0 else "+"
        return f"{sign}${abs(x):,.{min(digits, 2)}f} bn" + ("/yr" if unit.endswith("/yr") else "")
    if unit == "%":
        return f"{x:+.{digits}f} %"
    return f"{x:+.{digits}f} {unit}"


def short_span(first: int, last: int) -> str:
    """``"2025–39"``: a year range short enough for a card at 1280 px."""
    if first == last:
        return str(first)
    return f"{first}–{str(last)[2:]}" if str(first)[:2] == str(last)[:2] else f"{first}–{last}"


def meaning(key: str, x: float, reference: str, year: int) -> str:
    """One plain sentence under a card: what the number means."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "No value for this year."
    if abs(x) < 5e-4:
        return f"About the same as under {reference} in {year}."
    more = x > 0
    who = {"welfare_usa": "Americans", "welfare_jpn": "people in Japan"}
    if key in who:
        return (f"In {year} {who[key]} can buy {abs(x):.2f} % of their income "
                f"{'more' if more else 'less'} than under {reference} (real income, tariff "
                "revenue included).")
    if key == "trade_usjp":
        return (f"Trade between the US and Japan is {abs(x):.1f} % "
                f"{'higher' if more else 'lower'} than under {reference} in {year}.")
    if key == "revenue_usa":
        return (f"US customs collect ${abs(x):,.1f} bn a year {'more' if more else 'less'} "
                f"than under {reference} in {year} (2022 values).")
    place = "US" if key == "cpi_usa" else "Japan's"
    return (f"{place} consumer prices are {abs(x):.2f} % {'higher' if more else 'lower'} than "
            f"under {reference} in {year}, relative to world incomes (the model's yardstick), "
            "not inflation.")


#: a card's delta colour by the registry's ``better`` (higher is good, lower is good, neither)
CARD_COLOR = {"higher": "normal", "lower": "inverse", "neither": "off"}


def headline_cards(head: pd.DataFrame, scenario: str, reference: str, year: int,
                   span: str, per_row: int = 3) -> None:
    """Metric cards for ``scenario`` against ``reference``, ``per_row`` to a row."""
    from sim.model.metric_registry import metric as registry_metric

    d = head[head.scenario == scenario].set_index("key")
    cols = [c for _ in range(0, len(tables.HEADLINES), per_row) for c in st.columns(per_row)]
    for col, (key, label, metric, _region, kind) in zip(cols, tables.HEADLINES, strict=True):
        r = d.loc[key]
        value = _fmt(r["difference"], r["difference_unit"], 3)
        short = {"cumulative": "cum."}.get(r["horizon_label"], r["horizon_label"])
        delta = f"{_fmt(r['horizon'], r['horizon_unit'], 3)} {short} {span}"
        color = CARD_COLOR[registry_metric(metric).better]   # higher / lower / neither is good
        arrow = "auto"
        if _zero(r["horizon"], r["horizon_unit"], 3):
            color, arrow = "off", "off"  # no coloured "↑ +0.00"
        col.metric(f"{label}, {year}", value, delta=delta, delta_color=color,
                   delta_arrow=arrow,
                   help=CARD_HELP.get(kind if kind == "trade" else metric, ""), border=True)
        col.caption(meaning(key, r["difference"], reference, year))


WHY_NOTE = """
**Why can the country that imposes a tariff gain?** In this model three things move its real
income. *Terms of trade*: a large buyer's tariff pushes down the prices foreign sellers get,
so part of the tariff is paid abroad. *Tariff revenue*: the government collects the duty, and
the model counts it as income of the country (as if returned to households). *Volume of
trade*: imports that were worth more than they cost no longer happen (a loss). Without
retaliation the first two can outweigh the third, so welfare rises while prices rise and
trade falls; with retaliation the terms of trade turn and the gain shrinks or becomes a loss
(compare retaliation_2025). Studies that report GDP, the price level or a cost per household
(Budget Lab, Penn Wharton) measure other things: the price rise before the revenue is handed
back, or capital and investment channels this model does not have.
"""


def _why(paths: dict[str, pd.DataFrame], others: list[str], reference: str, year: int,
         runs: dict[str, dict], settings: RunSettings) -> None:
    """Parts of the welfare change and the household figure, with the "why" note; beside
    them the published 2025 estimates when the reference is history without 2025's tariffs."""
    with st.expander(f"Why the welfare numbers move: the parts, {year}",
                     expanded=reference == "no_2025_tariffs"):
        pick = others[0] if len(others) == 1 else st.selectbox(
            "Scenario", others, key="cmp_why_scenario")
        tabs = {r: welfare.welfare_parts(paths, pick, reference, r, year).set_index("part")
                for r in ("USA", "JPN")}
        parts = {r: t["value"] for r, t in tabs.items()}
        units = dict(tabs["USA"]["unit"])
        for v in parts.values():
            v["remainder"] = v["total"] - v[["terms of trade", "volume of trade",
                                             "tariff revenue"]].sum()
        units["remainder"] = "pp"
        st.markdown(f"**{pick} against {reference}, {year}: United States (Japan below each "
                    "card); the total as the welfare card (%), the parts in pp of baseline "
                    "income**")
        names = ["total", "terms of trade", "volume of trade", "tariff revenue", "remainder"]
        cols = [c for _ in range(2) for c in st.columns(3)]
        for col, lab in zip(cols, names, strict=False):
            col.metric(f"welfare: {lab}" if lab != "total" else "welfare, total",
                       _fmt(parts["USA"][lab], units[lab]), border=True,
                       help=PART_HELP["welfare, total" if lab == "total" else lab])
            col.caption(f"Japan: {_fmt(parts['JPN'][lab], units[lab])}")
        hh = welfare.household_cost(paths, pick, reference, year)
        src = welfare.US_HOUSEHOLDS
        cols[5].metric(f"US real income per household, {year}",
                       f"{hh['usd_per_household']:+,.0f} USD/yr", border=True,
                       help="Real-income difference (tariff revenue included) divided by the "
                            "number of US households; 2022 values.")
        cols[5].caption(f"{hh['pct_of_spending']:+.2f} % of average spending per household")
        st.caption(f"Households: {src['households'][1]}. Spending: "
                   f"{src['spending_per_household'][1]}. The terms-of-trade and volume parts "
                   "are Caliendo–Parro first-order terms, the revenue part is exact; the "
                   "remainder is what they leave out of the exact total.")
        e_a = welfare.effective_tariff_rates(paths[pick], year)
        e_b = welfare.effective_tariff_rates(paths[reference], year)
        ten = welfare.budget_window_revenue(paths, pick, reference)
        t1, t2, t3, t4 = st.columns(4)
        t1.metric(f"US tariff, {year}, before substitution",
                  f"{e_a['before']:.2f} %", f"{e_a['before'] - e_b['before']:+.2f} pp vs "
                  f"{reference}", delta_color="off", border=True,
                  help="Trade-weighted with 2022 import shares (what Budget Lab calls the "
                       "pre-substitution effective tariff rate).")
        t2.metric(f"US tariff, {year}, after substitution", f"{e_a['after']:.2f} %",
                  f"{e_a['after'] - e_b['after']:+.2f} pp vs {reference}", delta_color="off",
                  border=True, help="Tariff revenue over the year's imports: weights after "
                                    "buyers switched suppliers.")
        t3.metric("US tariff revenue, 2026–35",
                  _fmt(ten, "USD bn") if not math.isnan(ten) else "n/a", border=True,
                  help=f"Sum of the yearly revenue differences against {reference}, USD bn "
                       "at 2022 values (no growth, no inflation: budget scores in current "
                       "dollars are larger).")
        gdp = {r: welfare.real_gdp_change(paths, pick, reference, r, year) for r in ("USA", "JPN")}
        t4.metric(f"US real GDP, {year}", _fmt(gdp["USA"], "%"), border=True,
                  help="Value added deflated by consumer prices, against the reference. All "
                       "value added is labour income in this model, so real GDP moves with the "
                       "real wage; welfare adds tariff revenue and the trade deficit, so the two "
                       "can differ in sign.")
        t4.caption(f"Japan: {_fmt(gdp['JPN'], '%')}. Welfare (above) is real income; real GDP "
                   "leaves out the tariff revenue handed back.")
        st.markdown(WHY_NOTE)
        if reference == "no_2025_tariffs":
            _published_2025(paths, runs, settings)


PART_HELP = {
    "welfare, total": "Exact real income relative to the reference's, % (the welfare card).",
    "terms of trade": "Export prices against import prices (Caliendo–Parro first order): "
                      "positive when foreign sellers absorb part of the tariff.",
    "volume of trade": "Gains or losses from trade that is added or lost, valued at the "
                       "baseline tariff wedge (first order).",
    "tariff revenue": "Real tariff revenue as a share of baseline income, against the "
                      "reference (exact).",
    "remainder": "Exact total minus the three parts: wage and price effects the first-order "
                 "terms leave out (and the small difference between shares of baseline "
                 "income, the parts, and a change relative to the reference, the total).",
}


def _published_2025(paths: dict[str, pd.DataFrame], runs: dict[str, dict],
                    settings: RunSettings) -> None:
    """Published 2025 tariff estimates beside ours (sim/app/assets/studies_2025.toml)."""
    from sim.app.studies2025 import load_studies, study_table

    rows = load_studies()
    need = {n for pair in ((r["tradesim_scenario"], r["tradesim_reference"]) for r in rows)
            for n in pair}
    have = dict(paths)
    for n in need - set(have):
        have[n] = run(n, settings)["path"]
    st.markdown("**Published estimates of the 2025 US tariffs, beside ours** (each measures "
                "something different; see the columns *measure* and *note*)")
    st.dataframe(study_table(rows, have), hide_index=True, width="stretch",
                 column_config={"link": st.column_config.LinkColumn("link"),
                                "ours": st.column_config.NumberColumn(format="%.3f")})


def _map(values: pd.DataFrame, title: str) -> Any:
    """The content helper's world map, if it is installed (else None)."""
    try:
        geo = importlib.import_module("sim.app.geo")
    except ImportError:
        return None
    try:
        return geo.region_map(values, value="value", title=title, unit="%",
                              label="welfare vs reference")
    except Exception as exc:
        st.caption(f"Map unavailable: {exc}")
        return None


def _band(names: list[str], reference: str, settings: RunSettings, metric: str, region: str,
          partner: str, sector: str | None, against_ref: bool) -> pd.DataFrame:
    """Elasticity sensitivity range: min/max over θ calibrated, uniform 4, uniform 5."""
    frames = []
    for th in ("calibrated", "uniform4", "uniform5"):
        s = dataclasses.replace(settings, theta=th)
        paths = {n: run(n, s)["path"] for n in names}
        frames.append(tables.series(paths, metric, region, partner=partner, sector=sector,
                                    reference=reference if against_ref else None))
    d = pd.concat(frames)
    return d.groupby(["scenario", "date"], as_index=False).agg(lo=("value", "min"),
                                                                hi=("value", "max"))


def _mc_picker() -> str | None:
    """A selectbox of the Monte Carlo stores found under ``results/`` (None if none)."""
    from sim.app.pages.batch import batch_package, cached_stores

    batch = batch_package()
    if batch is None:
        return None
    stores = [p for p in cached_stores() if _kind(p) == "mc"]
    if not stores:
        st.caption("Monte Carlo bands: no results store found under results/ (make one with "
                   "`tradesim mc tpp12 --reference historical --out results/mc`).")
        return None
    pick = st.selectbox("Monte Carlo results for bands", ["none", *stores], key="cmp_mc")
    return None if pick == "none" else pick


@st.cache_data(show_spinner=False, max_entries=16)
def _kind(path: str) -> str:
    from sim.app.pages.batch import batch_package

    try:
        return str(batch_package().ResultsStore(path).kind)
    except Exception:  # unreadable: not offered
        return ""


@st.cache_data(show_spinner=False, max_entries=64)
def _mc_band(path: str, names: list[str], reference: str, metric: str, region: str,
             against: bool) -> pd.DataFrame | None:
    """5–95 % band by scenario and year from a Monte Carlo store, at mid-year dates."""
    from sim.app.pages.batch import batch_package

    try:
        store = batch_package().ResultsStore(path)
        s = store.summarize(metrics=[metric], by=["scenario", "reference", "region", "year"],
                            regions=[region], reference=against)
    except Exception:  # a store without this metric or region: no band
        return None
    if against:
        s = s[s["reference"] == reference]
    s = s[s["scenario"].isin(names)]
    if s.empty:
        return None
    qs = sorted((c for c in s.columns if str(c).startswith("p") and str(c)[1:2].isdigit()),
                key=lambda c: float(str(c)[1:].replace("_", ".")))
    return pd.DataFrame({"scenario": s["scenario"],
                         "date": pd.to_datetime(s["year"].astype(int).astype(str) + "-07-01"),
                         "lo": s[qs[0]], "hi": s[qs[-1]]})


def _channels(others: list[str], reference: str, year: int, runs: dict[str, dict],
              settings: RunSettings) -> None:
    """The channel split of each scenario against the reference (US and Japan welfare): a
    stacked bar for the year and the time path of each part (docs/channels.md)."""
    from sim.app.channel_split import STEPS, channel_bars, channel_paths, split

    st.markdown(f"**Which part of the agreements drives it** — welfare against **{reference}**"
                f", by channel, {year}")
    with st.spinner("Splitting by channel (tariffs, + goods non-tariff, + services)…"):
        def steps(name: str) -> list[pd.DataFrame]:
            return [run(name, settings, c)["path"] for c in STEPS[:-1]] + [
                runs[name]["path"]]

        ref_steps = steps(reference)
        cols = st.columns(len(others))
        for col, n in zip(cols, others, strict=True):
            df = split(steps(n), ref_steps)
            at = df[pd.to_datetime(df["date"]).dt.year == year]
            at = at.groupby(["region", "channel"], observed=True, as_index=False)["value"].mean()
            col.markdown(f"*{n}*")
            col.altair_chart(channel_bars(at, y_title=f"welfare vs {reference}, %"),
                             width="stretch")
            with col.expander("Time path by channel"):
                st.altair_chart(channel_paths(df, y_title="%"))
    st.caption("Parts in this order: the agreements' tariffs, then their goods non-tariff "
               "cuts, then services; they add up to the total (black tick). Unilateral "
               "measures are on in every part. Goods non-tariff: a structural-gravity "
               "estimate (±1 s.e. ≈ ±10 %) net of an assumed tariff part; services: an "
               "assumption (2 %, range 0–5 %). Method page: every parameter with its source.")


def render() -> None:
    """Draw the Compare page."""
    from sim.model.metric_registry import metric as registry_metric

    st.title("Compare scenarios")
    st.caption("Dated US–Japan trade-policy scenarios on the SimPy timeline over a calibrated "
               "Caliendo–Parro (2015) general-equilibrium model. Every number is against the "
               "reference scenario you pick; levels are at the baseline's 2022 values.")
    options = all_scenarios()
    c1, c2, c3 = st.columns([3, 1.3, 1.7])
    keep = st.session_state.setdefault(KEEP, {"scenarios": list(DEFAULT)})
    if "cmp_scenarios" not in st.session_state:  # back from another page: restore the pick
        st.session_state["cmp_scenarios"] = [n for n in keep["scenarios"] if n in options][:4]
    chosen = c1.multiselect("Scenarios (2 to 4)", options, max_selections=4,
                            key="cmp_scenarios",
                            help="Library scenarios and your own (build or upload them on "
                                 "the Build page).")
    keep["scenarios"] = list(chosen)
    if not chosen:
        st.info("Pick at least two scenarios to compare.")
        return
    # the reference may be any scenario (no_2025_tariffs answers "what did 2025 do?")
    if "cmp_reference" not in st.session_state or st.session_state["cmp_reference"] not in options:
        ref0 = keep.get("reference")
        st.session_state["cmp_reference"] = ref0 if ref0 in options else (
            "historical" if "historical" in chosen else chosen[0])
    reference = c2.selectbox("Reference", options, key="cmp_reference",
                             help="Every number is this scenario's difference from the "
                                  "reference. For the effect of the 2025 US tariffs pick "
                                  "no_2025_tariffs (history without them).")
    keep["reference"] = reference
    if not [n for n in chosen if n != reference]:
        st.info("Pick at least two scenarios to compare (one besides the reference).")
        return
    chosen = list(dict.fromkeys([*chosen, reference]))
    with st.sidebar.expander("Run settings", expanded=False):
        settings = run_settings("cmp")
        band_on = st.checkbox("Elasticity sensitivity band", value=False, key="cmp_band",
                              help="Runs every scenario also with θ = 4 and θ = 5 in all "
                                   "sectors and shades the range. Not a confidence interval.")
        mc_path = _mc_picker()
    from sim.scenario.loader import ScenarioError

    with st.spinner("Solving the scenarios…"):
        try:
            runs = {n: run(n, settings) for n in chosen}
        except ScenarioError as exc:  # e.g. a region this baseline does not hold
            st.error("A scenario cannot run with these settings:\n\n"
                     + "\n".join(f"- {e}" for e in exc.errors))
            return
    paths = {n: r["path"] for n, r in runs.items()}
    first = min(p["date"].min() for p in paths.values()).year
    last = max(p["date"].max() for p in paths.values()).year
    year = c3.slider("Year", first, last, min(max(2030, first), last), key="cmp_year")
    since = welfare.first_difference_year(paths, reference) or first
    win = st.slider("Cumulative figures over the years", first, last,
                    (max(first, min(since, last)), last), key="cmp_window",
                    help="Default: from the first year in which a scenario differs from the "
                         "reference, to the last year.")
    span = short_span(*win)
    head = tables.headline_table(paths, reference, year, window=win)
    others = [n for n in chosen if n != reference]
    for n in others:
        title = runs[n]["title"] or n
        st.markdown(f"**{n}**: {title} — against **{reference}**, {year}")
        headline_cards(head, n, reference, year, span)
    _why(paths, others, reference, year, runs, settings)
    _channels(others, reference, year, runs, settings)
    with st.expander("How to read these numbers"):
        ref_p = paths[reference]
        inc = ref_p[(ref_p["metric"] == "income_base") & (ref_p["region"] == "USA")]["value"]
        us = float(inc.iloc[0]) if len(inc) else float("nan")  # USD million
        st.markdown(READING.format(usd_bn=us * 1e-4 / 1000, us_tn=us / 1e6))
        st.markdown("**Results that surprise, explained**\n\n" + "\n".join(
            f"- *{k}*: {v}" for k, v in SURPRISES.items()))
        show = head[head.scenario != reference][
            ["scenario", "indicator", "year", "difference", "difference_unit", "horizon",
             "horizon_unit", "horizon_label", "value", "reference_value", "unit"]]
        st.dataframe(show, hide_index=True, width="stretch")
    st.caption(f"Run settings: {settings.label()}. Solved in "
               + ", ".join(f"{n} {r['seconds']:.1f} s" for n, r in runs.items())
               + " (cached after the first run). Uncertainty: the cards are point estimates; "
                 "bands on the time paths come from Monte Carlo results when a store is "
                 "selected in Run settings, else optionally from an elasticity sensitivity "
                 "range.")

    tabs = st.tabs(["Time paths", "US–Japan trade", "Sectors", "Regions", "Events",
                    "Downloads"])
    with tabs[0]:
        a, b, c = st.columns([2, 1, 1.4])
        mkey = a.selectbox("Outcome", list(PATH_METRICS), key="cmp_metric",
                           format_func=path_label)
        regions = list(pd.unique(paths[reference]["region"].astype(str)))
        region = b.selectbox("Region", regions, index=regions.index("USA")
                             if "USA" in regions else 0, key="cmp_region",
                             format_func=region_label)
        mode = c.radio("Show", ["against the reference", "against the solved baseline"],
                       key="cmp_mode", horizontal=True)
        metric, partner, sector, _ = PATH_METRICS[mkey]
        label = path_label(mkey)
        if partner == "partner":
            partner = "JPN" if region != "JPN" else "USA"
            label = f"{label}: {region} imports from {partner}"
        if sector == "pick":  # e.g. the US tariff on Japanese cars over time
            secs = sorted(set(paths[reference].loc[paths[reference]["metric"] == "tariff",
                                                   "sector"].astype(str)))
            sector = st.selectbox("Sector", secs, key="cmp_tariff_sector",
                                  index=secs.index("motor_vehicles")
                                  if "motor_vehicles" in secs else 0)
            label = f"{region}'s tariff on goods from {partner}, {sector}"
        against = mode == "against the reference"
        df = tables.series(paths, metric, region, partner=partner, sector=sector,
                           reference=reference if against else None)
        # levels are USD million/yr in the results; shown in USD bn/yr as on the cards
        level = registry_metric(metric).unit == "baseline"
        if level:
            df = df.assign(value=df["value"] / 1000, unit="USD bn/yr")
        # the unit of the line: the registry's rule (% relative change, pp, or the level's)
        yunit = str(df["unit"].iloc[0]) if len(df) else "%"
        y_title = (f"{region}, difference from {reference}, {yunit}" if against
                   else f"{region}, level, {yunit}" if level
                   else f"{region}, change vs solved baseline, %")
        st.markdown(f"**{label}**, {region}"
                    + (f": difference from {reference} ({yunit})" if against else
                       ": level (USD bn per year at 2022 values, not a change)" if level else
                       ": change against the model's solved 2022 baseline (%)"))
        band, band_label, note = None, "", ("No uncertainty band: no Monte Carlo results are "
                                            "selected (Run settings).")
        mc = _mc_band(mc_path, chosen, reference, metric, region, against) if (
            mc_path and partner == "all" and not level) else None
        if mc is not None and len(mc):
            band, band_label = mc, "MC 5–95 %"
            note = (f"Shaded: 5th–95th percentile of the Monte Carlo draws in `{mc_path}` "
                    "(annual means, drawn at mid-year; against the reference by the same "
                    "rule as the line, docs/metrics.md).")
        elif band_on:
            band = _band(chosen, reference, settings, metric, region, partner, sector, against)
            if level:
                band = band.assign(lo=band["lo"] / 1000, hi=band["hi"] / 1000)
            band_label = "θ range"
            note = ("Shaded: range over θ calibrated / 4 / 5 (elasticity sensitivity, not a "
                    "confidence interval).")
        elif mc_path:
            note = f"`{mc_path}` holds no Monte Carlo results for this outcome and scenarios."
        st.altair_chart(charts.time_path(df, y_title=y_title, band=band,
                                         band_label=band_label), width="stretch")
        st.caption("Dates are the starts of the reporting periods. " + note)
        st.session_state["cmp_table_path"] = df
    labels = baseline(settings.baseline).sector_labels
    with tabs[1]:
        bil = tables.bilateral_by_sector(paths, reference, year)
        bil["sector"] = bil["sector"].map(lambda x: labels.get(x, x))
        show = st.radio("Measure", ["change_pct", "difference"], horizontal=True,
                        key="cmp_bil_measure",
                        format_func=lambda k: {"change_pct": "% change",
                                               "difference": "USD bn/yr"}[k])
        xt = ("change against the reference (%)" if show == "change_pct"
              else "difference from the reference (USD bn/yr, 2022 values)")
        st.altair_chart(charts.bilateral_chart(bil[bil.scenario != reference], value=show,
                                               x_title=xt, scenarios=chosen))
        st.caption(f"US–Japan trade by sector and direction, {year} (mean of the year's "
                   "periods), producer prices, USD billion per year at 2022 values.")
    with tabs[2]:
        sec = tables.sector_output(paths, reference, year)
        sec["sector"] = sec["sector"].map(lambda x: labels.get(x, x))
        st.altair_chart(charts.sector_chart(sec[sec.scenario != reference], scenarios=chosen))
        st.caption(f"Gross output by sector, {year}, change against {reference} (%).")
    with tabs[3]:
        reg = tables.region_welfare(paths, reference, year)
        pick = st.selectbox("Scenario", others, key="cmp_map_scenario")
        rw = reg[reg.scenario == pick]
        m1, m2 = st.columns([3, 2])
        chart = _map(rw[["region", "value"]],
                     f"Welfare, {pick} vs {reference}, {year} (%)")
        if chart is not None:
            m1.altair_chart(chart, width="stretch")
        else:
            m1.info("The world map is not available in this installation.")
        m2.altair_chart(charts.ranked_bars(rw.assign(region=rw["region"].map(region_label))),
                        width="stretch")
        st.caption("Welfare = exact change in real income against the solved baseline; bars "
                   f"and map show {pick}'s real income relative to {reference}'s, %, {year}.")
    with tabs[4]:
        log = tables.event_log({n: runs[n]["log"] for n in chosen})
        routine = st.checkbox("Show routine events (annual staging cuts, quota-year closings)",
                              value=False, key="cmp_routine")
        shown = log if routine else log[~log["kind"].isin(charts.ROUTINE_EVENTS)]
        st.altair_chart(charts.event_timeline(shown))
        st.caption("Each point is a dated event of the scenario's policy timeline (hover for "
                   "what happened and its source). Safeguards and retaliation rules act on the "
                   "model's own trade volumes, so their events can differ between scenarios.")
        with st.expander("Event log (table)"):
            st.dataframe(log, hide_index=True, width="stretch")
    with tabs[5]:
        _downloads(runs, head, paths, reference, year, settings)


def differences_download(paths: dict[str, pd.DataFrame], reference: str) -> pd.DataFrame:
    """The table of the "differences vs reference" download: every row of every scenario
    against the reference (:func:`sim.results.difference_table`, as ``tradesim run
    --reference`` writes it)."""
    from sim.results import difference_table

    return pd.concat([difference_table(p, paths[reference], reference)
                      for n, p in paths.items() if n != reference], ignore_index=True)


def _downloads(runs: dict[str, dict], head: pd.DataFrame, paths: dict[str, pd.DataFrame],
               reference: str, year: int, settings: RunSettings) -> None:
    st.markdown("**Tables (CSV)**")
    cols = st.columns(3)
    items = [
        ("headline numbers", head, "headline.csv"),
        ("time path shown", st.session_state.get("cmp_table_path", pd.DataFrame()),
         "time_path.csv"),
        ("US–Japan trade by sector", tables.bilateral_by_sector(paths, reference, year),
         "us_japan_trade.csv"),
        ("sector output", tables.sector_output(paths, reference, year), "sector_output.csv"),
        ("welfare by region", tables.region_welfare(paths, reference, year),
         "welfare_by_region.csv"),
        ("event logs", tables.event_log({n: r["log"] for n, r in runs.items()}),
         "events.csv"),
    ]
    for k, (label, df, fname) in enumerate(items):
        cols[k % 3].download_button(f"{label}", csv_bytes(df), file_name=fname,
                                    mime="text/csv", key=f"dl_{fname}", on_click="ignore")
    st.markdown("**Full results (Parquet)**: every period, region, partner, sector and metric "
                "of every scenario (tidy: scenario, date, region, partner, sector, metric, "
                "value, unit).")
    names = tuple(runs)

    def full() -> bytes:
        return parquet_bytes(pd.concat([runs[n]["path"] for n in names], ignore_index=True))

    def versus() -> bytes:
        return parquet_bytes(differences_download({n: runs[n]["path"] for n in names},
                                                  reference))

    p1, p2 = st.columns(2)
    p1.download_button("results.parquet", full, file_name="results.parquet",
                       mime="application/octet-stream", key="dl_parquet", on_click="ignore")
    p2.download_button(f"differences vs {reference} (Parquet)", versus,
                       file_name=f"results_vs_{reference}.parquet",
                       mime="application/octet-stream", key="dl_parquet_vs", on_click="ignore",
                       help="As `tradesim run --reference` writes them, by the rule of every "
                            "number on this page (docs/metrics.md): percent changes as "
                            "changes relative to the reference (%), levels and rates as "
                            "differences (unit column).")
    st.markdown("**Scenario files (TOML)**, as `tradesim run` reads them: "
                f"`{settings.cli('FILE.toml', reference)}`")
    cols = st.columns(4)
    for k, n in enumerate(names):
        cols[k % 4].download_button(f"{n}.toml", scenario_text(n), file_name=f"{n}.toml",
                                    mime="application/toml", key=f"dl_toml_{n}",
                                    on_click="ignore")
