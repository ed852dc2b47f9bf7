"""Batch results page: Monte Carlo bands and sweep responses from small stores written with
the batch API; a folder that is not a store gets a clear message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.app.pages.batch import bands_from_summary, sweep_table

batch = pytest.importorskip("sim.batch")

SCRIPT = "from sim.app.pages.batch import render\nrender()"


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("stores")
    mc = batch.mc_plan(["tpp12"], draws=3, seed=7, reference="historical", reporting="annual",
                       regions=["USA", "JPN"], chunk_size=3)
    batch.run_plan(mc, root / "mc", executor_kind="serial")
    sw = batch.sweep_plan("tpp12", ["model.theta_scale=0.5,1,2"], reference="historical",
                          reporting="annual", regions=["USA", "JPN"])
    batch.run_plan(sw, root / "sweep", executor_kind="serial")
    return {"mc": root / "mc", "sweep": root / "sweep", "root": root}


def _open(path: Path) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    at.text_input(key="batch_path").set_value(str(path)).run()
    assert not at.exception, at.exception
    return at


def test_monte_carlo_store_shows_bands(stores):
    """A Monte Carlo store: run counts, a band chart, both comparison modes, downloads."""
    at = _open(stores["mc"])
    values = [m.value for m in at.metric]
    assert "Monte Carlo" in values and "6 ok of 6" in values
    assert len(at.get("vega_lite_chart")) == 1
    assert any("median over 3 draws" in c.value for c in at.caption)
    at.radio(key="batch_mode").set_value("against the solved baseline").run()
    assert not at.exception
    at.selectbox(key="batch_region").set_value("JPN").run()
    assert not at.exception
    assert len(at.get("download_button")) == 3


def test_sweep_store_shows_the_response(stores):
    """A sweep store: the response of welfare to θ scale is drawn."""
    at = _open(stores["sweep"])
    assert "parameter sweep" in [m.value for m in at.metric]
    assert at.selectbox(key="batch_param").value == "model.theta_scale"
    assert len(at.get("vega_lite_chart")) == 1


def test_not_a_store_is_a_warning(tmp_path):
    """A folder that is not a results store gets the store's message, no exception."""
    at = _open(tmp_path)
    assert at.warning and str(tmp_path) in at.warning[0].value


def test_band_and_sweep_tables(stores):
    """Quantile columns become lo/mid/hi; sweep rows are averaged per parameter value."""
    s = batch.ResultsStore(stores["mc"])
    summ = s.summarize(metrics=["welfare_pct"], by=["scenario", "reference", "region", "year"],
                       reference=True)
    b = bands_from_summary(summ)
    assert (b["lo"] <= b["mid"]).all() and (b["mid"] <= b["hi"]).all()
    w = batch.ResultsStore(stores["sweep"]).sweep_response("welfare_pct", region="USA",
                                                           param="model.theta_scale",
                                                           reference=True)
    w["label"] = w["scenario"]
    t = sweep_table(w, "model.theta_scale")
    assert list(t["model.theta_scale"]) == [0.5, 1.0, 2.0]
    assert isinstance(t, pd.DataFrame) and {"value", "lo", "hi"} <= set(t.columns)
