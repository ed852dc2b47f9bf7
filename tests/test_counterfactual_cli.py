"""Shock files, the counterfactual tables and the command line (typer's CliRunner)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import require_shared
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.data.shock import ShockError, read_shock

runner = CliRunner()


def write_shock(path: Path, rows: list[str]) -> Path:
    path.write_text("exporter,importer,sector,tariff,cost_factor\n" + "\n".join(rows) + "\n")
    return path


def test_shock_rows_apply_in_order_and_never_touch_domestic(tmp_path, tiny_baseline_dir):
    base = sim.load_baseline(tiny_baseline_dir)
    path = write_shock(tmp_path / "s.csv", ["*,AAA,*,0.2,", "BBB,AAA,goods,0.05,1.1"])
    shock = read_shock(path, base)
    a, b, c = (base.region_index(r) for r in ("AAA", "BBB", "CCC"))
    assert shock.tariffs[c, a, 0] == 0.2
    assert shock.tariffs[b, a, 0] == 0.05
    assert shock.cost_factor[b, a, 0] == 1.1
    assert shock.tariffs[a, a].tolist() == [0.0, 0.0]
    assert shock.tariffs[a, b, 0] == base.economy.tariffs[a, b, 0]     # unchanged


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        (["ZZZ,AAA,goods,0.1,"], None, r"line 2: unknown exporter 'ZZZ'"),
        (["BBB,AAA,goods,-0.1,"], None, r"line 2: column 'tariff' must be >= 0, got '-0.1'"),
        (["BBB,AAA,goods,,0"], None, r"column 'cost_factor' must be > 0"),
        (["AAA,AAA,goods,0.1,"], None, r"domestic sales"),
        (["BBB,AAA,0.1"], "exporter,importer,tariff_rate", r"missing column\(s\) tariff or "),
    ],
)
def test_bad_shock_files(tmp_path, tiny_baseline_dir, rows, header, message):
    base = sim.load_baseline(tiny_baseline_dir)
    path = write_shock(tmp_path / "s.csv", rows)
    if header:
        path.write_text(header + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(ShockError, match=message):
        read_shock(path, base)


def test_counterfactual_tables(tmp_path, tiny_baseline_dir):
    path = write_shock(tmp_path / "s.csv", ["*,AAA,goods,0.3,"])
    result = sim.counterfactual(tiny_baseline_dir, path, closure="zero")
    regions = result.regions.set_index("region")
    assert regions.loc["AAA", "imports_new"] < regions.loc["AAA", "imports_base"]
    assert regions.loc["AAA", "tariff_revenue_new"] > regions.loc["AAA", "tariff_revenue_base"]
    flows = result.flows
    row = flows[(flows.exporter == "BBB") & (flows.importer == "AAA") & (flows.sector == "goods")]
    assert float(row.tariff_new.iloc[0]) == 0.3
    assert float(row.change_pct.iloc[0]) < 0
    np.testing.assert_allclose(
        row.change_pct.iloc[0], 100 * (row.value_new.iloc[0] / row.value_base.iloc[0] - 1))
    assert set(result.sectors.columns) >= {"gross_output_pct", "value_added_pct"}


def test_cli_counterfactual_writes_files(tmp_path, tiny_baseline_dir):
    shock = write_shock(tmp_path / "s.csv", ["*,AAA,*,0.25,"])
    out = tmp_path / "out"
    res = runner.invoke(app, ["counterfactual", "--baseline", str(tiny_baseline_dir),
                              "--shock", str(shock), "--out", str(out), "--closure", "ratio"])
    assert res.exit_code == 0, res.output
    with (out / "regions.csv").open() as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["region", "welfare_pct", "real_wage_pct", "price_index_pct"]
    with (out / "flows.csv").open() as handle:
        header = next(csv.reader(handle))
    assert {"exporter", "importer", "sector", "value_base", "value_new",
            "change_pct"} <= set(header)


@pytest.mark.parametrize(
    ("rows", "message"),
    [(["ZZZ,AAA,goods,0.1,"], "unknown exporter 'ZZZ'"),
     (["BBB,AAA,goods,-1,"], "must be >= 0")],
)
def test_cli_bad_shock_exit_2_without_traceback(tmp_path, tiny_baseline_dir, rows, message):
    shock = write_shock(tmp_path / "s.csv", rows)
    res = runner.invoke(app, ["counterfactual", "--baseline", str(tiny_baseline_dir),
                              "--shock", str(shock), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_cli_bad_baseline_exit_2(tmp_path, tiny_baseline_dir):
    shock = write_shock(tmp_path / "s.csv", ["*,AAA,*,0.1,"])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "flows.csv").write_text("exporter,importer,value\nA,A,1\n")
    (broken / "sectors.csv").write_text("sector,theta\ng,4\n")
    res = runner.invoke(app, ["counterfactual", "--baseline", str(broken), "--shock",
                              str(shock), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "missing column(s) sector" in res.output


def test_cli_validate_without_data_exits_2(tmp_path):
    res = runner.invoke(app, ["validate", "--data", str(tmp_path)])
    assert res.exit_code == 2
    assert "validation data not found" in res.output


def test_cli_validate_reproduces_published_results():
    """`tradesim validate` passes on the real replication data (needs ../shared/data)."""
    data = require_shared()
    res = runner.invoke(app, ["validate", "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "0 missed" in res.output


def test_cli_baseline_describes_default():
    res = runner.invoke(app, ["baseline", "icio2022"])
    assert res.exit_code == 0, res.output
    assert "16 regions x 7 sectors" in res.output
