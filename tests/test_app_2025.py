"""The 2025 question on Compare: no_2025_tariffs as reference, the parts of the welfare change,
the household figure and the published 2025 estimates beside ours (issue 13)."""

from __future__ import annotations

import math
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from sim.app import tables, welfare
from sim.app.runs import RunSettings, run_tables, spec_json
from sim.app.studies2025 import STUDIES_2025, load_studies, study_table
from sim.scenario.loader import load_scenario

SCRIPT = "from sim.app.pages.compare import render\nrender()"
SCHEMA = {"id": str, "study": str, "title": str, "publisher": str, "year_published": int,
          "version": str, "url": str, "scenario": str, "tradesim_scenario": str,
          "tradesim_reference": str, "region": str, "measure": str, "measure_is_ours": bool,
          "value": float, "unit": str, "year": int, "year_is_ours": bool, "note": str}


@pytest.fixture(scope="module")
def paths():
    s = RunSettings()
    return {n: run_tables(spec_json(n), s)["path"]
            for n in ("historical", "no_2025_tariffs", "retaliation_2025")}


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=240).run()
    at.selectbox(key="cmp_reference").set_value("no_2025_tariffs").run()
    at.multiselect(key="cmp_scenarios").set_value(["historical"]).run()
    assert not at.exception, at.exception
    return at


def test_no_2025_tariffs_removes_exactly_the_2025_measures():
    """The scenario keeps everything before 2025 and drops the 2025 US measures."""
    h = {e.name: e for e in load_scenario("historical").spec.events}
    n = {e.name: e for e in load_scenario("no_2025_tariffs").spec.events}
    gone = set(h) - set(n)
    assert "reciprocal_baseline_10" in gone and "us_japan_deal_floor" in gone
    assert "section_122_2026" in gone and "s232_autos_others" in gone
    for name in gone:
        start = getattr(h[name], "effective", None) or getattr(h[name], "active_from", None)
        assert start.year >= 2025, name
    # what the 2025-02-10 proclamation ended stays in force
    assert n["s232_aluminium_japan"].until is None
    assert n["us_japan_steel_trq"].active_until is None


def test_reference_picker_offers_no_2025_tariffs(page):
    assert "no_2025_tariffs" in page.selectbox(key="cmp_reference").options
    assert page.selectbox(key="cmp_reference").value == "no_2025_tariffs"


def test_cards_show_welfare_parts_household_and_studies(page, paths):
    labels = [m.label for m in page.metric]
    for part in ("terms of trade", "volume of trade", "tariff revenue"):
        assert f"welfare: {part}" in labels, part
    assert any(lab.startswith("US real income per household") for lab in labels)
    assert any("Why can the country that imposes a tariff gain" in m.value
               for m in page.markdown)
    studies = [d.value for d in page.dataframe if "measure (theirs)" in d.value.columns]
    assert studies and set(studies[0]["study"]) >= {"Budget Lab at Yale (2025-09)",
                                                   "Penn Wharton Budget Model (2025-04)"}
    # the total on the parts card equals the headline welfare card
    year = page.slider(key="cmp_year").value
    head = tables.headline_table(paths, "no_2025_tariffs", year)
    want = head[(head.scenario == "historical") & (head.key == "welfare_usa")]["difference"]
    total = next(m.value for m in page.metric if m.label == "welfare, total")
    assert abs(float(total.split()[0]) - float(want.iloc[0])) < 5e-4


def test_welfare_parts_are_consistent(paths):
    """Tariff revenue part recomputed by hand; US gains from terms of trade and revenue,
    Japan loses from terms of trade."""
    p = welfare.welfare_parts(paths, "historical", "no_2025_tariffs", "USA", 2026)
    v = p.set_index("part")["value"]
    assert v["terms of trade"] > 0 and v["tariff revenue"] > 0 and v["volume of trade"] < 0
    j = welfare.welfare_parts(paths, "historical", "no_2025_tariffs", "JPN", 2026)
    assert j.set_index("part")["value"]["terms of trade"] < 0

    def rev(path):
        d = path[(path.region == "USA") & (path.partner == "all") & (path.sector == "all")
                 & (path.date.dt.year == 2026)]
        g = {m: d[d.metric == m].set_index("date")["value"] for m in
             ("tariff_revenue_new", "tariff_revenue_base", "income_base", "price_index_pct")}
        s = 100 * (g["tariff_revenue_new"] / (1 + g["price_index_pct"] / 100)
                   - g["tariff_revenue_base"]) / g["income_base"]
        return float(s.mean())

    want = rev(paths["historical"]) - rev(paths["no_2025_tariffs"])
    assert math.isclose(v["tariff revenue"], want, rel_tol=1e-12)


def test_household_figure_uses_the_sourced_count(paths):
    hh = welfare.household_cost(paths, "historical", "no_2025_tariffs", 2026)
    d = paths["historical"]
    r = paths["no_2025_tariffs"]

    def usd(p):
        s = p[(p.metric == "welfare_usd") & (p.region == "USA") & (p.date.dt.year == 2026)]
        return float(s["value"].mean()) * 1e6

    assert math.isclose(hh["usd_per_household"], (usd(d) - usd(r)) / 131.434e6, rel_tol=1e-12)


def test_retaliation_variant_lowers_the_us_gain(paths):
    h = welfare.welfare_parts(paths, "historical", "no_2025_tariffs", "USA", 2027)
    r = welfare.welfare_parts(paths, "retaliation_2025", "no_2025_tariffs", "USA", 2027)
    assert r.set_index("part")["value"]["total"] < h.set_index("part")["value"]["total"]


def test_studies_2025_follow_the_schema(paths):
    with open(STUDIES_2025, "rb") as f:
        rows = tomllib.load(f)["study"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) == set(SCHEMA), r["id"]
        for k, t in SCHEMA.items():
            assert isinstance(r[k], t), (r["id"], k)
        assert r["url"] or "no URL" in r["note"] or r["note"], r["id"]
    t = study_table(load_studies(), paths)
    assert len(t) == len(rows) and t["ours"].notna().all()


def test_validation_page_shows_the_2025_studies():
    at = AppTest.from_string("from sim.app.pages.validation import render\nrender()",
                             default_timeout=600).run()
    assert not at.exception, at.exception
    assert any("2025 US tariffs" in h.value for h in at.header)
    t = [d.value for d in at.dataframe if "measure (theirs)" in d.value.columns]
    assert t and len(t[0]) == len(load_studies())


def test_effective_rates_budget_window_and_tariff_path(page, paths):
    """What Budget Lab / Penn Wharton users look for: the US average tariff before and after
    substitution, revenue over a ten-year window, the tariff on Japanese cars over time."""
    labels = [m.label for m in page.metric]
    assert any("before substitution" in lab for lab in labels)
    assert any("after substitution" in lab for lab in labels)
    assert any("2026–35" in lab for lab in labels)
    e = welfare.effective_tariff_rates(paths["historical"], 2026)
    e0 = welfare.effective_tariff_rates(paths["no_2025_tariffs"], 2026)
    assert e["before"] > e0["before"] + 2 and e["after"] > e0["after"]
    ten = welfare.budget_window_revenue(paths, "historical", "no_2025_tariffs")
    assert ten > 100  # USD bn over 2026-2035
    page.selectbox(key="cmp_metric").set_value("tariff_on_partner").run()
    assert not page.exception
    assert page.selectbox(key="cmp_tariff_sector").value == "motor_vehicles"
    assert any("tariff on goods from JPN, motor_vehicles" in m.value for m in page.markdown)


def test_real_gdp_beside_welfare(page, paths):
    """Real GDP (value added over consumer prices = the real wage here) is shown beside
    welfare; for the 2025 tariffs the US gains welfare (revenue, terms of trade) while its real
    GDP does not rise by as much: the gap is the tariff revenue handed back."""
    year = page.slider(key="cmp_year").value
    card = next(m for m in page.metric if m.label == f"US real GDP, {year}")
    gdp = welfare.real_gdp_change(paths, "historical", "no_2025_tariffs", "USA", year)
    assert abs(float(card.value.split()[0]) - gdp) < 5e-4

    def mean(path, metric):
        d = path[(path.region == "USA") & (path.partner == "all") & (path.sector == "all")
                 & (path.metric == metric) & (path.date.dt.year == 2026)]
        return float(d["value"].mean())

    a, b = (mean(paths[n], "real_wage_pct") for n in ("historical", "no_2025_tariffs"))
    want = 100 * ((1 + a / 100) / (1 + b / 100) - 1)   # relative to the reference (registry)
    gdp_2026 = welfare.real_gdp_change(paths, "historical", "no_2025_tariffs", "USA", 2026)
    assert gdp_2026 == pytest.approx(want, rel=1e-12)
    w = welfare.welfare_parts(paths, "historical", "no_2025_tariffs", "USA", 2026)
    v = w.set_index("part")["value"]
    assert v["total"] - gdp_2026 > 0.5 * v["tariff revenue"]
