"""Build: sliders and toggles over a library scenario; save, download or upload a TOML file."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from sim.app import charts, tables, welfare
from sim.app.build_state import widget_state
from sim.app.build_table import Control, control
from sim.app.build_widgets import draw, widget_key
from sim.app.builder import (
    BuildChoices,
    base_choices,
    changes,
    channel_agreements,
    from_query,
    library_names,
    removable,
    rule_actor,
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
    add_user_scenario,
    baseline,
    csv_bytes,
    parquet_bytes,
    run_pair,
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
#: the page's tabs, in order (each control's row names its tab)
TABS = ("Agreements", "Agreement channels", "US tariffs on Japan", "Other partners",
        "Retaliation", "Remove from base", "Adjustment & horizon")


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
    """The choice widgets, defaulting to base ``b`` (keys carry the base's name). Labels, help,
    ranges and keys come from the control table (``sim/app/build_toggles.toml``)."""
    k = f"bld_{b.base}_"
    v: dict = {}
    tabs = dict(zip(TABS, st.tabs(list(TABS)), strict=True))
    with tabs["Agreements"]:
        us_in = v["us_in_tpp"] = draw(control("us_in_tpp"), k, b.us_in_tpp)
        v["tpp_eif"] = draw(control("tpp_eif"), k, b.tpp_eif, v)
        pool = [r for r in GROUPS["TPP12"] if r != "USA"] if us_in else list(GROUPS["CPTPP"])
        fmt = {"us_in_tpp": us_in, "pact": "TPP-12" if us_in else "CPTPP"}
        v["pact_members"] = draw(control("pact_members"), k,
                                 [r for r in b.pact_members if r in pool] or pool,
                                 options=pool, fmt=fmt)
        # one definition of "US in TPP-12": the tpp12 library scenario, where TPP replaces the
        # 2019 US-Japan agreement (its default here follows the TPP toggle)
        v["usjta"] = draw(control("usjta"), k, usjta_default(b, us_in), fmt=fmt)
        v["beef_safeguard"] = draw(control("beef_safeguard"), k, b.beef_safeguard)
        beef = control("beef_custom")  # a custom path needs an agreement that cuts the rate
        cuts = any(v[x] for x in beef.params["if_on"])
        v["beef_custom"] = draw(beef, k, b.beef_custom, disabled=not cuts) and cuts
        for key in ("beef_final", "beef_years"):
            v[key] = draw(control(key), k, getattr(b, key), v)
    with tabs["US tariffs on Japan"]:
        v["deal_2025"] = draw(control("deal_2025"), k, b.deal_2025)
        v["us_tariffs"] = draw(control("us_tariffs"), k, b.us_tariffs)
        for key in ("us_tariffs_from", "us_rate_goods", "us_rate_autos", "us_rate_metals"):
            v[key] = draw(control(key), k, getattr(b, key), v)
    with tabs["Retaliation"]:
        ret = v["retaliation"] = draw(control("retaliation"), k, b.retaliation)
        for key in ("retaliation_factor", "retaliation_cap", "retaliation_lag"):
            v[key] = draw(control(key), k, getattr(b, key), v)
    with tabs["Other partners"]:
        v["partner_tariffs"] = _partner_rates(control("partner_tariffs"), k)
        v["partner_tariffs_from"] = draw(control("partner_tariffs_from"), k,
                                         b.partner_tariffs_from, v)
        pret = draw(control("partner_retaliation"), k, b.partner_retaliation,
                    options=PARTNERS, format_func=region_label)
        v["partner_retaliation"] = tuple(r for r in pret
                                         if not (r == rule_actor() and ret != "none"))
    with tabs["Remove from base"]:
        v["removed"] = draw(control("removed"), k, b.removed, options=removable(b.base))
    with tabs["Agreement channels"]:
        v.update(_channel_controls(b, k, dataclasses.replace(b, us_in_tpp=us_in,
                                                            removed=v["removed"])))
    with tabs["Adjustment & horizon"]:
        for key in ("adjustment_speed", "end_year"):
            v[key] = draw(control(key), k, getattr(b, key))
    return BuildChoices(base=b.base, **v)


def _partner_rates(ctl: Control, k: str) -> tuple[tuple[str, float], ...]:
    """The partners picked and one rate slider for each."""
    p = ctl.params
    pts = st.multiselect(ctl.label, [r for r in PARTNERS if r != "JPN"],
                         key=widget_key(ctl, k), format_func=region_label, help=ctl.help)
    return tuple((r, st.slider(p["rate_label"].format(region=region_label(r)), ctl.min,
                               ctl.max, ctl.to_widget(p["rate_default"]), ctl.step,
                               key=k + p["rate_key"].format(region=r)) / ctl.scale)
                 for r in pts)


def _channel_controls(b: BuildChoices, k: str, now: BuildChoices) -> dict:
    """Per-agreement channel switches and the channel sliders (docs/channels.md)."""
    st.caption("Besides tariffs, each agreement cuts non-tariff costs on goods between members "
               "(a structural-gravity estimate, net of its tariff part) and services trade "
               "costs (an assumption). Switch them per agreement; the sliders apply to every "
               "agreement.")
    ctl = control("channels_off")
    off: list[str] = []
    for name in channel_agreements(now):
        c1, c2, c3 = st.columns([1.2, 1, 1])
        c1.markdown(f"**{name}**")
        for col, sw in zip((c2, c3), ctl.params["switches"], strict=True):
            if not col.toggle(sw["label"], f"{name}:{sw['channel']}" not in b.channels_off,
                              key=widget_key(ctl, k, agreement=name, switch=sw["switch"])):
                off.append(f"{name}:{sw['channel']}")
    v: dict = {"channels_off": tuple(off)}
    v["goods_mode"] = draw(control("goods_mode"), k, b.goods_mode)
    for key in ("goods_se", "goods_cut"):
        v[key] = draw(control(key), k, getattr(b, key), v)
    for key in ("services_cut", "services_scope", "spillover"):
        v[key] = draw(control(key), k, getattr(b, key))
    return v


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
            mine, ref = run_pair(spec_json(scn), spec_json(base), settings)
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
