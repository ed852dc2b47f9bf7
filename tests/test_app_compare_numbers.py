"""One number, one definition: a Compare card equals the row of the downloads of the same page.

no_deal_2025 against historical, 2030 (the case of issue 10, where the US consumer-prices card
read a difference in pp and the "differences" download a relative change): the card, the
page's headline table, the time path it draws (the "time path shown" download) and the
"differences vs historical" Parquet download carry the same number, for a ratio metric (US
consumer prices, US welfare) and a level (US tariff revenue).
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.app.pages.compare import _fmt, differences_download
from sim.app.runs import RunSettings, run_tables, spec_json

SCRIPT = "from sim.app.pages.compare import render\nrender()"
SCENARIO, REFERENCE, YEAR = "no_deal_2025", "historical", 2030
#: (card label, card key, metric, scale of the card against the download's unit)
CASES = [("US consumer prices", "cpi_usa", "price_index_pct", 1.0),
         ("US welfare", "welfare_usa", "welfare_pct", 1.0),
         ("US tariff revenue", "revenue_usa", "tariff_revenue_new", 1 / 1000)]


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=240).run()
    assert not at.exception, at.exception
    at.multiselect(key="cmp_scenarios").set_value([REFERENCE, SCENARIO]).run()
    at.selectbox(key="cmp_reference").set_value(REFERENCE).run()
    at.slider(key="cmp_year").set_value(YEAR).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def download() -> pd.DataFrame:
    """The table behind the page's "differences vs historical (Parquet)" button, from the
    runs the page made (same settings: the app's defaults)."""
    s = RunSettings()
    paths = {n: run_tables(spec_json(n), s)["path"] for n in (REFERENCE, SCENARIO)}
    return differences_download(paths, REFERENCE)


def _row(download: pd.DataFrame, metric: str) -> pd.Series:
    d = download[(download.scenario.astype(str) == SCENARIO) & (download.metric == metric)
                 & (download.region == "USA") & (download.partner == "all")
                 & (download.sector == "all") & (download.date.dt.year == YEAR)]
    assert len(d) == 1, d      # annual reporting: one period per year
    return d.iloc[0]


@pytest.mark.parametrize(("label", "key", "metric", "scale"), CASES)
def test_card_equals_the_download_row(page, download, label, key, metric, scale):
    row = _row(download, metric)
    head = next(d.value for d in page.dataframe if "difference_unit" in d.value.columns)
    h = head[(head.scenario == SCENARIO) & (head.indicator == label)].iloc[0]
    assert h["difference"] == pytest.approx(row["value"] * scale, rel=1e-12, abs=1e-15)
    card = next(m.value for m in page.metric if m.label == f"{label}, {YEAR}")
    unit = "USD bn/yr" if scale != 1.0 else row["unit"]
    assert card == _fmt(row["value"] * scale, unit, 3)
    if metric != "tariff_revenue_new":
        assert row["unit"] == h["difference_unit"] == "%"   # ratio metrics: relative change


@pytest.mark.parametrize(("label", "key", "metric", "scale"), CASES)
def test_time_path_against_the_reference_equals_the_download_row(page, download, label, key,
                                                                 metric, scale):
    page.selectbox(key="cmp_metric").set_value(metric).run()
    page.selectbox(key="cmp_region").set_value("USA").run()
    page.radio(key="cmp_mode").set_value("against the reference").run()
    assert not page.exception, page.exception
    shown = page.session_state["cmp_table_path"]   # the "time path shown" CSV download
    s = shown[(shown.scenario == SCENARIO) & (pd.to_datetime(shown.date).dt.year == YEAR)]
    row = _row(download, metric)
    assert float(s["value"].iloc[0]) == pytest.approx(row["value"] * scale, rel=1e-12)
    assert s["unit"].iloc[0] == ("USD bn/yr" if scale != 1.0 else row["unit"])


def test_bug_case_us_consumer_prices_is_a_relative_change(download):
    """The card's number is the relative change 100 ((1 + a/100) / (1 + b/100) − 1) of the
    price index, not the difference a − b in pp that the card showed before."""
    s = RunSettings()
    paths = {n: run_tables(spec_json(n), s)["path"] for n in (REFERENCE, SCENARIO)}

    def level(n):
        p = paths[n]
        return float(p[(p.metric == "price_index_pct") & (p.region == "USA")
                       & (p.date.dt.year == YEAR)]["value"].iloc[0])

    a, b = level(SCENARIO), level(REFERENCE)
    row = _row(download, "price_index_pct")
    assert row["value"] == pytest.approx(100 * ((1 + a / 100) / (1 + b / 100) - 1), rel=1e-12)
    assert abs(row["value"] - (a - b)) > 1e-5          # the two definitions differ here


def test_monte_carlo_band_is_the_same_kind_of_difference_as_the_line(page, tmp_path):
    """A Monte Carlo store without θ, policy or channel draws holds the central run in every
    draw: its 5–95 % band of US consumer prices against historical collapses onto the line the
    page draws (before: the band was a relative change around a line in pp)."""
    from sim.app.pages.compare import _mc_band
    from sim.batch import mc_plan, run_plan

    plan = mc_plan([SCENARIO], 2, 3, reference=REFERENCE, reporting="annual",
                   regions=["USA"], metrics=["price_index_pct"], theta=False, policy=False,
                   channels=False, chunk_size=2)
    run_plan(plan, tmp_path / "mc", executor_kind="serial")
    band = _mc_band(str(tmp_path / "mc"), [REFERENCE, SCENARIO], REFERENCE, "price_index_pct",
                    "USA", True)
    page.selectbox(key="cmp_metric").set_value("price_index_pct").run()
    page.selectbox(key="cmp_region").set_value("USA").run()
    page.radio(key="cmp_mode").set_value("against the reference").run()
    line = page.session_state["cmp_table_path"]
    line = line[line.scenario == SCENARIO].assign(year=lambda d: pd.to_datetime(d.date).dt.year)
    m = band.assign(year=band.date.dt.year).merge(line[["year", "value"]], on="year")
    assert len(m) == len(line) > 10
    assert (m["lo"] - m["value"]).abs().max() < 1e-7       # solver tolerance
    assert (m["hi"] - m["value"]).abs().max() < 1e-7
    assert m["value"].abs().max() > 1e-3                   # a real difference, not zeros
