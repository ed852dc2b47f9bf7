"""Validation page: published results reproduced live, and our scenario results beside the
published studies.

1. Caliendo & Parro (2015), NAFTA: computed live from the authors' replication data when they
   are present (``../shared/data/caliendo_parro_2015`` or ``$TRADESIM_SHARED_DATA``); the data
   are not shipped with the app, so without them the page shows the published figures and
   says where to put the data.
2. Analytic checks that need no external data (the ACR formula against an independent
   solver), plus the USITC gegravity sample when present.
3. TPP-12, CPTPP and the 2025 tariffs from our scenario library beside published studies.
4. Structural gravity: the Advanced Guide's PPML estimates reproduced from the shipped panel
   (``sim.estimate.validation``; needs the optional pyfixest).

The computations are plain functions cached with ``st.cache_data``; ``render()`` draws.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

__all__ = ["acr_table", "find_data_dir", "nafta_table", "published_nafta", "render",
           "shipped_table", "studies", "study_comparison"]

METRIC_LABELS = {
    "welfare_cp_pct": "welfare (CP decomposition)",
    "real_wage_pct": "real wage",
    "tot_pct": "terms of trade",
    "vot_pct": "volume of trade",
    "welfare_pct (exact, not published)": "exact welfare (not published)",
}
CLOSURE_LABELS = {"zero": "no deficits", "fixed": "deficits kept"}
CP_LINK = "https://doi.org/10.1093/restud/rdu035"

#: scenario pairs we compute: key -> (scenario, reference, plain description)
PAIRS: dict[str, tuple[str, str, str]] = {
    "tpp12_vs_historical": ("tpp12", "historical",
                            "TPP-12 with the US in, against what happened"),
    "tpp12_vs_no_tpp_ever": ("tpp12", "no_tpp_ever",
                             "TPP-12 with the US in, against neither TPP nor CPTPP"),
    "historical_vs_no_tpp_ever": ("historical", "no_tpp_ever",
                                  "what happened, against neither TPP nor CPTPP"),
    "no_deal_vs_historical": ("no_deal_2025", "historical",
                              "24 % reciprocal rate and 27.5 % on cars kept (no 2025 deal), "
                              "against what happened"),
}

def studies() -> list[dict[str, Any]]:
    """The published-study rows of ``sim/app/assets/studies*.toml`` (``sim.app.studies``)
    except the 2025 tariff studies, which have their own section (``studies_2025.toml``)."""
    from sim.app.studies import load_studies
    from sim.app.studies2025 import STUDIES_2025

    return [r for r in load_studies() if r["file"] != STUDIES_2025.name]


def _pair_label(scn: str, ref: str) -> str:
    for label_scn, label_ref, text in PAIRS.values():
        if (label_scn, label_ref) == (scn, ref):
            return text
    return f"{scn}, against {ref}"


NOT_COMPARED = (
    "Fajgelbaum, Goldberg, Kennedy & Khandelwal (2020), The Return to Protectionism, QJE "
    "135(1): US net real income −$7.2B (−0.04 % of GDP) from the 2018 US tariffs and the "
    "retaliation ([doi](https://doi.org/10.1093/qje/qjz036)). Not set beside a number here: "
    "the library has no scenario without the 2018 tariffs (they are in the baseline year's "
    "tariffs), and it leaves out China's retaliation in detail.")


# ----------------------------------------------------------------------------- data lookup
def find_data_dir() -> Path | None:
    """The shared data directory holding the validation data, or ``None``.

    Looks at ``$TRADESIM_SHARED_DATA``, then ``../shared/data`` from the working directory
    (what ``tradesim validate`` uses), then ``../shared/data`` beside the repository.
    """
    from sim.data.shared import ENV, default_data_dir

    candidates = []
    env = os.environ.get(ENV)
    if env:
        candidates.append(Path(env))
    candidates.append(default_data_dir())
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "data")
    for c in candidates:
        if (c / "caliendo_parro_2015").is_dir():
            return c.resolve()
    return None


def published_nafta() -> pd.DataFrame:
    """The published Caliendo–Parro NAFTA figures (no computation)."""
    from sim.data.cp2015 import NAFTA
    from sim.validation import CP2015_PUBLISHED

    rows = []
    for (closure, metric), (values, tol) in CP2015_PUBLISHED.items():
        for region, v in zip(NAFTA, values, strict=True):
            rows.append({"run": CLOSURE_LABELS[closure], "region": region,
                         "measure": METRIC_LABELS[metric], "published (%)": v,
                         "tolerance (points)": tol})
    return pd.DataFrame(rows)


def _checks_frame(checks: list[Any]) -> pd.DataFrame:
    rows = []
    for c in checks:
        closure = "zero" if "closure=zero" in c.case else "fixed"
        rows.append({
            "run": CLOSURE_LABELS[closure], "region": c.region,
            "measure": METRIC_LABELS.get(c.metric, c.metric),
            "published (%)": c.published, "reproduced (%)": c.reproduced,
            "difference (points)": (None if c.published is None
                                    else c.reproduced - c.published),
            "tolerance (points)": c.tolerance,
            "result": {True: "pass", False: "MISS", None: "info"}[c.passed],
        })
    return pd.DataFrame(rows)


@st.cache_data(show_spinner="Solving the NAFTA experiment (31 regions × 40 sectors)…")
def nafta_table(data_dir: str) -> pd.DataFrame:
    """CP (2015) NAFTA: published beside reproduced, computed live from ``data_dir``."""
    from sim.validation import cp2015_checks

    return _checks_frame(cp2015_checks(Path(data_dir)))


@st.cache_data(show_spinner="Checking the ACR formula against an independent solver…")
def acr_table(data_dir: str | None) -> pd.DataFrame:
    """Analytic checks: ACR on random economies (always), on the gegravity sample if present."""
    from sim.validation import acr_checks, gegravity_checks

    checks = acr_checks()
    if data_dir is not None and (Path(data_dir) / "gegravity_sample").is_dir():
        checks = gegravity_checks(Path(data_dir)) + checks
    return pd.DataFrame([{
        "check": c.case, "largest gap": c.reproduced, "tolerance": c.tolerance,
        "result": "pass" if c.passed else "MISS", "what is compared": c.metric,
        "source": c.source} for c in checks])


@st.cache_data(show_spinner="Running the scenarios (annual reporting)…")
def study_comparison() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Our welfare changes for every (scenario, reference) pair the studies name (tidy: pair,
    region, year, welfare_pct; pair = ``scenario|reference``) and the study table with our
    number beside each published one."""
    import sim
    from sim.run import against_reference
    from sim.scenario.loader import LIBRARY

    rows_in = studies()
    pairs = sorted({(s["tradesim_scenario"], s["tradesim_reference"]) for s in rows_in})
    runs: dict[str, Any] = {}
    for name in sorted({s for pair in pairs for s in pair}):
        source = LIBRARY / f"{name}.toml"
        if source.is_file():
            runs[name] = sim.run_scenario(source, reporting="annual", detail="summary")
    paths = []
    for scn, ref in pairs:
        if scn not in runs or ref not in runs:
            continue
        d = against_reference(runs[scn], runs[ref])
        d = d[(d["metric"] == "welfare_pct") & (d["partner"] == "all") & (d["sector"] == "all")]
        paths.append(pd.DataFrame({"pair": f"{scn}|{ref}", "region": d["region"].astype(str),
                                   "year": pd.to_datetime(d["date"]).dt.year,
                                   "welfare_pct": d["value"].astype(float)}))
    path = (pd.concat(paths, ignore_index=True) if paths
            else pd.DataFrame(columns=["pair", "region", "year", "welfare_pct"]))
    lookup = path.set_index(["pair", "region", "year"])["welfare_pct"]
    rows = []
    for s in rows_in:
        pair = f"{s['tradesim_scenario']}|{s['tradesim_reference']}"
        ours = float(lookup.get((pair, s["region"], s["year"]), float("nan")))
        publication = ", ".join(x for x in (f"{s['title']}", s["version"], s["publisher"],
                                            str(s["year_published"])) if x)
        rows.append({
            "study": s["study"], "region": s["region"], "year": s["year"],
            "year from": "our placement" if s["year_is_ours"] else "the study",
            "published (%)": s["value"], "ours: welfare (%)": ours,
            "same sign": "" if ours != ours else ("yes" if ours * s["value"] > 0 else "no"),
            "published measure": s["measure"] + (" (our mapping)" if s["measure_is_ours"]
                                                 else ""),
            "our comparison": _pair_label(s["tradesim_scenario"], s["tradesim_reference"]),
            "scenario": s["scenario"], "publication": publication,
            "link": s["url"] or None, "note": s["note"],
        })
    return path, pd.DataFrame(rows)


# ----------------------------------------------------------------------------- page parts
def _nafta_chart(table: pd.DataFrame) -> alt.Chart:
    main = table[table["run"] == CLOSURE_LABELS["zero"]]
    welfare = main[main["measure"] == METRIC_LABELS["welfare_cp_pct"]]
    exact = main[main["measure"] == METRIC_LABELS["welfare_pct (exact, not published)"]]
    rows = []
    for _, r in welfare.iterrows():
        rows.append({"region": r["region"], "bar": "published (CP decomposition)",
                     "value": r["published (%)"]})
        rows.append({"region": r["region"], "bar": "reproduced (CP decomposition)",
                     "value": r["reproduced (%)"]})
    for _, r in exact.iterrows():
        rows.append({"region": r["region"], "bar": "exact real-income change (same run)",
                     "value": r["reproduced (%)"]})
    data = pd.DataFrame(rows)
    order = ["published (CP decomposition)", "reproduced (CP decomposition)",
             "exact real-income change (same run)"]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("region:N", title=None, axis=alt.Axis(labelAngle=0, labelFontSize=12)),
        xOffset=alt.XOffset("bar:N", sort=order),
        y=alt.Y("value:Q", title="welfare change (%)"),
        color=alt.Color("bar:N", sort=order, title=None,
                        scale=alt.Scale(domain=order, range=["#4c78a8", "#9ecae9", "#f58518"]),
                        legend=alt.Legend(orient="top", labelLimit=320)),
        tooltip=["region", "bar", alt.Tooltip("value:Q", format=".4f")],
    ).properties(height=300, title="NAFTA, no-deficit run: welfare by measure")


def _nafta(data_dir: Path | None) -> None:
    st.header("1. Caliendo & Parro (2015): NAFTA, reproduced live")
    st.markdown(
        "The test every model of this kind is held to: take Caliendo & Parro's 1993 data for "
        "31 regions and 40 sectors, move the tariffs among Canada, Mexico and the United "
        "States to their 2005 levels (the NAFTA cuts) and leave all other tariffs at 1993 "
        "levels. If tradesim's engine is right, it must give the numbers they published. "
        f"Paper: [{CP_LINK}]({CP_LINK}).")
    if data_dir is None:
        st.warning(
            "**The replication data are not present on this machine**, so the NAFTA case "
            "cannot be computed here. tradesim does not ship the authors' files. Put the "
            "Caliendo–Parro replication package's `original_data/` folder in "
            "`../shared/data/caliendo_parro_2015/` beside the project (or set "
            "`TRADESIM_SHARED_DATA` to the folder that contains `caliendo_parro_2015/`) and "
            "reload, or run `tradesim validate --data DIR`. The published figures are below.")
        _shipped()
        st.dataframe(published_nafta(), hide_index=True, width="stretch")
        return
    table = nafta_table(str(data_dir))
    graded = table[table["result"] != "info"]
    passed = int((graded["result"] == "pass").sum())
    c1, c2, c3 = st.columns(3)
    c1.metric("published figures reproduced", f"{passed} of {len(graded)}")
    worst = float(graded["difference (points)"].abs().max())
    c2.metric("largest difference", f"{worst:.5f} points")
    c3.metric("tolerance", f"{graded['tolerance (points)'].max():g} points")
    if passed == len(graded):
        st.success(f"Every published figure is reproduced within tolerance (data read from "
                   f"`{data_dir / 'caliendo_parro_2015'}`, solved just now).")
    else:
        st.error("Some published figures are not reproduced: see the table.")
    st.dataframe(
        table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
        column_config={
            "published (%)": st.column_config.NumberColumn(format="%.4f"),
            "reproduced (%)": st.column_config.NumberColumn(format="%.4f"),
            "difference (points)": st.column_config.NumberColumn(format="%.5f"),
        })
    st.caption("Runs: *no deficits* is Caliendo & Parro's main run (trade deficits set to zero "
               "before the shock); *deficits kept* holds each country's 1993 deficit fixed. "
               "Difference = reproduced − published, in percentage points.")
    st.altair_chart(_nafta_chart(table), width="stretch")
    st.markdown(
        "**Why two kinds of welfare?** Caliendo & Parro's published welfare numbers are a "
        "first-order decomposition into terms-of-trade and volume-of-trade effects; we "
        "reproduce them exactly. The *exact* change in real income of the same equilibrium, "
        "which tradesim reports as welfare everywhere else, is much smaller for Mexico "
        "(about +0.01 % against +1.31 %): most of the gain from more trade is offset by the "
        "tariff revenue Mexico gives up. Tolerances: 0.005 percentage points (the no-deficit "
        "figures are quoted to 3–4 digits in the cp2015 R port; the run with deficits kept is "
        "published to two decimals).")


def shipped_table() -> tuple[str, pd.DataFrame] | None:
    """The shipped record of the last validation run (label, every row), or ``None``."""
    from sim.validation_record import read_table

    try:
        shipped = read_table()
    except (OSError, ValueError):
        return None
    rows = [{"case": c.case, "region": c.region, "metric": METRIC_LABELS.get(c.metric, c.metric),
             "published": c.published, "reproduced": c.reproduced, "tolerance": c.tolerance,
             "result": {True: "pass", False: "MISS", None: "info"}[c.passed],
             "source": c.source} for c in shipped.checks]
    return shipped.label, pd.DataFrame(rows)


def _shipped() -> None:
    found = shipped_table()
    if found is None:
        return
    label, table = found
    st.info(f"**Shipped results of the full validation ({label}).** Every case of "
            "`tradesim validate` (this NAFTA replication included) as computed with the data "
            "when this version was made; `tradesim validate --offline` prints the same table.")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"reproduced": st.column_config.NumberColumn(format="%.6g")})


def _analytic(data_dir: Path | None) -> None:
    st.header("2. Checks on an exact formula")
    st.markdown(
        "In the simplest version of the model (one sector, no input–output links, no "
        "tariffs) theory gives the welfare change in closed form: "
        "$\\hat W_n = \\hat\\pi_{nn}^{-1/\\theta}$, where $\\hat\\pi_{nn}$ is the change in "
        "the share a country buys from itself (Arkolakis, Costinot & Rodríguez-Clare 2012, "
        "[doi](https://doi.org/10.1257/aer.102.1.94)). The engine's welfare change is compared "
        "with the formula evaluated with $\\hat\\pi_{nn}$ from a separate, deliberately "
        "simple solver of the same model in levels, so the check fails if either is wrong. "
        "It needs no external data and runs on every machine.")
    table = acr_table(None if data_dir is None else str(data_dir))
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"largest gap": st.column_config.NumberColumn(format="%.2e"),
                                "tolerance": st.column_config.NumberColumn(format="%.0e")})
    if data_dir is None:
        st.caption("The same check on the USITC gegravity sample (30 countries, 2006) runs "
                   "when ../shared/data/gegravity_sample is present.")


#: World Bank (2016), Global Economic Prospects ch. 4: shares of TPP members' gain by channel
#: (AGREEMENTS.md: read in press coverage quoting the chapter)
WORLD_BANK_SPLIT = {"tariffs": 15.0, "goods_nontariff": 53.0, "services": 31.0}
CHANNEL_YEAR = 2032


@st.cache_data(show_spinner="Splitting TPP-12 by channel (three runs per scenario)…")
def channel_comparison(year: int = CHANNEL_YEAR) -> pd.DataFrame:
    """TPP-12 (US in) against history and against no_tpp_ever, US and Japan welfare in
    ``year`` by channel (sequential parts, annual reporting) and each part's share."""
    from sim.app.channel_split import STEPS, split
    from sim.app.runs import RunSettings
    from sim.app.state import run

    rs = RunSettings(reporting="annual")

    def steps(name: str) -> list[pd.DataFrame]:
        return [run(name, rs, c)["path"] for c in STEPS[:-1]] + [run(name, rs)["path"]]

    rows = []
    scen = steps("tpp12")
    for ref in ("historical", "no_tpp_ever"):
        df = split(scen, steps(ref))
        at = df[pd.to_datetime(df["date"]).dt.year == year]
        at = at.groupby(["region", "channel"], observed=True)["value"].mean().unstack()
        for region in ("USA", "JPN"):
            v = at.loc[region]
            row = {"comparison": f"TPP-12 vs {ref}", "region": region}
            row.update({k: float(v[k]) for k in ("tariffs", "goods_nontariff", "services",
                                                 "total")})
            for k in WORLD_BANK_SPLIT:
                row[f"{k} share (%)"] = 100 * float(v[k]) / float(v["total"]) if v["total"] \
                    else float("nan")
            rows.append(row)
    rows.append({"comparison": "World Bank (2016) GEP ch. 4, TPP members' gain",
                 "region": "members",
                 **{f"{k} share (%)": x for k, x in WORLD_BANK_SPLIT.items()}})
    return pd.DataFrame(rows)


def _by_channel() -> None:
    st.subheader(f"TPP-12 by channel ({CHANNEL_YEAR}): tariffs, goods non-tariff, services")
    table = channel_comparison()
    fmt = {c: st.column_config.NumberColumn(format="%+.3f")
           for c in ("tariffs", "goods_nontariff", "services", "total")}
    fmt.update({c: st.column_config.NumberColumn(format="%.0f") for c in table.columns
                if c.endswith("share (%)")})
    st.dataframe(table, hide_index=True, width="stretch", column_config=fmt)
    st.markdown(
        "Welfare change in % (real income), parts added in the order tariffs, goods "
        "non-tariff, services; they add up to the total. Against `no_tpp_ever` (neither TPP "
        "nor CPTPP) is the question the studies ask; against history CPTPP and the 2019 "
        "US–Japan agreement already happened. The published figures: USITC (2016) +0.23 % "
        "US real income in 2032; Petri & Plummer (2016) +0.5 % US, +2.5 % Japan in 2030; "
        "World Bank (2016) +0.4 % US GDP, with the channel shares in the last row.  \n"
        "**No parameter of tradesim was chosen to match these studies**: the goods "
        "non-tariff effect is the Advanced Guide's gravity estimate reproduced from its "
        "panel, the tariff correction and the scale for earlier agreements are stated "
        "assumptions, the services cut is an assumption (docs/channels.md); bands from "
        "`tradesim mc` are in the README and docs/channels.md.")


def _studies() -> None:
    st.header("3. Our scenario results beside published studies")
    st.markdown(
        "These are **plausibility checks, not targets**: nothing in tradesim was tuned to "
        "match them, and the studies answer different questions with richer models. Our "
        "numbers are the exact change in real income (welfare) from our scenario library on "
        "the `icio2022` baseline, computed now with annual reporting and the default "
        "adjustment speed (λ = 0.3 per year); `docs/scenarios.md` quotes annual means of "
        "monthly runs, which differ slightly.")
    from sim.scenario.loader import LIBRARY

    if not (LIBRARY / "historical.toml").is_file():
        st.warning("The scenario library (scenarios/) is not present in this installation.")
        return
    path, table = study_comparison()
    st.dataframe(
        table, hide_index=True, width="stretch",
        column_config={
            "published (%)": st.column_config.NumberColumn(format="%+.2f"),
            "ours: welfare (%)": st.column_config.NumberColumn(format="%+.3f"),
            "year": st.column_config.NumberColumn(format="%d"),
            "link": st.column_config.LinkColumn("link", display_text="open"),
            "study": st.column_config.TextColumn(width="medium"),
            "our comparison": st.column_config.TextColumn(width="medium"),
            "note": st.column_config.TextColumn(width="large"),
        })
    st.caption("Each row names the exact publication (title, version, publisher, year) and "
               "the measure and year as the study states them; 'year from: our placement' "
               "marks a year the study does not give, which we chose. Rows are read from "
               "`sim/app/assets/studies*.toml`; the note says where a figure or link could "
               "not be checked.")
    st.markdown(
        "**How they differ, honestly.** The signs mostly agree (the US gains from TPP; "
        "Japan loses under the 24 % rate). With the agreements' non-tariff and services "
        "channels our TPP numbers are of the studies' order; from tariffs alone they are "
        "one to two orders smaller (the split by channel is below). Reasons we know of:\n"
        "- our non-tariff channel is the *average* agreement of a 1986–2006 gravity panel "
        "net of an assumed tariff part, our services cut an assumption; the studies size "
        "TPP's own provisions and add investment and productivity effects;\n"
        "- most Japan–US tariff cuts of TPP happened anyway: Japan gave US farm goods "
        "CPTPP-level rates in the 2019 US–Japan agreement, so TPP-12 against history "
        "changes little;\n"
        "- the studies compare with a world **without any** of these agreements;\n"
        "- TPP's US car tariff cut is spread over 25 years and the light-truck cut over 30;\n"
        "- when the US joins, Japan loses part of its preference margin in CPTPP markets;\n"
        "- GDP (World Bank, Government of Japan, NRI) is not welfare; NRI compares with "
        "no tariff at all, we with what happened (a 15 % deal).")
    st.caption(NOT_COMPARED)

    tpp_pair = "tpp12|historical"
    tpp = path[(path["pair"] == tpp_pair) & path["region"].isin(["USA", "JPN"])]
    lines = alt.Chart(tpp).mark_line(point=True).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, values=list(
            range(2015, 2041, 5)))),
        y=alt.Y("welfare_pct:Q", title="welfare change (%)"),
        color=alt.Color("region:N", title="ours, TPP-12 vs history",
                        scale=alt.Scale(domain=["USA", "JPN"], range=["#1f77b4", "#d62728"])),
        tooltip=["region", "year", alt.Tooltip("welfare_pct:Q", format="+.4f")],
    )
    pubs = pd.DataFrame([{"year": s["year"], "published": s["value"], "study": s["study"]}
                         for s in studies() if s["tradesim_scenario"] == "tpp12"
                         and s["tradesim_reference"] == "historical" and s["region"] == "USA"])
    points = alt.Chart(pubs).mark_point(shape="diamond", size=120, filled=True,
                                        color="#555555").encode(
        x="year:O", y="published:Q",
        tooltip=["study", "year", alt.Tooltip("published:Q", format="+.2f")])
    labels = points.mark_text(align="left", dx=8, fontSize=11).encode(text="study:N")
    st.altair_chart(
        alt.layer(lines, points, labels).properties(
            height=320, title=alt.TitleParams(
                "US real income with TPP-12: ours (lines) and published studies (diamonds)",
                subtitle="Ours against the historical path; the studies against a world "
                         "without TPP and with more than tariffs in it.")),
        width="stretch")

    _by_channel()

    from sim.app.geo import region_map

    year = 2035
    snap = path[(path["pair"] == tpp_pair) & (path["year"] == year)]
    st.subheader(f"Where TPP-12 would have changed real income ({year}, ours)")
    st.altair_chart(region_map(snap[["region", "welfare_pct"]], value="welfare_pct",
                               label="welfare change",
                               title=f"Welfare change, TPP-12 vs history, {year}"),
                    width="stretch")
    st.caption("Each country shows the value of its model region (EU members: EU; "
               "countries not modelled separately: rest of world).")


def gravity_section() -> None:
    """Section 4: the guide's gravity estimates reproduced (sim.estimate.validation)."""
    st.header("4. Structural gravity: the Advanced Guide's estimates, reproduced")
    st.markdown(
        "What a trade agreement does to trade between its members, estimated as the field "
        "does it: PPML with exporter-year, importer-year and pair fixed effects on the "
        "Advanced Guide's panel (Yotov, Piermartini, Monteiro & Larch 2016, UNCTAD/WTO, "
        "CC BY 4.0; 69 countries, 1986–2006, shipped with tradesim), standard errors "
        "clustered by pair as in Stata's `ppml`. Tolerance 0.002. Columns whose published "
        "figures were not available to us are shown as *info* (reproduced only). "
        "See docs/estimation.md.")
    try:
        from sim.estimate.validation import gravity_table

        table = gravity_table()
    except Exception as exc:  # pyfixest missing, or any failure: say so, keep the page
        st.warning(f"The gravity estimates could not be computed here: {exc}")
        return
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"published": st.column_config.NumberColumn(format="%.3f"),
                                "reproduced": st.column_config.NumberColumn(format="%.4f")})


def render() -> None:
    """Draw the Validation page (no ``st.set_page_config``)."""
    st.title("Validation")
    st.markdown(
        "Can the numbers be trusted? This page reruns the engine on a published case and "
        "compares, computes a check with a known exact answer, and puts our scenario results "
        "beside published studies of the same policies, with the differences explained. "
        "Everything on this page is computed when the page loads (then cached).")
    data_dir = find_data_dir()
    _nafta(data_dir)
    _analytic(data_dir)
    _studies()
    _studies_2025()
    gravity_section()


def _studies_2025() -> None:
    """The 2025 tariff studies (sim/app/assets/studies_2025.toml) beside ours."""
    from sim.app.runs import RunSettings
    from sim.app.studies2025 import load_studies, study_table

    st.header("The 2025 US tariffs: published estimates beside ours")
    rows = load_studies()
    names = {n for r in rows for n in (r["tradesim_scenario"], r["tradesim_reference"])}
    with st.spinner("Running the 2025 scenarios…"):
        paths = {n: _path_2025(n) for n in sorted(names)}
    st.dataframe(study_table(rows, paths), hide_index=True, width="stretch",
                 column_config={"link": st.column_config.LinkColumn("link"),
                                "ours": st.column_config.NumberColumn(format="%.3f")})
    st.caption("Ours: historical (or retaliation_2025) against no_2025_tariffs, app default "
               f"settings ({RunSettings().label()}). Each study measures something else "
               "(see *measure* and *note*); Compare's “Why the welfare numbers move” explains "
               "the gap. Rows read from secondary copies say so in the note.")


@st.cache_data(show_spinner=False)
def _path_2025(name: str):
    from sim.app.runs import RunSettings, run_tables, spec_json

    return run_tables(spec_json(name), RunSettings(), detail="summary")["path"]


if __name__ == "__main__":  # ``streamlit run sim/app/pages/validation.py``
    render()
