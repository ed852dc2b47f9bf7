"""Chart builders: Altair specs from the app's tables, no Streamlit involved."""

from __future__ import annotations

import subprocess
import sys

import altair as alt
import pandas as pd
import pytest

from sim.app import charts


@pytest.fixture
def path_df() -> pd.DataFrame:
    d = pd.date_range("2020-01-01", periods=8, freq="QS")
    return pd.concat([pd.DataFrame({"scenario": s, "date": d, "value": range(8), "unit": "pp"})
                      for s in ("a", "b")])


def test_time_path_with_band_is_valid_vega_lite(path_df):
    """Line + band layer serialises to a valid Vega-Lite spec with the unit on the axis."""
    band = path_df.assign(lo=path_df.value - 1, hi=path_df.value + 1)
    ch = charts.time_path(path_df, y_title="welfare (pp)", band=band, band_label="θ")
    spec = ch.to_dict()
    assert "welfare (pp)" in str(spec)
    assert isinstance(ch, alt.LayerChart)


def test_bar_charts_build(path_df):
    """Bilateral, sector, ranked and event charts build from tidy tables."""
    bil = pd.DataFrame({"scenario": ["a", "a"], "direction": ["US imports from Japan",
                                                              "US exports to Japan"],
                        "sector": ["metals", "metals"], "value": [1.0, 2.0],
                        "reference_value": [1.0, 1.5], "change_pct": [0.0, 33.3],
                        "difference": [0.0, 0.5]})
    charts.bilateral_chart(bil).to_dict()
    sec = pd.DataFrame({"scenario": ["a"], "region": ["USA"], "sector": ["metals"],
                        "value": [1.0], "change_pct": [0.1]})
    charts.sector_chart(sec).to_dict()
    reg = pd.DataFrame({"region": ["USA", "JPN"], "value": [0.1, -0.2],
                        "welfare_usd_bn": [1.0, -2.0]})
    spec = charts.ranked_bars(reg).to_dict()
    assert "gain" in str(spec) and "loss" in str(spec)
    log = pd.DataFrame({"scenario": ["a"], "date": pd.to_datetime(["2020-01-01"]),
                        "actor": ["USA"], "kind": ["effective"], "what": ["x"],
                        "source": ["y"]})
    charts.event_timeline(log).to_dict()


def test_band_and_sweep_charts():
    """Monte Carlo band and sweep response charts build."""
    s = pd.DataFrame({"scenario": ["a"] * 3, "year": [2020, 2021, 2022], "lo": [0, 1, 2],
                      "mid": [1, 2, 3], "hi": [2, 3, 4]})
    charts.band_chart(s, y_title="welfare (%)").to_dict()
    w = pd.DataFrame({"scenario": ["a"] * 3, "theta_scale": [0.5, 1, 2], "value": [1, 2, 3]})
    charts.sweep_chart(w, param="theta_scale", y_title="welfare (%)").to_dict()


def test_app_helpers_import_no_streamlit():
    """charts, tables, builder and runs import no Streamlit (usable in notebooks and tests)."""
    code = ("import sys; import sim.app.charts, sim.app.tables, sim.app.builder, sim.app.runs; "
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_core_layers_import_no_streamlit():
    """No core module (model, data, policy, timeline, scenario, run) imports Streamlit."""
    code = ("import sys; import sim.model, sim.data.baseline, sim.policy.tariffs, "
            "sim.timeline, sim.scenario.loader, sim.run; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_streamlit_config_keeps_the_app_private():
    """Usage statistics are off in the project's Streamlit configuration."""
    import tomllib
    from pathlib import Path

    cfg = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml")
                        .read_text())
    assert cfg["browser"]["gatherUsageStats"] is False


def test_sweep_chart_with_a_dotted_parameter_name_has_a_plain_field():
    """Batch sweep parameters are dotted (model.adjustment_speed); Vega-Lite reads a dot in a
    field name as a nested path and drew an empty chart. The x field must exist in the data
    rows as a plain key, with the dotted name kept as the axis title."""
    import pandas as pd

    w = pd.DataFrame({"scenario": ["a", "a"], "model.adjustment_speed": [0.2, 0.6],
                      "value": [0.1, 0.2], "lo": [0.0, 0.1], "hi": [0.2, 0.3]})
    spec = charts.sweep_chart(w, param="model.adjustment_speed", y_title="w").to_dict()
    layer = spec["layer"][-1]
    field = layer["encoding"]["x"]["field"] if "encoding" in layer else spec["encoding"]["x"][
        "field"]
    assert "." not in field
    rows = next(iter(spec["datasets"].values()))
    assert all(field in r for r in rows)
    title = (layer.get("encoding") or spec["encoding"])["x"]["title"]
    assert title == "model.adjustment_speed"
