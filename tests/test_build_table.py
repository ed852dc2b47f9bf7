"""The Build page's control table (sim/app/build_toggles.toml) against the library and the page.

Every name the table gives (scenarios, agreements, events, product lines, sectors) exists; a
renamed event fails with a message naming the control and the entry; every control is a
BuildChoices field and is drawn by the page with its declared key, label and range; and each
control, moved on the page, changes the built file where the table says it acts.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import fields
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from sim.app import build_actions
from sim.app.build_actions import ACTIONS, library_entry, table_problems
from sim.app.build_table import control, controls
from sim.app.builder import BuildChoices, base_choices, channel_agreements, choices_from
from sim.app.builder import scenario_dict as build_file
from sim.app.pages.build import TABS

SCRIPT = "from sim.app.pages.build import render\nrender()"
K = "bld_historical_"


def test_every_name_in_the_table_is_in_the_library():
    assert table_problems() == []


def test_a_renamed_event_fails_naming_the_control(monkeypatch):
    """Renaming the 2025 deal's floor in historical.toml (here: in a copy of its data) is
    reported against the deal control and the missing event."""
    real = build_actions.resolved

    def renamed(name: str) -> dict:
        raw = copy.deepcopy(real(name))
        for e in raw.get("events", []):
            if e.get("name") == "us_japan_deal_floor":
                e["name"] = "deal_floor_renamed"
        return raw

    monkeypatch.setattr(build_actions, "resolved", renamed)
    problems = table_problems()
    assert any("'deal_2025'" in p and "'us_japan_deal_floor'" in p
               and "'historical'" in p for p in problems), problems


def test_a_switch_lists_all_its_scenarios_differ_in(monkeypatch):
    """The deal switch must list every event no_deal_2025 changes: one more changed event
    there is reported."""
    real = build_actions.resolved

    def more(name: str) -> dict:
        raw = copy.deepcopy(real(name))
        if name == "no_deal_2025":
            e = next(x for x in raw["events"] if x["name"] == "section_122_2026")
            e["rate"] = 0.2
        return raw

    monkeypatch.setattr(build_actions, "resolved", more)
    assert any("'deal_2025'" in p and "'section_122_2026'" in p for p in table_problems())


def test_every_control_is_a_choice_and_every_choice_a_control():
    keys = [c.key for c in controls()]
    raw = build_actions.resolved("historical")
    read = {k for c in controls() if c.action for k in ACTIONS[c.action].read(c, raw)}
    assert sorted(keys) == sorted(f.name for f in fields(BuildChoices) if f.name != "base")
    for c in controls():
        assert c.tab in TABS, (c.key, c.tab)
        assert c.action in ACTIONS or (not c.action and c.part_of), c.key
        assert c.source.strip(), c.key
        # a library base reads its own values; the others start at the declared default
        if c.key not in read:
            assert getattr(base_choices("historical"), c.key) == c.default, c.key
        assert getattr(BuildChoices(), c.key) == c.default, c.key
        if c.widget in ("slider", "date_slider"):
            lo, hi, v, _ = c.slider_args(c.default)
            assert lo <= v <= hi, c.key


def test_bad_table_rows_are_refused_with_the_control_named():
    from sim.app.build_table import _row

    with pytest.raises(ValueError, match=r"control\[0\] \(x\): field 'source' is missing"):
        _row(0, {"key": "x", "widget": "toggle", "widget_key": "x", "tab": "Agreements",
                 "label": "x", "default": False, "action": "switch"})
    with pytest.raises(ValueError, match="widget = 'knob'"):
        _row(0, {"key": "x", "widget": "knob", "widget_key": "x", "tab": "Agreements",
                 "label": "x", "default": False, "action": "switch", "source": "s"})


# ----------------------------------------------------------------------------- the page
def _widgets(at: AppTest) -> dict:
    return {w.key: w for kind in ("toggle", "slider", "selectbox", "multiselect", "radio")
            for w in getattr(at, kind) if w.key}


def _file(at: AppTest) -> dict:
    return tomllib.loads(next(c.value for c in at.code if "extends" in c.value))


def _touched(before: dict, after: dict) -> set[tuple[str, str]]:
    """Entries (and top-level fields) in which two built files differ."""
    out = set()
    for kind in ("agreements", "events"):
        a = {e["name"]: e for e in before.get(kind, [])}
        b = {e["name"]: e for e in after.get(kind, [])}
        out |= {(kind, n) for n in {*a, *b} if a.get(n) != b.get(n)}
    out |= {("top", k) for k in {*before, *after} - {"agreements", "events", "description",
                                                     "title"}
            if before.get(k) != after.get(k)}
    return out


def _declared_places(key: str, c: BuildChoices) -> set[tuple[str, str]]:
    """Where the table says control ``key`` (or the control it is part of) acts."""
    ctl = control(key)
    ctl = control(ctl.part_of) if ctl.part_of else ctl
    p = ctl.params
    if ctl.action == "switch":
        return {("agreements", n) for n in ctl.agreements} | {("events", n) for n in ctl.events}
    if ctl.action == "pact":
        return {("agreements", p["with_us"]), ("agreements", p["without_us"]),
                ("events", p["withdrawal"])}
    if ctl.action == "restage":
        return {("agreements", n) for n in ctl.agreements}
    if ctl.action == "measures":
        return {("events", m["name"]) for m in p["measures"]}
    if ctl.action == "rule":
        return {("events", p["new_name"])}
    if ctl.action in ("partner_tariffs", "partner_rules"):
        return {("events", p["name"].format(region=r.lower())) for r in ("CHN", "EU")}
    if ctl.action == "remove":
        return {("events", "section_122_2026")}
    if ctl.action == "channels":
        return {("agreements", n) for n in channel_agreements(c)}
    if ctl.action == "horizon":
        return {("top", "end")}
    return set()  # run_setting: not in the file


#: widget values that enable a part (its enabled_if / disabled_if), and each control's move
ENABLE = {"retaliation": "mirror", "partner_tariffs": ["CHN"]}
MOVE = {"pact_members": ["AUS", "CAN"], "partner_retaliation": ["EU"],
        "removed": ["section_122_2026"], "partner_tariffs": ["CHN"],
        "channels_off": False}


def _key(c) -> str:
    if c.widget == "channel_switches":
        return c.widget_name(K, agreement="CPTPP", switch="goods")
    return c.widget_name(K, us_in_tpp=False)


def _set(at: AppTest, key: str, value) -> None:
    _widgets(at)[key].set_value(value)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _moved(c, w):
    if c.key in MOVE:
        return MOVE[c.key]
    if c.widget == "toggle":
        return not w.value
    if c.widget in ("slider", "date_slider"):
        return c.max if w.value != c.to_widget(c.max) else c.min
    if c.widget in ("select", "radio"):
        return next(o for o in c.options if o != w.value)
    raise AssertionError(f"no move for {c.key}")


@pytest.mark.slow
def test_every_control_is_drawn_and_changes_the_file_where_declared():
    """On the historical base, each control in turn is drawn with its key and label; moved
    (its parent enabled first), the built file changes only in the entries its row names
    (λ, a run setting, leaves the file as it is)."""
    at = AppTest.from_string(SCRIPT, default_timeout=300).run()
    assert not at.exception, at.exception
    for c in controls():
        if c.enabled_if or c.disabled_if:
            (pk, pv), = (c.enabled_if or c.disabled_if).items()
            pctl = control(pk)
            on = ENABLE.get(pk, pv if c.enabled_if else None)
            _set(at, _key(pctl), pctl.to_widget(on) if c.enabled_if else on)
        w = _widgets(at).get(_key(c))
        assert w is not None, f"control {c.key!r}: no widget {_key(c)!r} on the page"
        if c.widget not in ("channel_switches",):
            assert w.label == c.label.format(pact="CPTPP"), (c.key, w.label)
        before = _file(at)
        start = w.value
        _set(at, _key(c), _moved(c, w))
        if c.widget == "partner_rates":  # the partner's own rate slider
            rate = K + c.params["rate_key"].format(region="CHN")
            assert rate in _widgets(at)
            before = _file(at)
            _set(at, rate, 30.0)
        after = _file(at)
        got = _touched(before, after)
        want = _declared_places(c.key, base_choices("historical"))
        if c.key == "us_in_tpp":  # the 2019 agreement's default follows it (tpp12's world)
            want |= _declared_places("usjta", base_choices("historical"))
        if c.action == "run_setting":
            assert got == set(), (c.key, got)
        else:
            assert got and got <= want, (c.key, got, want)
        _set(at, _key(c), start)
        for k in (c.enabled_if or c.disabled_if):
            pctl = control(k)
            _set(at, _key(pctl), pctl.to_widget(getattr(base_choices("historical"), k)))
        assert _touched(_file(at), build_file(base_choices("historical"), "my_historical")) \
            <= {("top", "name")}, c.key


def test_each_action_writes_its_declared_entries():
    """Without the page: each action, moved alone from the historical base, touches exactly
    the entries its row names."""
    base = build_file(base_choices("historical"), "x")
    cases = {
        "usjta": {"usjta": False},
        "beef_safeguard": {"beef_safeguard": False},
        "deal_2025": {"deal_2025": False},
        "us_in_tpp": {"us_in_tpp": True, "usjta": True},
        "beef_custom": {"beef_custom": True, "beef_final": 0.05},
        "us_tariffs": {"us_tariffs": True},
        "retaliation": {"retaliation": "proportional"},
        "partner_tariffs": {"partner_tariffs": (("CHN", 0.2), ("EU", 0.1))},
        "partner_retaliation": {"partner_retaliation": ("CHN", "EU")},
        "removed": {"removed": ("section_122_2026",)},
        "channels_off": {"channels_off": ("CPTPP:services",)},
        "end_year": {"end_year": 2030},
        "adjustment_speed": {"adjustment_speed": 0.6},
    }
    assert set(cases) == {c.key for c in controls() if c.action}
    for key, kw in cases.items():
        c = choices_from("historical", **kw)
        got = _touched(base, build_file(c, "x"))
        want = _declared_places(key, c)
        if key == "adjustment_speed":
            assert got == set()
        else:
            assert got and got <= want, (key, got, want)


def test_switches_take_the_library_entries():
    """A switch writes the entries as its on/off scenario has them: the deal off is
    no_deal_2025's events, the safeguard back on is historical's."""
    d = build_file(choices_from("historical", deal_2025=False), "x")
    ev = {e["name"]: e for e in d["events"]}
    assert ev["reciprocal_japan_24"] == library_entry("no_deal_2025", "events",
                                                      "reciprocal_japan_24")
    assert ev["us_japan_deal_floor"]["kind"] == "remove"
    d = build_file(choices_from("usjta_never", beef_safeguard=True), "x")
    ev = {e["name"]: e for e in d["events"]}
    assert ev["jp_beef_safeguard_usjta"] == library_entry("historical", "events",
                                                          "jp_beef_safeguard_usjta")


def test_measures_and_rules_follow_their_declared_templates():
    c = choices_from("historical", us_tariffs=True, us_tariffs_from=date(2027, 1, 1),
                     us_rate_autos=0.25, retaliation="mirror", retaliation_lag=30,
                     partner_retaliation=("EU",))
    ev = {e["name"]: e for e in build_file(c, "x")["events"]}
    autos = ev["app_us_japan_autos"]
    assert (autos["rate"], autos["effective"], autos["sectors"]) == (
        0.25, date(2027, 1, 1), ["motor_vehicles"])
    jp = library_entry("escalation", "events", "japan_retaliates")
    rule = ev["app_japan_retaliates"]
    assert (rule["mode"], rule["lag_days"], rule["sectors"], rule["active_from"]) == (
        "mirror", 30, jp["sectors"], jp["active_from"])
    eu = library_entry("retaliation_2025", "events", "eu_retaliates")
    assert {k: ev["app_eu_retaliates"][k] for k in ("mode", "cap", "lag_days", "sectors")} == \
        {k: eu[k] for k in ("mode", "cap", "lag_days", "sectors")}
