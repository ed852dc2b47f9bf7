"""Validation page: NAFTA reproduced live beside the published figures, analytic checks,
and our scenario results beside published studies."""

from __future__ import annotations

import pytest
from conftest import require_shared
from streamlit.testing.v1 import AppTest

from sim.app.pages import validation
from sim.validation import CP2015_PUBLISHED

SCRIPT = "from sim.app.pages.validation import render\nrender()"


def _table(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}")


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_page_renders_its_three_sections(page):
    """NAFTA, the analytic check and the published-studies comparison are all there."""
    headers = " | ".join(h.value for h in page.header)
    assert "NAFTA" in headers and "exact formula" in headers and "published studies" in headers


def test_nafta_live_matches_published(page):
    """With the replication data present, every reproduced figure shown is within tolerance."""
    require_shared("caliendo_parro_2015")
    table = _table(page, "reproduced (%)")
    graded = table[table["result"] != "info"]
    assert len(graded) == sum(len(v[0]) for v in CP2015_PUBLISHED.values())
    assert (graded["difference (points)"].abs() <= graded["tolerance (points)"]).all()
    assert (graded["result"] == "pass").all()
    exact = table[table["result"] == "info"].set_index(["run", "region"])["reproduced (%)"]
    assert abs(exact[("no deficits", "Mexico")]) < 0.05


def test_without_data_the_page_says_where_to_put_them(monkeypatch):
    """No replication data: a clear message, the published numbers, the analytic check."""
    monkeypatch.setattr(validation, "find_data_dir", lambda: None)
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "not present" in warning and "tradesim validate --data" in warning
    published = _table(at, "published (%)")
    assert "reproduced (%)" not in published.columns and len(published) == 18
    acr = _table(at, "largest gap")
    assert (acr["result"] == "pass").all()
    info = " ".join(i.value for i in at.info)
    assert "reproduced by tradesim 0.1 on " in info and "rerun with the data to check" in info
    shipped = _table(at, "reproduced")
    assert shipped["case"].str.startswith("CP2015 NAFTA").any() and len(shipped) >= 19


def test_studies_sit_beside_our_numbers(page):
    """Every published study has our number, its concept and (where known) its link."""
    table = _table(page, "ours: welfare (%)")
    rows = validation.studies()
    assert len(table) == len(rows)
    assert list(table["published (%)"]) == [s["value"] for s in rows]
    assert table["ours: welfare (%)"].notna().all()
    placed = table[table["year from"] == "our placement"]
    assert set(placed["study"]) >= {"Government of Japan (2017)", "NRI (2025)"}
    usa_tpp = table[(table["region"] == "USA") & table["study"].str.startswith("Petri")]
    assert 0 < usa_tpp["ours: welfare (%)"].iloc[0] < 0.5     # same sign, much smaller
    assert table["link"].str.startswith("http").sum() >= 4
    wb = table[table["study"] == "World Bank (2016)"]
    assert (wb["link"] == "https://doi.org/10.1596/978-1-4648-0675-9").all()
    nri = table[table["study"] == "NRI (2025)"]
    assert nri["link"].iloc[0].startswith("https://www.nri.com/")


def test_tpp12_by_channel_beside_the_world_bank_split(page):
    """TPP-12 against no_tpp_ever and against history, by channel, with the World Bank shares
    and the statement that nothing was tuned to match."""
    table = validation.channel_comparison()
    ours = table[table["region"].isin(["USA", "JPN"])]
    assert set(ours["comparison"]) == {"TPP-12 vs historical", "TPP-12 vs no_tpp_ever"}
    parts = ours[["tariffs", "goods_nontariff", "services"]].sum(axis=1)
    assert (parts - ours["total"]).abs().max() < 1e-12
    wb = table[table["region"] == "members"].iloc[0]
    assert (wb["tariffs share (%)"], wb["goods_nontariff share (%)"]) == (15.0, 53.0)
    subs = " | ".join(h.value for h in page.subheader)
    assert "by channel" in subs
    assert any("No parameter of tradesim was chosen to match" in m.value
               for m in page.markdown)
