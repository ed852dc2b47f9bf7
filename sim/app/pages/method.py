"""Method & sources page: what the model does, its equations, data and licences, parameters
with citations, the scenario facts with their sources, and the known limits.

Everything that can change with the code or the data (baseline metadata, θ, the scenario
library) is read from the shipped files when the page is drawn, so the page stays true.
``render()`` draws the page; the table builders are plain functions (tested without a browser).
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from typing import Any

import pandas as pd
import streamlit as st

__all__ = ["REFERENCES", "baseline_metadata", "render", "scenario_facts", "theta_se_table",
           "theta_table"]

#: works cited on this page: key -> (citation, link or "")
REFERENCES: dict[str, tuple[str, str]] = {
    "CP2015": ("Caliendo, L. and Parro, F. (2015), Estimates of the Trade and Welfare Effects of "
               "NAFTA, Review of Economic Studies 82(1): 1-44",
               "https://doi.org/10.1093/restud/rdu035"),
    "ACR2012": ("Arkolakis, C., Costinot, A. and Rodríguez-Clare, A. (2012), New Trade Models, "
                "Same Old Gains?, American Economic Review 102(1): 94-130",
                "https://doi.org/10.1257/aer.102.1.94"),
    "BLP2023": ("Boehm, C. E., Levchenko, A. A. and Pandalai-Nayar, N. (2023), The Long and "
                "Short (Run) of Trade Elasticities, American Economic Review 113(4): 861-905",
                "https://doi.org/10.1257/aer.20210225"),
    "Yotov2016": ("Yotov, Y. V., Piermartini, R., Monteiro, J.-A. and Larch, M. (2016), An "
                  "Advanced Guide to Trade Policy Analysis: The Structural Gravity Model, "
                  "WTO and UNCTAD", ""),
    "Timmer2015": ("Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. "
                   "(2015), An Illustrated User Guide to the World Input-Output Database, Review "
                   "of International Economics 23: 575-605",
                   "https://doi.org/10.1111/roie.12178"),
    "SW2014": ("Simonovska, I. and Waugh, M. E. (2014), The Elasticity of Trade: Estimates and "
               "Evidence, Journal of International Economics 92(1): 34-50", ""),
    "HM2014": ("Head, K. and Mayer, T. (2014), Gravity Equations: Workhorse, Toolkit, and "
               "Cookbook, Handbook of International Economics vol. 4: 131-195", ""),
    "ICIO": ("OECD (2025), Inter-Country Input-Output Database", "http://oe.cd/icio"),
    "BACI": ("Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the "
             "Product-Level, CEPII Working Paper 2010-23", ""),
}

# ----------------------------------------------------------------------------- data builders
def baseline_metadata() -> dict[str, dict[str, Any]]:
    """``metadata.json`` of every shipped baseline, by name (read from the package files)."""
    root = resources.files("sim") / "baselines"
    out: dict[str, dict[str, Any]] = {}
    if not root.is_dir():
        return out
    for p in sorted(root.iterdir(), key=lambda q: q.name):
        meta = p / "metadata.json"
        if p.is_dir() and meta.is_file():
            out[p.name] = json.loads(meta.read_text(encoding="utf-8"))
    return out


def theta_table(baseline: str) -> pd.DataFrame:
    """θ by sector from the baseline's ``sectors.csv``, with the CP (2015) member sectors."""
    path = resources.files("sim") / "baselines" / baseline / "sectors.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    members = baseline_metadata().get(baseline, {}).get("theta", {}).get("members", {})
    return pd.DataFrame({
        "sector": [r["label"] for r in rows],
        "θ (default)": [float(r["theta"]) for r in rows],
        "Caliendo–Parro sectors averaged": [", ".join(members.get(r["sector"], [])) for r in rows],
        "θ = 4 variant": [float(r.get("theta_uniform4") or "nan") for r in rows],
        "θ = 5 variant": [float(r.get("theta_uniform5") or "nan") for r in rows],
    })


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return str(v)


def scenario_facts(spec: Any) -> pd.DataFrame:
    """One row per dated fact of a scenario (agreements, members, concessions, events):
    what it is, its dates, its source and whether it is verified."""
    rows: list[dict[str, Any]] = []

    def add(kind: str, name: str, what: str, when: str, source: str, verified: bool) -> None:
        rows.append({"kind": kind, "name": name, "what": what, "dates": when,
                     "source": source, "verified": verified})

    for a in spec.agreements:
        add("agreement", a.name, a.title, "", a.source, a.verified)
        for m in a.members:
            when = f"in force {m.eif}" if m.eif else "never in force"
            if m.withdrawn:
                when += f", withdrew {m.withdrawn}"
            add("member", a.name, m.region, when, m.source, m.verified)
        for c in a.concessions:
            scope = _fmt(c.lines) if c.lines else (_fmt(c.sectors) if c.sectors else "all goods")
            st_kind = c.staging.kind
            detail = {"equal": lambda s: f"{s.n} equal annual cuts",
                      "free": lambda s: "free at entry into force",
                      "keep": lambda s: "excluded",
                      "stages": lambda s: f"{len(s.rates or s.fractions)} stages",
                      "path": lambda s: f"rate path ({len(s.points)} dates)"}[st_kind](c.staging)
            what = f"{_fmt(c.importers)} on {scope}: {detail}"
            if c.coverage < 1:
                what += f" (coverage {c.coverage:.0%})"
            add("concession", a.name, what, "", c.source or a.source, c.verified)
    for e in spec.events:
        described = e.describe()         # each event kind describes itself (scenario/models.py)
        if described is not None:
            add(e.kind, e.name, *described, e.source, e.verified)
    return pd.DataFrame(rows, columns=["kind", "name", "what", "dates", "source", "verified"])


def library_scenarios() -> dict[str, Any]:
    """The scenario library's specs by name (empty if the library folder is not present)."""
    from sim.scenario.loader import LIBRARY, load_scenario

    out: dict[str, Any] = {}
    if not LIBRARY.is_dir():
        return out
    for p in sorted(LIBRARY.glob("*.toml")):
        try:
            out[p.stem] = load_scenario(p)
        except Exception as exc:  # a broken file should not take the page down
            out[p.stem] = exc
    return out


# ----------------------------------------------------------------------------- page parts
def _intro() -> None:
    st.title("Method & sources")
    st.markdown(
        "**In plain words.** tradesim is a model of the world economy split into regions "
        "(the United States, Japan, the other TPP members, China, Korea, the EU and the rest "
        "of the world) and sectors (farm and food, mining and energy, metals, machinery, "
        "motor vehicles, other manufacturing, services). Every region makes goods using "
        "labour and inputs bought from other sectors at home and abroad, and buys from the "
        "cheapest mix of suppliers, where *cheapest* includes tariffs. When a tariff changes, "
        "buyers shift between suppliers, prices and wages adjust everywhere until every "
        "market clears again, and the government collects a different amount of tariff "
        "revenue. The model reports how much each region's **real income** (what its "
        "income can buy) changes, along with prices, wages, trade flows and tariff revenue.")
    st.markdown(
        "The model is the one of Caliendo & Parro (2015), which is widely used to study "
        "tariff changes such as NAFTA. It is calibrated to observed data for one year (the "
        "*baseline*) and answers *what if* questions by solving for the changes relative "
        "to that year (\"exact hat algebra\"): a hat over a variable means *new value divided "
        "by baseline value*. A dated policy timeline turns the scenario files (agreements, "
        "tariff measures, safeguards, retaliation) into tariffs for each month or year, and "
        "trade responds to them gradually.")
    st.info("Reading the numbers: a welfare change of +0.10 % means the region's real income "
            "is 0.10 % higher than in the reference scenario, the same period. In tradesim's "
            "scenarios, changes of a few tariff points on a few sectors typically move a "
            "large economy's real income by hundredths of a percent.")


def _equations() -> None:
    st.header("The model's equations")
    st.markdown(
        "Notation: *n* importer, *i* exporter, *j*, *k* sectors. Baseline data: trade flows "
        "$X_{inj}$ at producer prices, tariffs $t_{inj}$, value-added shares $\\gamma_{nj}$, "
        "input–output shares $\\gamma_{nkj}$ (share of input *k* in sector *j*'s costs), "
        "final-demand shares $\\alpha_{nj}$, trade elasticities $\\theta_j$ and trade "
        "deficits $D_n$. Expenditure shares $\\pi_{inj}$ are gross of tariffs. A shock is a "
        "new tariff array $t'$ and (optionally) changes in other trade costs $\\hat d$.")
    st.subheader("1. Unit costs")
    st.caption("A sector's cost moves with the wage and with the prices of its inputs.")
    st.latex(r"\hat c_{nj} = \hat w_n^{\,\gamma_{nj}} \prod_k \hat P_{nk}^{\,\gamma_{nkj}}")
    st.subheader("2. Prices and trade shares")
    st.caption("Buyers pick suppliers by delivered cost including tariffs; θ measures how "
               "strongly they switch. b is the timeline's gradual-adjustment shifter (1 in a "
               "static solve).")
    st.latex(r"\hat\kappa_{inj} = \frac{1 + t'_{inj}}{1 + t_{inj}}\,\hat d_{inj}, \qquad "
             r"\hat P_{nj} = \Big(\sum_i \pi_{inj}\, b_{inj}\,(\hat\kappa_{inj}\,"
             r"\hat c_{ij})^{-\theta_j}\Big)^{-1/\theta_j}")
    st.latex(r"\pi'_{inj} = \pi_{inj}\, b_{inj} \left(\frac{\hat\kappa_{inj}\,\hat c_{ij}}"
             r"{\hat P_{nj}}\right)^{-\theta_j}")
    st.subheader("3. Expenditure, with input–output links and tariff revenue")
    st.caption("Spending on a sector = what other sectors buy as inputs + what households and "
               "governments buy out of income; income = wages + tariff revenue + deficit.")
    st.latex(r"X'_{nj} = \sum_k \gamma_{njk}\, Y'_{nk} + \alpha_{nj}\, I'_n, \qquad "
             r"Y'_{nk} = \sum_m \frac{\pi'_{nmk}\, X'_{mk}}{1 + t'_{nmk}}")
    st.latex(r"I'_n = \hat w_n\, VA_n + \sum_{i,j} \frac{t'_{inj}}{1 + t'_{inj}}\,"
             r"\pi'_{inj}\, X'_{nj} + D'_n")
    st.subheader("4. Market clearing and numeraire")
    st.caption("Each region's imports minus exports equal its deficit (equivalently, labour "
               "markets clear); world value added is the unit of account.")
    st.latex(r"\sum_{i,j} \frac{\pi'_{inj}\, X'_{nj}}{1 + t'_{inj}} - \sum_j Y'_{nj} = D'_n,"
             r"\qquad \sum_n \hat w_n\, VA_n = \sum_n VA_n")
    st.subheader("5. Deficit closures")
    st.table(pd.DataFrame({
        "closure": ["fixed (default)", "zero", "ratio"],
        "what stays fixed": [
            "each deficit D in units of world value added (Caliendo–Parro's default)",
            "no deficits: the baseline is first solved with D = 0 (CP's zero-aggregate-"
            "deficit run)",
            "each deficit as a share of the region's value added, recentred to sum to zero "
            "(the \"full endowment\" general equilibrium of Yotov et al. 2016)"],
    }).set_index("closure"))
    st.subheader("6. Welfare: exact change, and the Caliendo–Parro decomposition")
    st.markdown("**Welfare** in tradesim is the exact change in real income:")
    st.latex(r"\hat W_n = \frac{\hat I_n}{\prod_j \hat P_{nj}^{\,\alpha_{nj}}}")
    st.markdown(
        "Beside it the app reports Caliendo & Parro's first-order decomposition into "
        "*terms of trade* (export prices against import prices) and *volume of trade* "
        "(tariff-weighted changes in trade), computed with discrete changes and baseline "
        "weights as in their replication code:")
    st.latex(r"\mathrm{ToT}_n = \frac{1}{I_n}\sum_j\sum_{m\ne n}\big[M_{nmj}(\hat c_{nj}-1)"
             r" - M_{mnj}(\hat c_{mj}-1)\big], \qquad "
             r"\mathrm{VoT}_n = \frac{1}{I_n}\sum_{i,j} t_{inj}\, M_{inj}\Big("
             r"\frac{M'_{inj}}{M_{inj}} - \hat c_{ij}\Big)")
    st.warning(
        "The decomposition is an approximation and can be far from the exact change for large "
        "shocks. For NAFTA it gives Mexico +1.31 % (the published number, which tradesim "
        "reproduces) while the exact change in Mexico's real income in the same equilibrium "
        "is about +0.01 %: most of the trade-volume gain is offset by the tariff revenue "
        "Mexico gives up. See the Validation page.")
    st.markdown(
        "Every counterfactual is measured against the model's own solved baseline (same "
        "closure, baseline tariffs). Special case checked on the Validation page: with one "
        "sector, no input–output links and no tariffs the welfare change equals "
        "$\\hat\\pi_{nn}^{-1/\\theta}$ (Arkolakis, Costinot & Rodríguez-Clare 2012).")
    with st.expander("How the equations are solved"):
        st.markdown(
            "`sim.model.solve` iterates on wages, unit costs and expenditure with Anderson "
            "acceleration; it stops when the trade-balance residual relative to value added, "
            "the change in log unit costs and the relative change in expenditure are all "
            "below 1e-10. Many shocks (or draws of θ) are solved at once as a batch. "
            "Details: `docs/model.md`.")


def _timeline(default_speed: float) -> None:
    st.header("Time: the policy timeline and gradual adjustment")
    st.markdown(
        "A scenario is a calendar of dated events (agreements entering into force for each "
        "member with their tariff-cut schedules, unilateral tariff measures, safeguards that "
        "fire when import volumes pass a trigger, retaliation rules). A SimPy simulation runs "
        "them day by day; at each reporting date (monthly by default) the tariffs of the "
        "period are averaged by days and the economy is solved.")
    st.markdown(
        "Trade does not respond to a tariff overnight: Boehm, Levchenko & Pandalai-Nayar "
        "(2023) estimate a trade elasticity of about 0.76 after one year and about 2 in the "
        "long run. tradesim lets buyers see the **policy part** of delivered costs with a "
        "lag (\"sourcing inertia\"): perceived cost changes move a share λ of the way to the "
        "actual ones each year,")
    st.latex(r"\tilde\kappa(t) = \tilde\kappa(t-1)^{\,1-\lambda_p}\;\hat\kappa(t)^{\,\lambda_p},"
             r"\qquad \lambda_p = 1 - (1-\lambda)^{\text{days}/365.25},\qquad "
             r"b = \left(\tilde\kappa / \hat\kappa\right)^{-\theta}")
    st.markdown(
        f"and choose suppliers on perceived costs, while market clearing, budgets and tariff "
        f"revenue use actual shares and statutory tariffs. Default **λ = {default_speed} per "
        f"year**, so the first year's share response is about {default_speed} θ; λ = 1 gives "
        f"the static equilibrium at every date (tested), and with policy held constant the "
        f"path converges to it (tested).")
    st.caption(
        "Deviation from the design, on purpose: the design lagged the whole delivered cost "
        "κ̂·ĉ, including unit costs. With one solve per period that fed wages back into the "
        "shifter and the path oscillated with growing amplitude on the test economy; lagging "
        "only the policy part is stable, keeps both tested properties, and is what the Boehm "
        "et al. elasticities measure (responses to tariff changes). See `docs/timeline.md`.")


def _parameters(metadata: dict[str, dict[str, Any]], default_speed: float) -> None:
    st.header("Parameters and their sources")
    names = list(metadata) or ["icio2022"]
    choice = st.radio("Baseline", names, horizontal=True, key="method_theta_baseline",
                      help="θ is the same in both shipped baselines; the table is read from "
                           "the baseline's sectors.csv.")
    st.subheader("Trade elasticities θ by sector")
    st.markdown(
        "θ says how strongly buyers switch suppliers when delivered costs change (higher = "
        "more switching). Source: the sectoral values in Caliendo & Parro's (2015) "
        "replication inputs (`T.txt`), averaged over the CP sectors that make up each of our "
        "sectors with 1993 world trade as weights; services take CP's value for "
        "non-tradables, 8.22.")
    try:
        st.dataframe(theta_table(choice), hide_index=True, width="stretch",
                     column_config={"θ (default)": st.column_config.NumberColumn(format="%.2f")})
    except OSError:
        st.error(f"sectors.csv of baseline {choice} not found")
    st.caption(
        "Motor vehicles get 8.22 because the replication inputs hold 8.22 for Auto and "
        "OtherTransport (the published estimates for those sectors are not used there). "
        "Mining & energy comes out at 21.4 because Petroleum (64.85) dominates it, so trade "
        "in that sector reacts strongly to small cost changes. The θ = 4 "
        "(Simonovska & Waugh 2014, about 4) and θ = 5 (Head & Mayer 2014, about 5) variants are "
        "for sensitivity (`load_baseline(..., theta=\"uniform4\")`).")
    _theta_uncertainty()
    _channel_parameters()
    st.subheader("Other parameters")
    st.table(pd.DataFrame([
        {"parameter": "λ, adjustment speed (per year)", "default": f"{default_speed}",
         "source": "Boehm, Levchenko & Pandalai-Nayar (2023): short-run elasticity ≈ 0.76 "
                   "after a year, long run ≈ 2; scenario setting `adjustment_speed`"},
        {"parameter": "deficit closure", "default": "fixed",
         "source": "Caliendo & Parro (2015) default; `zero` and `ratio` (Yotov et al. 2016) "
                   "as alternatives"},
        {"parameter": "value-added, input–output and final-demand shares", "default": "data",
         "source": "the baseline's tables (OECD ICIO 2022 or WIOD 2014), as Caliendo & Parro "
                   "derive them; negative final-demand cells set to zero"},
        {"parameter": "solver tolerance", "default": "1e-10",
         "source": "numerical setting (`sim.model.solve`)"},
    ]).set_index("parameter"))


def _channel_parameters() -> None:
    from sim.app.channel_split import channel_parameters

    st.subheader("Agreement channels: goods non-tariff and services")
    st.markdown(
        "Besides tariffs, an agreement can cut non-tariff trade costs on goods and the costs "
        "of trading services (docs/channels.md). Goods: a structural-gravity estimate β "
        "turned into a trade-cost cut `ln d = −max(β/θ_j − c, 0)` by sector, net of the "
        "tariff part c it also contains, phased in by the estimate's lags, halved-by-default "
        "for pairs that already had an agreement; services: a cut in the services sector. "
        "Every parameter below is drawn from its standard error or range in `tradesim mc`. "
        "Sources marked (unverified) are assumptions or not read in the source.")
    st.dataframe(channel_parameters(), hide_index=True, width="stretch")


def theta_se_table() -> pd.DataFrame:
    """The Monte Carlo θ table (``sim/batch/data/theta_cp2015.csv``): θ, s.e. and sources."""
    from sim.batch.theta import theta_table_rows

    return pd.DataFrame([{
        "CP sector": r["cp_sector"], "our sector": r["sector"], "θ": float(r["theta"]),
        "s.e.": float(r["se"]) if r["se"] else None, "s.e. source": r["se_source"],
    } for r in theta_table_rows()])


def _theta_uncertainty() -> None:
    from sim.batch.theta import NO_SE_RULE, median_relative_se

    st.subheader("Uncertainty of θ (Monte Carlo draws)")
    st.markdown(
        "`tradesim mc` draws θ around these values (log-normal, median = the point value, "
        "independent across sectors; docs/batch.md). The standard errors are **reproduced "
        "from the authors' code and data** (Caliendo & Parro's estimation re-run on their 1993 "
        "inputs, robust errors), **not checked against the printed table**. "
        f"{NO_SE_RULE} That median is {median_relative_se():.3f}.")
    st.dataframe(theta_se_table(), hide_index=True, width="stretch",
                 column_config={"θ": st.column_config.NumberColumn(format="%.2f"),
                                "s.e.": st.column_config.NumberColumn(format="%.2f")})


def _unverified() -> None:
    from sim.app.provenance import unverified_rows

    st.header("Values not verified")
    st.markdown(
        "Every number tradesim ships has a source (a test fails otherwise). These are the "
        "ones whose source is an estimate, an assumption or not checked against the original; "
        "scenario facts marked unverified are in the scenario table below (filter "
        "'unverified only').")
    rows = pd.DataFrame(unverified_rows(), columns=["file", "what", "status", "source"])
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(f"{len(rows)} rows. Baseline tariff rows are counted per importer.")


def _data(metadata: dict[str, dict[str, Any]]) -> None:
    st.header("Data and licences")
    st.markdown(
        "The app ships small aggregated tables derived from public data (never the source "
        "files); they are offered under CC BY 4.0 with the attribution below. Read from each "
        "baseline's `metadata.json`.")
    if not metadata:
        st.error("No baseline metadata found in the package.")
    tabs = st.tabs([f"{n} ({m.get('year', '')})" for n, m in metadata.items()]) if metadata \
        else []
    for tab, (name, meta) in zip(tabs, metadata.items(), strict=True):
        with tab:
            st.markdown(f"**{name}** — {meta.get('description', '')}")
            st.markdown("**Sources**")
            st.markdown("\n".join(f"- {s}" for s in meta.get("sources", [])))
            st.markdown(f"**Licence and attribution.** {meta.get('licence', '')}")
            st.markdown("**Limits of this baseline**")
            st.markdown("\n".join(f"- {s}" for s in meta.get("limits", [])))
    st.subheader("Other data the app uses")
    st.table(pd.DataFrame([
        {"data": "Caliendo & Parro (2015) replication data",
         "used for": "θ (via the baselines) and the NAFTA validation",
         "licence / where": "authors' replication package; not shipped, read from "
                            "../shared/data/caliendo_parro_2015 when present"},
        {"data": "USITC gegravity sample (30 countries, 2006)",
         "used for": "one-sector validation", "licence / where":
             "MIT (USITC gegravity); not shipped, read from ../shared/data when present"},
        {"data": "World map shapes", "used for": "the map",
         "licence / where": "Natural Earth 1:110m (public domain) via the npm package "
                            "world-atlas 2.0.2 (ISC, M. Bostock), vendored in "
                            "sim/app/assets/"},
    ]).set_index("data"))


def _scenarios() -> None:
    st.header("Scenario facts and their sources")
    st.markdown(
        "Every dated fact in a scenario file carries its source. *Verified = no* marks facts "
        "that come from secondary sources, that the project's fact sheet flags as unverified, "
        "or that are modelling assumptions (for example the counterfactual entry into force "
        "of TPP-12). Read live from the scenario library (`scenarios/`).")
    library = library_scenarios()
    if not library:
        st.warning("The scenario library (scenarios/) is not present in this installation.")
        return
    summary = []
    for name, scn in library.items():
        if isinstance(scn, Exception):
            summary.append({"scenario": name, "title": f"cannot be read: {scn}",
                            "facts": 0, "unverified": 0})
            continue
        facts = scenario_facts(scn.spec)
        summary.append({"scenario": name, "title": scn.spec.title, "facts": len(facts),
                        "unverified": int((~facts["verified"]).sum())})
    st.dataframe(pd.DataFrame(summary), hide_index=True, width="stretch")
    usable = [n for n, s in library.items() if not isinstance(s, Exception)]
    pick = st.selectbox("Scenario", usable,
                        index=usable.index("historical") if "historical" in usable else 0,
                        key="method_scenario")
    scn = library[pick]
    if scn.spec.description:
        st.caption(scn.spec.description.replace("\n", " "))
    if scn.spec.extends:
        st.caption(f"Extends `{scn.spec.extends}`: the table shows the merged scenario.")
    only = st.checkbox("Only unverified facts", key="method_unverified")
    facts = scenario_facts(scn.spec)
    if only:
        facts = facts[~facts["verified"]]
    st.dataframe(facts, hide_index=True, width="stretch", height=420,
                 column_config={"verified": st.column_config.CheckboxColumn("verified"),
                                "kind": st.column_config.TextColumn(width="small"),
                                "what": st.column_config.TextColumn(width="large"),
                                "dates": st.column_config.TextColumn(width="medium"),
                                "source": st.column_config.TextColumn(width="large")})


def _limits() -> None:
    st.header("Known limits")
    st.markdown("""
- **Magnitudes are smaller than in the published TPP studies.** Our TPP-12 gain for the US
  is about +0.01 % of real income (2030) against +0.23 % (USITC 2016) to +0.5 % (Petri &
  Plummer 2016). Our scenarios differ from history only in tariffs, most Japan–US tariff
  cuts happened anyway through CPTPP-level rates in the 2019 US–Japan agreement, and the
  published studies add non-tariff barriers, services, investment and productivity effects
  and compare with a world without any of these agreements. See the Validation page.
- **Welfare is real income, not GDP.** Studies that report GDP (NRI, World Bank) are not
  directly comparable.
- **Tariffs only.** Non-tariff measures, rules of origin, services liberalisation, the 2025
  deal's $550B investment pledge and purchase commitments, China's 2025 tariff rounds and
  Canadian/Mexican 2025 measures are not modelled.
- **θ for mining & energy is 21.4** (dominated by Petroleum in CP's inputs) and motor
  vehicles use CP's non-tradable value 8.22; results for those sectors depend on it. Try the
  θ = 4 / θ = 5 variants.
- **Calibrated, not observed, final-goods trade** in `icio2022`: the OECD compact release has
  no final demand by destination, so final-goods flows are fitted to BACI 2023 pair totals,
  rescaled uniformly to 2022 (× 1.05).
- **Re-exports**: BACI counts re-exports as the re-exporter's exports; Singapore's and
  Malaysia's exports are capped at 90 % of final sales and scaled down (× 0.36, × 0.50),
  not reattributed to the original producers.
- **Preference depth is an assumption**: tariffs under trade agreements other than the US
  ones are MFN rates times an assumed residual share by agreement class and sector
  (`preference_depth.csv`); the MFN rows of importers other than the US, Japan, China and
  the EU are estimates: those of AUS, BRN, CAN, CHL, PER and KOR are scaled to published
  all-products averages, VNM's and MEX's manufactures to published manufactures averages
  (`tradesim data inspect icio2022`), Singapore's are 0 from its customs schedule, NZL's and
  MYS's are unscaled (no comparable figure found).
- **Services** trade covers intermediate services only; final services exports (tourism)
  count as domestic sales; no tariffs on services.
- **Gradual adjustment** lags only the policy part of delivered costs (a deliberate
  deviation from the design's rule, see above); λ is one number for all sectors.
- **`wiod2014`** is a robustness baseline: 2014, before CPTPP and USJTA; seven TPP members
  sit in its ROW; its tariffs are indicative.
""")


def _references() -> None:
    st.header("References")
    lines = []
    for text, link in REFERENCES.values():
        lines.append(f"- {text}" + (f" — [{link}]({link})" if link else ""))
    st.markdown("\n".join(lines))
    st.caption("Published results the model is compared with, and their links, are on the "
               "Validation page. Full documentation: `docs/model.md`, `docs/data.md`, "
               "`docs/timeline.md`, `docs/scenarios.md`, `docs/validation.md`.")


def _default_speed() -> float:
    try:
        from sim.scenario.models import Settings
        return float(Settings().adjustment_speed)
    except Exception:  # pragma: no cover - the model layer always has it
        return 0.3


def render() -> None:
    """Draw the Method & sources page (no ``st.set_page_config``)."""
    metadata = baseline_metadata()
    speed = _default_speed()
    _intro()
    _equations()
    _timeline(speed)
    _parameters(metadata, speed)
    _data(metadata)
    _unverified()
    _scenarios()
    _limits()
    _references()


if __name__ == "__main__":  # ``streamlit run sim/app/pages/method.py``
    render()
