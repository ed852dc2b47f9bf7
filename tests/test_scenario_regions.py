"""A measure on a region the baseline does not hold is refused, with the regions it holds, or
applied to ROW when the file says so (issue 13, bug 4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.app.builder import validate_toml
from sim.cli import app as cli
from sim.run import baseline_with_theta, build_tariff_model
from sim.scenario.loader import ScenarioError, load_scenario

INDIA = """name = "india_test"
extends = "historical"
calibrated_to = "historical"
{settings}
[[events]]
kind = "measure"
name = "us_on_india"
actor = "USA"
exporters = ["IND"]
rate = 0.25
stacking = "add"
effective = 2025-08-27
source = "test"
"""


def _file(tmp_path: Path, settings: str = "") -> Path:
    p = tmp_path / "india.toml"
    p.write_text(INDIA.format(settings=settings))
    return p


def test_check_refuses_unheld_region_and_lists_held_ones(tmp_path):
    res = CliRunner().invoke(cli, ["check", str(_file(tmp_path))])
    assert res.exit_code == 2
    out = " ".join(res.output.split())
    assert "india.toml" in out and "'IND'" in out and "us_on_india" in out
    assert "USA, JPN, CAN, MEX" in out and "ROW" in out
    assert "Traceback" not in out


def test_run_refuses_unheld_region(tmp_path):
    bl = baseline_with_theta("icio2022")
    with pytest.raises(ScenarioError, match="IND"):
        build_tariff_model(load_scenario(_file(tmp_path)), bl)


def test_app_validation_refuses_unheld_region():
    with pytest.raises(ScenarioError) as exc:
        validate_toml(INDIA.format(settings=""), "india.toml")
    assert "IND" in exc.value.errors[0] and "KOR" in exc.value.errors[0]


def test_row_mapping_when_the_file_asks(tmp_path):
    """With unheld_regions = "row" the measure acts on ROW (not zero) and a note says so."""
    bl = baseline_with_theta("icio2022")
    p = _file(tmp_path, '[settings]\nunheld_regions = "row"')
    tm = build_tariff_model(load_scenario(p), bl)
    ref = build_tariff_model(load_scenario("historical"), bl)
    usa, row = bl.regions.index("USA"), bl.regions.index("ROW")
    j = bl.sectors.index("other_manufacturing")
    d = date(2025, 9, 10)
    assert abs(tm.at(d)[row, usa, j] - ref.at(d)[row, usa, j] - 0.25) < 1e-12
    assert any("IND" in n and "ROW" in n for n in tm.notes)


def test_library_scenarios_name_only_held_regions():
    from sim.scenario.loader import LIBRARY
    from sim.scenario.regions import check_regions

    for f in sorted(LIBRARY.glob("*.toml")):
        assert check_regions(load_scenario(f).spec, f.name) == [], f
