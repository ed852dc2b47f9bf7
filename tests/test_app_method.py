"""Method & sources page: renders, and its tables are read from the shipped files."""

from __future__ import annotations

import csv

import pytest
from streamlit.testing.v1 import AppTest

from sim.app.pages import method
from sim.scenario.loader import LIBRARY, load_scenario

SCRIPT = "from sim.app.pages.method import render\nrender()"


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_page_renders_every_section(page):
    """Equations, timeline, parameters, data, scenario facts, limits and references."""
    headers = [h.value for h in page.header]
    for key in ("equations", "Time", "Parameters", "Data and licences", "Scenario facts",
                "Known limits", "References"):
        assert any(key in h for h in headers), (key, headers)
    assert page.title[0].value == "Method & sources"
    assert len(page.latex) >= 8
    assert any("In plain words" in m.value for m in page.markdown)


def test_theta_table_is_the_baselines_sectors_csv():
    """θ shown on the page equals the baseline's sectors.csv, with CP member sectors."""
    table = method.theta_table("icio2022")
    path = method.resources.files("sim") / "baselines" / "icio2022" / "sectors.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(table["θ (default)"]) == [float(r["theta"]) for r in rows]
    assert "Petroleum" in table.loc[1, "Caliendo–Parro sectors averaged"]


def test_licences_come_from_metadata(page):
    """Each shipped baseline's licence text appears on the page."""
    text = " ".join(m.value for m in page.markdown)
    for meta in method.baseline_metadata().values():
        assert meta["licence"][:60] in text


def test_scenario_facts_have_sources():
    """Every fact of every library scenario carries a source; unverified ones are flagged."""
    for path in sorted(LIBRARY.glob("*.toml")):
        facts = method.scenario_facts(load_scenario(path).spec)
        assert (facts["source"].str.len() > 2).all(), path.name
    hist = method.scenario_facts(load_scenario("historical").spec)
    floor = hist[hist["name"] == "us_japan_deal_floor"].iloc[0]
    assert "15 %" in floor["what"] and "floor" in floor["what"]
    assert (~hist["verified"]).any() and hist["verified"].any()


def test_scenario_picker_and_unverified_filter(page):
    """Choosing a scenario and 'only unverified' shows only that scenario's unverified facts."""
    page.selectbox(key="method_scenario").select("tpp12").run()
    page.checkbox(key="method_unverified").check().run()
    assert not page.exception
    facts = page.dataframe[-1].value
    assert len(facts) > 0 and not facts["verified"].any()


def test_theta_standard_errors_and_their_rule_are_shown(page):
    """The Monte Carlo θ table with its reproduced s.e. and the rule for Auto and
    OtherTransport (no s.e.)."""
    from sim.batch.theta import NO_SE_RULE

    table = next(df.value for df in page.dataframe if "s.e. source" in df.value.columns)
    assert len(table) == 20
    row = table.set_index("CP sector")
    assert row.loc["Electrical", "s.e."] == pytest.approx(1.64)
    assert row.loc["Auto", "s.e."] != row.loc["Auto", "s.e."]        # none (NaN)
    assert "reproduced from the authors' code and data" in row.loc["Plastic", "s.e. source"]
    assert any(NO_SE_RULE in m.value for m in page.markdown)


def test_unverified_values_are_listed(page):
    """The rows marked unverified/estimated in the shipped files are on the page."""
    from sim.app.provenance import unverified_rows

    assert any("Values not verified" in h.value for h in page.header)
    table = next(df.value for df in page.dataframe if list(df.value.columns) == [
        "file", "what", "status", "source"])
    assert len(table) == len(unverified_rows()) > 0


def test_every_channel_parameter_has_source_estimate_and_band(page):
    from sim.app.channel_split import channel_parameters

    t = channel_parameters()
    assert {"CPTPP", "TPP", "RCEP", "EUJEPA", "CPTPP_US_accession"} <= set(t["agreement"])
    assert "USJTA_JPN" not in set(t["agreement"])              # tariffs only
    drawn = t[t["parameter"] != "phase-in (years: share)"]
    assert (drawn["source"].str.len() > 10).all() and (drawn["band (90 %)"] != "").all()
    assert any("Agreement channels" in h.value for h in page.subheader)
