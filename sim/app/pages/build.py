"""Build: sliders and toggles over a library scenario; save, download or upload a TOML file."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from sim.app import charts, tables, welfare
from sim.app.build_state import widget_state
from sim.app.builder import (
    BuildChoices,
    base_choices,
    changes,
    channel_agreements,
    from_query,
    library_names,
    removable,
    scenario_dict,
    to_query,
    to_toml,
    usjta_default,
    validate_toml,
)
from sim.app.glossary import region_label
from sim.app.pages.compare import KEEP, headline_cards
from sim.app.runs import RunSettings, spec_json
from sim.app.state import (
    _run,
    add_user_scenario,
    baseline,
    csv_bytes,
    parquet_bytes,
    run_settings,
    user_scenarios,
)
from sim.data.textfile import decode_text
from sim.policy.groups import GROUPS
from sim.scenario.loader import Scenario, ScenarioError

__all__ = ["render", "upload_box"]

#: partners the Build page offers (icio2022 regions besides the US)
PARTNERS = ["JPN", "CHN", "CAN", "MEX", "EU", "KOR", "AUS", "VNM", "MYS", "SGP", "NZL", "CHL",
            "PER", "BRN", "ROW"]
def _apply_state(values: dict) -> None:
    """Set widget values before the widgets are drawn (reopen, shared link)."""
    for key, v in values.items():
        st.session_state[key] = v


def _from_link() -> None:
    """Open the scenario a shared link describes (once per session)."""
    if st.session_state.get("bld_link_done"):
        return
    st.session_state["bld_link_done"] = True  # only the first run of a session reads the link
    q = dict(st.query_params)
    if not q.get("base"):
        return
    try:
        c, name, title = from_query(q)
    except ValueError as exc:
        st.error(f"The link's scenario cannot be opened: {exc}")
        return
    _apply_state(widget_state(c, name, title))


def _reopen_box() -> None:
    """Reopen a scenario saved this session, with every control where it was."""
    saved = {n: u for n, u in user_scenarios().items() if u.get("choices")}
    if not saved:
        return
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox("Reopen one of your saved scenarios for editing", list(saved),
                        key="bld_reopen_pick")
    if c2.button("Reopen", key="bld_reopen", icon=":material/edit:"):
        u = saved[pick]
        _apply_state(widget_state(u["choices"], pick, u.get("title", "")))
        st.rerun()


def _controls(b: BuildChoices) -> BuildChoices:
    """The choice widgets, defaulting to base ``b`` (keys carry the base's name)."""
    k = f"bld_{b.base}_"
    col1, col7, col2, col5, col4, col6, col3 = st.tabs(
        ["Agreements", "Agreement channels", "US tariffs on Japan", "Other partners",
         "Retaliation", "Remove from base", "Adjustment & horizon"])
    with col1:
        us_in = st.toggle("US in TPP-12", b.us_in_tpp, key=k + "tpp",
                          help="TPP-12 with the US (TPP schedules: US cars over 25 years, light "
                               "trucks over 30, unverified) in place of CPTPP.")
        eif = st.slider("US in TPP from", date(2018, 12, 30), date(2035, 1, 1), b.tpp_eif,
                        format="YYYY-MM-DD", key=k + "tpp_eif", disabled=not us_in,
                        help="The other members enter on 2018-12-30 (the CPTPP date); a later "
                             "US date gets that year's staged rates.")
        pool = [r for r in GROUPS["TPP12"] if r != "USA"] if us_in else list(GROUPS["CPTPP"])
        default = [r for r in b.pact_members if r in pool] or pool
        members = st.multiselect("Trans-Pacific members besides the US"
                                 if us_in else "CPTPP members", pool, default=default,
                                 key=k + f"members_{us_in}")
        # one definition of "US in TPP-12": the tpp12 library scenario, where TPP replaces the
        # 2019 US-Japan agreement (its default here follows the TPP toggle)
        usjta = st.toggle("2019 US–Japan Trade Agreement", usjta_default(b, us_in),
                          key=k + f"usjta_{us_in}",
                          help="Signed 2019-10-07, in force 2020-01-01 (USTR fact sheet). Off "
                               "by default with the US in TPP-12: TPP replaces it, as in the "
                               "tpp12 library scenario.")
        sg = st.toggle("Japan's US-beef safeguard", b.beef_safeguard, key=k + "sg",
                       help="38.5 % for 30 days when the trigger volumes are passed (fired March "
                            "2021); three-trigger rule from JFY2022.")
        beef = st.toggle("Custom path for Japan's tariff on US beef", False, key=k + "beef",
                         disabled=not (usjta or us_in),
                         help="Equal annual cuts from the 38.5 % MFN to a final rate (the "
                              "agreement path reaches 9 % in year 16, 2033).")
        bf = st.slider("beef: final rate (%)", 0.0, 38.5, 9.0, 0.5, key=k + "beef_final",
                       disabled=not beef)
        by = st.slider("beef: number of annual cuts", 1, 30, 16, key=k + "beef_years",
                       disabled=not beef)
    with col2:
        deal = st.toggle("2025 US–Japan deal (15 % all-in floor)", b.deal_2025, key=k + "deal",
                         help="Off: the 24 % reciprocal rate stays and Section 232 autos stay "
                              "at +25 % (as the no_deal_2025 scenario).")
        ust = st.toggle("Set US all-in tariffs on Japan from a date", False, key=k + "ust",
                        help="All-in rates (MFN included) that replace every earlier US "
                             "measure on these goods; later measures still stack.")
        frm = st.slider("from", date(2025, 1, 1), date(2035, 1, 1), date(2025, 9, 16),
                        format="YYYY-MM-DD", key=k + "ust_from", disabled=not ust)
        rg = st.slider("all goods except autos and metals (%)", 0.0, 60.0, 15.0, 0.5,
                       key=k + "ust_goods", disabled=not ust)
        ra = st.slider("autos and parts (%)", 0.0, 60.0, 15.0, 0.5, key=k + "ust_autos",
                       disabled=not ust)
        rm = st.slider("steel and aluminium (%)", 0.0, 60.0, 50.0, 0.5, key=k + "ust_metals",
                       disabled=not ust)
    with col4:
        modes = ["none", "mirror", "proportional"]
        ret = st.selectbox("Japan's retaliation rule", modes, modes.index(b.retaliation),
                           key=k + "ret",
                           help="mirror: the same increase in rate; proportional: the same "
                                "duty value on US food, machinery and other manufactures.")
        rf = st.slider("retaliation factor", 0.0, 2.0, b.retaliation_factor, 0.1,
                       key=k + "ret_factor", disabled=ret == "none")
        rc = st.slider("retaliation cap (%)", 0.0, 100.0, 100 * b.retaliation_cap, 1.0,
                       key=k + "ret_cap", disabled=ret == "none")
        rl = st.slider("retaliation lag (days)", 0, 365, b.retaliation_lag, 10,
                       key=k + "ret_lag", disabled=ret == "none")
    with col5:
        partners = [r for r in PARTNERS if r != "JPN"]
        pts = st.multiselect("US tariffs on other partners", partners, key=k + "pt_regions",
                             format_func=region_label,
                             help="An additional US tariff (added on top of what is in "
                                  "force) on all goods from each partner picked.")
        pfrom = st.slider("from", date(2025, 1, 1), date(2035, 1, 1), b.partner_tariffs_from,
                          format="YYYY-MM-DD", key=k + "pt_from", disabled=not pts)
        prates = tuple((r, st.slider(f"extra US tariff on {region_label(r)} (%)", 0.0, 100.0,
                                     10.0, 0.5, key=k + f"pt_{r}") / 100) for r in pts)
        pret = st.multiselect("Partners that retaliate against the US", PARTNERS,
                              key=k + "pt_ret", format_func=region_label,
                              help="Each answers the rise in the US tariff on its goods (since "
                                   "2025-01-01, after 90 days) with the same duty value on US "
                                   "food, machinery and other manufactures, capped at 25 % "
                                   "(hypothetical rule, as in retaliation_2025). Japan's rule "
                                   "is set in the Retaliation tab.")
    with col6:
        removed = st.multiselect(
            "Measures, rules and agreements of the base to take out", removable(b.base),
            key=k + "removed",
            help="Anything the base scenario holds can be removed (a measure that replaced "
                 "a removed one then replaces nothing). Other controls act first; a removal "
                 "wins.")
    with col7:
        off, goods = _channel_controls(b, k, dataclasses.replace(b, us_in_tpp=us_in,
                                                     removed=tuple(removed)))
    with col3:
        lam = st.slider("Adjustment speed λ (per year)", 0.05, 1.0, b.adjustment_speed, 0.05,
                        key=k + "lambda",
                        help="Share of the gap between perceived and actual delivered costs "
                             "closed per year; 1 = static equilibrium every period. Default "
                             "0.3 (Boehm, Levchenko & Pandalai-Nayar 2023). A run setting: "
                             "the base runs with the same value.")
        end = st.slider("Horizon: last year of results", 2026, 2040, b.end_year, key=k + "end",
                        help="The scenario runs through 31 December of this year.")
    return BuildChoices(base=b.base, us_in_tpp=us_in, tpp_eif=eif, pact_members=tuple(members),
                        usjta=usjta, deal_2025=deal, us_tariffs=ust, us_tariffs_from=frm,
                        us_rate_goods=rg / 100, us_rate_autos=ra / 100, us_rate_metals=rm / 100,
                        beef_custom=beef and (usjta or us_in), beef_final=bf / 100,
                        beef_years=by, beef_safeguard=sg, retaliation=ret,
                        retaliation_factor=rf, retaliation_cap=rc / 100, retaliation_lag=rl,
                        adjustment_speed=lam, end_year=end, partner_tariffs=prates,
                        partner_tariffs_from=pfrom,
                        partner_retaliation=tuple(r for r in pret
                                                  if not (r == "JPN" and ret != "none")),
                        removed=tuple(removed), channels_off=off, **goods)


def _channel_controls(b: BuildChoices, k: str, now: BuildChoices
                      ) -> tuple[tuple[str, ...], dict]:
    """Per-agreement channel switches and the channel sliders (docs/channels.md)."""
    st.caption("Besides tariffs, each agreement cuts non-tariff costs on goods between members "
               "(a structural-gravity estimate, net of its tariff part) and services trade "
               "costs (an assumption). Switch them per agreement; the sliders apply to every "
               "agreement.")
    off: list[str] = []
    for name in channel_agreements(now):
        c1, c2, c3 = st.columns([1.2, 1, 1])
        c1.markdown(f"**{name}**")
        if not c2.toggle("goods non-tariff", f"{name}:goods_nontariff" not in b.channels_off,
                         key=k + f"ch_{name}_goods"):
            off.append(f"{name}:goods_nontariff")
        if not c3.toggle("services", f"{name}:services" not in b.channels_off,
                         key=k + f"ch_{name}_services"):
            off.append(f"{name}:services")
    modes = ["estimate", "cut"]
    mode = st.radio("Goods non-tariff effect", modes, modes.index(b.goods_mode),
                    horizontal=True, key=k + "ch_goods_mode",
                    format_func=lambda m: {"estimate": "estimate ± standard errors",
                                           "cut": "trade-cost cut in %"}[m])
    se = st.slider("goods effect: standard errors from the estimate", -2.0, 2.0, b.goods_se,
                   0.5, key=k + "ch_goods_se", disabled=mode != "estimate",
                   help="β = 0.993 (s.e. 0.094) of agtpa_phase_in, phased in over 12 years.")
    cut = st.slider("goods trade-cost cut (%)", 0.0, 30.0, 100 * b.goods_cut, 0.5,
                    key=k + "ch_goods_cut", disabled=mode != "cut",
                    help="Net of tariffs, the same in every goods sector, full at entry.")
    sc = st.slider("services trade-cost cut (%)", 0.0, 10.0, 100 * b.services_cut, 0.5,
                   key=k + "ch_services_cut", help="An assumption: no sourced value exists.")
    scopes = ["all", "members"]
    scope = st.radio("services cut applies to imports from", scopes,
                     scopes.index(b.services_scope), horizontal=True, key=k + "ch_scope",
                     format_func=lambda x: {"all": "every partner (MFN)",
                                            "members": "members only"}[x])
    sp = st.slider("spillover: share of the goods cut non-members receive (%)", 0.0, 100.0,
                   100 * b.spillover, 5.0, key=k + "ch_spillover")
    return tuple(off), {"goods_mode": mode, "goods_se": se, "goods_cut": cut / 100,
                        "services_cut": sc / 100, "services_scope": scope,
                        "spillover": sp / 100}


def upload_box() -> None:
    """Upload a scenario TOML: validate it as ``tradesim check`` does, keep it if valid."""
    up = st.file_uploader("Upload a scenario file (TOML)", type=["toml"], key="bld_upload")
    if up is None:
        return
    data = up.getvalue()
    uploads = {n: u["toml"] for n, u in user_scenarios().items()}
    try:
        scn = validate_toml(data, up.name, uploads)
        text = decode_text(data, up.name)
    except ScenarioError as exc:
        st.error(f"{up.name} is not a valid scenario file:\n\n"
                 + "\n".join(f"- {e}" for e in exc.errors))
        return
    try:
        add_user_scenario(scn.name, text, spec_json(scn))
    except ValueError as exc:
        st.error(f"{up.name}: {exc}. The library scenario of that name is kept.")
        return
    st.success(f"{up.name}: scenario {scn.name!r} is valid ({len(scn.spec.agreements)} "
               f"agreements, {len(scn.spec.events)} events) and is now in the Compare list.")


def render() -> None:
    """Draw the Build page."""
    st.title("Build a scenario")
    st.caption("Start from a library scenario and change policies; the results on the right "
               "update after each change (annual reporting, as on Compare, so a library "
               "scenario reads the same on every page). Save the "
               "scenario to compare it, or download it as a TOML file that `tradesim run` "
               "accepts.")
    _from_link()
    left, right = st.columns([2, 3], gap="large")
    with left:
        _reopen_box()
        top = st.columns(2)
        base = top[0].selectbox("Base scenario", library_names(), key="bld_base")
        name = top[1].text_input("Name of your scenario", f"my_{base}", key="bld_name")
        title = st.text_input("Title", f"{base} with my changes", key="bld_title",
                              help="Shown on Compare and written into the file.")
        b = base_choices(base)
        choices = _controls(b)
        with st.expander("Run settings: baseline, elasticities, reporting"):
            settings = run_settings("bld", adjustment=False)
        # λ is a run setting: the built scenario and its base run with the same value
        settings = dataclasses.replace(settings, adjustment_speed=choices.adjustment_speed)
    what = changes(choices)
    try:
        data = scenario_dict(choices, name, title)
        header = (f"Built in the tradesim app over '{base}'.\nRun: "
                  f"{settings.cli(name + '.toml', base)}")
        text = to_toml(data, header)
        scn = validate_toml(text, f"{name}.toml")
    except (ValueError, ScenarioError) as exc:
        errs = exc.errors if isinstance(exc, ScenarioError) else [str(exc)]
        right.error("The scenario is not valid:\n\n" + "\n".join(f"- {e}" for e in errs))
        return
    # the browser's address always describes the scenario: copy it to share
    st.query_params.from_dict(to_query(choices, name, title))
    with right:
        _results(name, base, scn, text, what, settings, choices, title)
    with st.expander("Scenario file (TOML)"):
        st.code(text, language="toml")
    upload_box()
    mine_saved = list(user_scenarios())
    if mine_saved:
        st.caption("Your scenarios this session: " + ", ".join(mine_saved))


def _results(name: str, base: str, scn: Scenario, text: str, what: list[str],
             settings: RunSettings, choices: BuildChoices | None = None,
             title: str = "") -> None:
    """Cards, paths and buttons for the built scenario against its base."""
    st.markdown(f"**Changes against {base}**: " + "; ".join(what))
    with st.spinner("Solving…"):
        try:
            mine = _run(spec_json(scn), settings)
            ref = _run(spec_json(base), settings)
        except ScenarioError as exc:  # e.g. a region this baseline does not hold
            st.error("The scenario cannot run with these settings:\n\n"
                     + "\n".join(f"- {e}" for e in exc.errors))
            return
    paths = {name: mine["path"], base: ref["path"]}
    first = int(mine["path"]["date"].min().year)
    last = int(mine["path"]["date"].max().year)
    year = st.slider("Year for the headline numbers", first, last, min(2030, last),
                     key="bld_year")
    since = welfare.first_difference_year(paths, base) or first
    win = st.slider("Cumulative figures over the years", first, last,
                    (max(first, min(since, last)), last), key="bld_window",
                    help="Default: from the first year your scenario differs from the base.")
    head = tables.headline_table(paths, base, year, window=win)
    headline_cards(head, name, base, year, f"{win[0]}–{win[1]}", per_row=2)
    st.caption(f"{name} against {base}, {settings.label()}; solved in "
               f"{mine['seconds']:.2f} s (base {ref['seconds']:.2f} s, cached). Point "
               "estimates: no Monte Carlo results for a built scenario.")
    w = pd.concat([tables.series(paths, "welfare_pct", r, reference=base).assign(region=r)
                   for r in ("USA", "JPN")])
    w = w[w.scenario == name].assign(scenario=lambda d: d["region"])
    t1, t2 = st.tabs(["Welfare path", "US–Japan trade by sector"])
    t1.altair_chart(charts.time_path(w, y_title=f"welfare vs {base} (%)", height=260,
                                     color_title="region"),
                    width="stretch")
    bil = tables.bilateral_by_sector(paths, base, year)
    labels = baseline(settings.baseline).sector_labels
    bil["sector"] = bil["sector"].map(lambda x: labels.get(x, x))
    t2.altair_chart(charts.bilateral_chart(bil[bil.scenario == name], stacked=True, width=300))
    s1, s2, s3, s4 = st.columns([1.4, 1, 1, 1])
    s3.download_button("cards CSV", csv_bytes(head), file_name=f"{name}_headline.csv",
                       mime="text/csv", key="bld_dl_csv", on_click="ignore",
                       icon=":material/download:", help="The headline numbers as CSV.")
    path = mine["path"]
    s4.download_button("Parquet", lambda: parquet_bytes(path),
                       file_name=f"{name}.parquet", mime="application/octet-stream",
                       key="bld_dl_parquet", on_click="ignore", icon=":material/download:",
                       help="The full results of the built scenario (tidy table).")
    if s1.button("Save for Compare", type="primary", key="bld_save"):
        add_user_scenario(name, text, spec_json(scn), choices=choices, title=title)
        pick = st.session_state.setdefault(KEEP, {"scenarios": [base]})["scenarios"]
        others = [n for n in pick if n not in (base, name)]
        pick[:] = [base, *others[-2:], name]
        st.toast(f"{name} saved and added to the Compare page.")
    s2.download_button("TOML", text, file_name=f"{name}.toml", mime="application/toml",
                       key="bld_download", on_click="ignore", icon=":material/download:",
                       help=f"{name}.toml: the scenario file (tradesim run accepts it).")
    st.caption("Run settings are not part of the file. Command: `"
               + settings.cli(f"{name}.toml", base) + "`")
