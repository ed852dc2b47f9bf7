"""Compare page: opens on historical vs TPP-12, cards carry units, numbers follow the controls."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.app import tables
from sim.app.runs import RunSettings, run_tables, spec_json

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def paths() -> dict[str, pd.DataFrame]:
    s = RunSettings(reporting="annual")
    return {n: run_tables(spec_json(n), s)["path"] for n in ("historical", "tpp12")}


def _card(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_default_page_is_compare_with_historical_and_tpp12(app):
    """The app opens on Compare with historical (reference) against TPP-12 and six cards."""
    assert app.title[0].value == "Compare scenarios"
    assert app.multiselect(key="cmp_scenarios").value == ["historical", "tpp12"]
    assert app.selectbox(key="cmp_reference").value == "historical"
    labels = [m.label for m in app.metric]
    for h in tables.HEADLINES:
        assert f"{h[1]}, 2030" in labels
    assert not app.error


def test_cards_have_units(app):
    """Every headline card names its unit: pp, % or $ bn."""
    heads = {f"{h[1]}, 2030" for h in tables.HEADLINES}
    for m in [m for m in app.metric if m.label in heads]:
        assert any(u in m.value for u in ("pp", "%", " bn")), (m.label, m.value)
        assert any(u in (m.delta or "") for u in ("pp", "%", " bn")), (m.label, m.delta)


def test_every_tab_draws_a_chart_and_downloads_exist(app):
    """Time path, trade, sectors, map, ranked regions and events charts; CSV, Parquet and TOML downloads."""
    assert len(app.get("vega_lite_chart")) >= 6
    names = [b.proto.label for b in app.get("download_button")]
    assert "results.parquet" in names and "historical.toml" in names and "tpp12.toml" in names
    assert "differences vs historical (Parquet)" in names
    assert sum(1 for n in names if n not in ("results.parquet",) and not n.endswith(".toml")) >= 6


def test_year_slider_moves_the_headline(app):
    """Moving the year changes the US welfare card's label and value."""
    before = _card(app, "US welfare, 2030").value
    app.slider(key="cmp_year").set_value(2019).run()
    assert not app.exception
    after = _card(app, "US welfare, 2019").value
    assert after != before
    app.slider(key="cmp_year").set_value(2030).run()


def test_elasticity_band_and_annual_grid(app):
    """The θ sensitivity band runs the scenarios with θ = 4 and 5 and draws without error."""
    app.radio(key="cmp_reporting").set_value("annual").run()
    app.checkbox(key="cmp_band").set_value(True).run()
    assert not app.exception
    assert any("θ calibrated / 4 / 5" in c.value for c in app.caption)
    app.checkbox(key="cmp_band").set_value(False).run()


def test_headline_welfare_is_real_income_relative_to_the_reference(paths):
    """The welfare card is TPP-12's real income relative to historical's in 2030 (the metric
    registry's ratio rule): 100 ((1 + a/100) / (1 + b/100) − 1) of welfare_pct, in %."""
    head = tables.headline_table(paths, "historical", 2030).set_index(["scenario", "key"])
    for region, key in (("USA", "welfare_usa"), ("JPN", "welfare_jpn")):
        a = paths["tpp12"]
        b = paths["historical"]

        def w(p, r=region):
            s = p[(p.metric == "welfare_pct") & (p.region == r) & (p.date.dt.year == 2030)]
            return s["value"].mean()

        want = 100 * ((1 + w(a) / 100) / (1 + w(b) / 100) - 1)
        assert head.loc[("tpp12", key), "difference"] == pytest.approx(want, rel=1e-12)
        assert head.loc[("tpp12", key), "difference_unit"] == "%"
        assert head.loc[("historical", key), "difference"] == 0


def test_trade_tables_are_consistent(paths):
    """Trade by sector sums to the headline trade; the reference's own change is zero."""
    head = tables.headline_table(paths, "historical", 2030).set_index(["scenario", "key"])
    bil = tables.bilateral_by_sector(paths, "historical", 2030)
    t = bil[bil.scenario == "tpp12"]["value"].sum()
    assert head.loc[("tpp12", "trade_usjp"), "value"] == pytest.approx(t)
    assert (bil[bil.scenario == "historical"]["change_pct"].abs() < 1e-9).all()
    reg = tables.region_welfare(paths, "historical", 2030)
    assert set(reg["region"]) >= {"USA", "JPN", "CHN", "ROW"}


def test_monte_carlo_band_from_a_store(tmp_path, monkeypatch):
    """With a Monte Carlo store under results/, the time path can carry its 5–95 % band."""
    batch = pytest.importorskip("sim.batch")
    plan = batch.mc_plan(["tpp12"], draws=2, seed=3, reference="historical",
                         reporting="annual", regions=["USA", "JPN"], chunk_size=2)
    batch.run_plan(plan, tmp_path / "results" / "mc", executor_kind="serial")
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_string("from sim.app.pages.compare import render\nrender()",
                             default_timeout=180).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cmp_mc").options == ["none", "results/mc"]
    at.selectbox(key="cmp_mc").set_value("results/mc").run()
    assert not at.exception
    assert any("5th–95th percentile of the Monte Carlo draws" in c.value for c in at.caption)


def test_default_view_shows_the_channel_split_for_us_and_japan(app, paths):
    """Compare opens with the channel split of TPP-12 against history (stacked bars for the US
    and Japan, the time path by channel), and its parts are the sequential split of the runs."""
    from sim.app.channel_split import STEPS, split

    assert any("Which part of the agreements drives it" in m.value for m in app.markdown)
    s = RunSettings(reporting="annual")
    steps = {n: [run_tables(spec_json(n), s, channels=c, detail="summary")["path"]
                 for c in STEPS[:-1]] + [paths[n]] for n in paths}
    df = split(steps["tpp12"], steps["historical"])
    at = df[pd.to_datetime(df["date"]).dt.year == 2030].pivot_table(
        index="region", columns="channel", values="value", observed=True)
    assert set(at.index) == {"USA", "JPN"}
    assert (at["tariffs"] + at["goods_nontariff"] + at["services"] - at["total"]).abs().max() \
        < 1e-12
    assert at.loc["USA", "goods_nontariff"] > at.loc["USA", "tariffs"]
