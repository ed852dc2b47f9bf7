"""Build page: controls change the numbers, files round-trip through the loader and the CLI,
broken uploads show clear errors (no traceback)."""

from __future__ import annotations

import tomllib
from datetime import date

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from sim.app.builder import (
    BuildChoices,
    base_choices,
    choices_from,
    library_names,
    scenario_dict,
    to_toml,
    validate_toml,
)
from sim.app.runs import RunSettings, run_tables, spec_json
from sim.policy.groups import GROUPS
from sim.scenario.loader import ScenarioError

SCRIPT = "from sim.app.pages.build import render\nrender()"
ANNUAL = RunSettings(reporting="annual")


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def _welfare_card(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label.startswith("US welfare"))


def _welfare(path, region="USA"):
    s = path[(path.metric == "welfare_pct") & (path.region == region)]
    return s.sort_values("date")["value"].to_numpy()


def test_page_renders_with_no_changes(page):
    """On the historical base with no changes the cards read zero against the base."""
    assert page.title[0].value == "Build a scenario"
    assert _welfare_card(page) == "0.000 %"
    assert not page.error


def test_adjustment_speed_applies_to_both_sides(page):
    """λ is a run setting: with no policy change, a slower adjustment moves neither card (the
    base runs with the same λ; it showed +0.364 pp US welfare before), and the caption says
    which λ both sides used."""
    page.slider(key="bld_historical_lambda").set_value(0.6).run()
    assert not page.exception
    assert _welfare_card(page) == "0.000 %"
    rev = next(m.value for m in page.metric if m.label.startswith("US tariff revenue"))
    assert rev == "$0.00 bn/yr"
    assert any("λ 0.6/yr" in c.value for c in page.caption)
    page.slider(key="bld_historical_lambda").set_value(0.3).run()


def test_us_tariff_toggle_and_rate(page):
    """A higher all-in US tariff on Japanese goods lowers US–Japan trade on the card."""
    page.toggle(key="bld_historical_ust").set_value(True).run()
    r1 = next(m.value for m in page.metric if m.label.startswith("US–Japan trade"))
    page.slider(key="bld_historical_ust_goods").set_value(30.0).run()
    assert not page.exception
    r2 = next(m.value for m in page.metric if m.label.startswith("US–Japan trade"))
    assert float(r2.split()[0]) < float(r1.split()[0])


def test_broken_upload_shows_a_clear_error(page):
    """A broken TOML gets the loader's messages in st.error, naming the file, and no traceback."""
    bad = b'name = "bad"\nstart = 2015-01-01\nend = 2040-01-01\n[[events]]\nkind = "measure"\n' \
          b'name = "x"\nactor = "USA"\nrate = 25\nstacking = "add"\neffective = 2025-01-01\n' \
          b'source = "test"\n'
    page.file_uploader(key="bld_upload").set_value(("bad.toml", bad, "application/toml")).run()
    assert not page.exception
    msg = " ".join(e.value for e in page.error)
    assert "bad.toml" in msg and "events[0].rate" in msg and "25" in msg
    assert "Traceback" not in msg


def test_invalid_toml_syntax_upload(page):
    """Malformed TOML is reported as such, with the file name."""
    page.file_uploader(key="bld_upload").set_value(("x.toml", b"name = ", "text/plain")).run()
    assert not page.exception
    assert any("x.toml" in e.value and "not valid TOML" in e.value for e in page.error)


def test_good_upload_joins_the_compare_list(page):
    """A valid upload is kept for the session."""
    text = to_toml(scenario_dict(choices_from("historical", end_year=2030), "up_ok"))
    page.file_uploader(key="bld_upload").set_value(("up_ok.toml", text.encode(),
                                                    "application/toml")).run()
    assert not page.exception
    assert any("up_ok" in s.value for s in page.success)


@pytest.mark.parametrize("base", library_names())
def test_unchanged_choices_give_the_base(base):
    """For every library scenario, its own choices give a file with no overrides."""
    d = scenario_dict(base_choices(base), "unchanged")
    assert "agreements" not in d and "events" not in d and "settings" not in d
    assert d["extends"] == base
    validate_toml(to_toml(d), "unchanged.toml")


def test_us_in_tpp_from_historical_is_tpp12():
    """Historical + US in TPP-12 (2018-12-30) − USJTA gives TPP-12's welfare path."""
    c = choices_from("historical", us_in_tpp=True, usjta=False,
                     pact_members=tuple(r for r in GROUPS["TPP12"] if r != "USA"))
    scn = validate_toml(to_toml(scenario_dict(c, "built_tpp")), "built_tpp.toml")
    built = run_tables(spec_json(scn), ANNUAL)["path"]
    ref = run_tables(spec_json("tpp12"), ANNUAL)["path"]
    for r in ("USA", "JPN"):
        np.testing.assert_allclose(_welfare(built, r), _welfare(ref, r), atol=1e-10)


def test_many_changes_validate_and_round_trip():
    """Every control at once gives a valid file; the TOML parses back to the same dict."""
    c = BuildChoices(base="historical", us_in_tpp=True, tpp_eif=date(2027, 1, 1),
                     pact_members=("AUS", "CAN", "JPN", "MEX"), usjta=False, deal_2025=False,
                     us_tariffs=True, us_rate_goods=0.2, beef_custom=True, beef_final=0.05,
                     beef_years=10, beef_safeguard=False, retaliation="mirror",
                     adjustment_speed=0.5, end_year=2035)
    d = scenario_dict(c, "everything")
    text = to_toml(d, "header line")
    assert tomllib.loads(text) == d
    scn = validate_toml(text, "everything.toml")
    assert scn.spec.end == date(2036, 1, 1)  # results through 2035
    # λ is a run setting applied to both sides, not written into the built file
    assert scn.spec.settings.adjustment_speed == 0.3
    names = {e.name for e in scn.spec.events}
    assert {"app_us_japan_goods", "app_japan_retaliates"} <= names
    assert "us_japan_deal_floor" not in names


def test_bad_name_is_refused():
    """Library names and odd characters are refused with a clear message."""
    with pytest.raises(ValueError, match="library scenario"):
        scenario_dict(base_choices("historical"), "tpp12")
    with pytest.raises(ValueError, match="letters, digits"):
        scenario_dict(base_choices("historical"), "my file")


def test_validate_reports_the_upload_name():
    """Errors name the uploaded file, not a temporary path."""
    with pytest.raises(ScenarioError) as e:
        validate_toml('name = "x"\nstart = 2015-01-01\nend = 2010-01-01\n', "mine.toml")
    assert all(line.startswith("mine.toml") for line in e.value.errors)
    assert "tmp" not in str(e.value)


def test_cli_runs_the_built_file(tmp_path):
    """`tradesim run` accepts the downloaded file (it extends the library scenario)."""
    from sim.cli import app

    c = choices_from("historical", us_tariffs=True, us_rate_goods=0.25, end_year=2027)
    f = tmp_path / "built.toml"
    f.write_text(to_toml(scenario_dict(c, "built")))
    res = CliRunner().invoke(app, ["run", str(f), "--reference", "historical", "--out",
                                   str(tmp_path / "out"), "--reporting", "annual"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "built.parquet").is_file()
    assert (tmp_path / "out" / "built_vs_historical.parquet").is_file()


def test_run_command_carries_the_elasticity_settings():
    """The command shown for a built scenario repeats the θ set and scale as CLI options."""
    from sim.app.runs import RunSettings

    cmd = RunSettings(theta="uniform4", theta_scale=1.5, reporting="annual").cli("x.toml")
    assert "--theta uniform4 --theta-scale 1.5" in cmd
    assert "--theta" not in RunSettings().cli("x.toml")


def test_upload_named_like_a_library_scenario_is_refused(page):
    """An upload whose name is a library scenario's does not replace it (it did, silently,
    including the default reference)."""
    from sim.app.state import USER_KEY

    text = to_toml({"name": "historical", "extends": "historical",
                    "calibrated_to": "historical", "end": date(2030, 1, 1)})
    page.file_uploader(key="bld_upload").set_value(("historical.toml", text.encode(),
                                                    "application/toml")).run()
    assert not page.exception
    assert any("library scenario" in e.value for e in page.error)
    assert "historical" not in page.session_state[USER_KEY]


def test_user_scenario_cannot_shadow_the_library():
    from sim.app import state

    store: dict = {}
    orig = state.user_scenarios
    state.user_scenarios = lambda: store  # no Streamlit session needed
    try:
        with pytest.raises(ValueError, match="library scenario"):
            state.add_user_scenario("tpp12", "", "{}")
    finally:
        state.user_scenarios = orig
    assert store == {}


def test_horizon_end_year_is_the_last_year_of_results():
    """"Horizon: last year of results 2026" gives results in 2026 (it stopped in 2025)."""
    c = choices_from("historical", end_year=2026)
    scn = validate_toml(to_toml(scenario_dict(c, "to_2026")), "to_2026.toml")
    path = run_tables(spec_json(scn), ANNUAL, detail="summary")["path"]
    assert path["date"].dt.year.max() == 2026
    assert base_choices("historical").end_year == 2039  # historical ends 2040-01-01


def test_zero_difference_has_no_coloured_arrow():
    """With no change, the cards' cumulative deltas read "$0.00 bn" with no arrow and grey
    (they showed a green "↑ +$0.00")."""
    from streamlit.proto.Metric_pb2 import Metric

    page = AppTest.from_string(SCRIPT, default_timeout=120).run()
    zero = [m for m in page.metric if m.proto.delta.startswith("$0.00 bn")]
    assert len(zero) >= 3, [m.proto.delta for m in page.metric]
    for m in zero:
        assert m.proto.direction == Metric.MetricDirection.NONE
        assert m.proto.color == Metric.MetricColor.GRAY


def test_us_in_tpp_toggle_reads_the_same_as_compare_tpp12():
    """Build's "US in TPP-12" over historical is the tpp12 library scenario (TPP replaces the
    2019 agreement) on the same reporting grid as Compare, so its US–Japan trade card equals
    Compare's tpp12 against historical (it read +5.327 % against Compare's +5.175 %)."""
    from sim.app import tables

    at = AppTest.from_string(SCRIPT, default_timeout=180).run()
    at.toggle(key="bld_historical_tpp").set_value(True).run()
    assert not at.exception
    assert not at.toggle(key="bld_historical_usjta_True").value
    card = next(m.value for m in at.metric if m.label.startswith("US–Japan trade"))
    year = next(s.value for s in at.slider if s.key == "bld_year")
    s = RunSettings()
    paths = {n: run_tables(spec_json(n), s)["path"] for n in ("tpp12", "historical")}
    head = tables.headline_table(paths, "historical", year)
    want = float(head[(head.scenario == "tpp12") & (head.key == "trade_usjp")]["difference"]
                 .iloc[0])
    assert abs(float(card.split()[0]) - want) < 5e-4, (card, want)


def test_partner_tariffs_retaliation_and_removal_reach_the_file():
    """Tariffs on any partner, their retaliation and a removed base measure are in the file
    and move the numbers."""
    at = AppTest.from_string(SCRIPT, default_timeout=180).run()
    k = "bld_historical_"
    at.multiselect(key=k + "pt_regions").set_value(["CHN", "EU"]).run()
    at.slider(key=k + "pt_EU").set_value(25.0).run()
    at.multiselect(key=k + "pt_ret").set_value(["EU"]).run()
    at.multiselect(key=k + "removed").set_value(["section_122_2026"]).run()
    assert not at.exception and not at.error
    toml = next(c.value for c in at.code if "extends" in c.value)
    d = tomllib.loads(toml)
    ev = {e["name"]: e for e in d["events"]}
    assert ev["app_us_tariff_eu"]["rate"] == 0.25 and ev["app_us_tariff_eu"]["exporters"] == ["EU"]
    assert ev["app_us_tariff_chn"]["rate"] == 0.1
    assert ev["app_eu_retaliates"]["actor"] == "EU" and ev["app_eu_retaliates"]["kind"] == \
        "retaliation"
    assert ev["section_122_2026"]["kind"] == "remove"
    assert _welfare_card(at) != "0.000 %"


def test_shared_link_opens_the_scenario_and_the_address_follows_the_controls():
    from sim.app.builder import to_query

    q = to_query(choices_from("historical", us_tariffs=True, us_rate_goods=0.3,
                              removed=("reciprocal_baseline_10",)), "shared", "A shared one")
    at = AppTest.from_string(SCRIPT, default_timeout=180)
    at.query_params.update(q)
    at.run()
    assert not at.exception
    assert at.text_input(key="bld_title").value == "A shared one"
    assert at.text_input(key="bld_name").value == "shared"
    assert at.slider(key="bld_historical_ust_goods").value == 30.0
    assert at.multiselect(key="bld_historical_removed").value == ["reciprocal_baseline_10"]
    at.slider(key="bld_historical_ust_goods").set_value(20.0).run()
    assert at.query_params["us_rate_goods"] in ("0.2", ["0.2"])


def test_saved_scenario_reopens_for_editing():
    at = AppTest.from_string(SCRIPT, default_timeout=180).run()
    at.text_input(key="bld_name").set_value("mine_a").run()
    at.text_input(key="bld_title").set_value("Mine A").run()
    at.toggle(key="bld_historical_deal").set_value(False).run()
    at.button(key="bld_save").click().run()
    assert "mine_a" in at.session_state["tradesim_user_scenarios"]
    at.toggle(key="bld_historical_deal").set_value(True).run()
    at.text_input(key="bld_name").set_value("other").run()
    at.selectbox(key="bld_reopen_pick").set_value("mine_a").run()
    at.button(key="bld_reopen").click().run()
    assert not at.exception
    assert at.toggle(key="bld_historical_deal").value is False
    assert at.text_input(key="bld_name").value == "mine_a"
    assert at.text_input(key="bld_title").value == "Mine A"


def test_agreement_channels_switch_per_agreement_and_move_the_cards(page):
    """Switching CPTPP's goods non-tariff channel off moves the US welfare card (trade
    diversion; the US is not a member); back on, the card is as before;
    the services slider and the s.e. slider write their values into the file."""
    from sim.app.builder import choices_from, scenario_dict

    before = _welfare_card(page)
    page.toggle(key="bld_historical_ch_CPTPP_goods").set_value(False).run()
    assert not page.exception
    assert _welfare_card(page) != before
    page.toggle(key="bld_historical_ch_CPTPP_goods").set_value(True).run()
    assert _welfare_card(page) == before
    d = scenario_dict(choices_from("historical", channels_off=("CPTPP:goods_nontariff",),
                                   goods_se=1.0, services_cut=0.04, services_scope="members"),
                      "my_channels")
    ag = {a["name"]: a for a in d["agreements"]}
    assert ag["CPTPP"]["goods_nontariff"]["on"] is False
    assert ag["RCEP"]["goods_nontariff"]["beta"]["value"] == pytest.approx(0.993 + 0.094,
                                                                           abs=1e-3)
    assert ag["RCEP"]["services"]["cut"]["value"] == 0.04
    assert ag["RCEP"]["services"]["scope"] == "members"
