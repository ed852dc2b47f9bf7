"""run_scenario, the tidy path, the Parquet writer and the run command."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from policy_helpers import MINI, mini
from rich.console import Console

from sim.commands.scenarios import run as run_command
from sim.run import COLUMNS, against_reference, run_scenario, write_parquet
from sim.scenario import ScenarioError


@pytest.fixture(scope="module")
def runs():
    kw = dict(start=date(2024, 1, 1), end=date(2027, 1, 1), reporting="quarterly")
    ref = run_scenario("historical", mini(), **kw)
    return run_scenario("no_deal_2025", mini(), ref, **kw)


def test_path_is_tidy(runs):
    """The path has the agreed columns, US and Japan welfare, bilateral imports and tariffs."""
    p = runs.path
    assert list(p.columns) == COLUMNS
    assert {"welfare_pct", "imports", "tariff", "tariff_revenue_new", "welfare_usd"} <= set(
        p.metric.astype(str))
    assert p.date.min() == pd.Timestamp("2024-01-01")
    assert len(runs.metric("welfare_pct", "JPN")) == 12


def test_no_deal_hurts_japan_against_historical(runs):
    """24 % without the deal: Japan's exports to the US and its welfare fall vs historical."""
    d = against_reference(runs)
    y = d[(d.date.dt.year == 2026) & (d.region == "JPN") & (d.metric == "welfare_pct")]
    assert y.value.mean() < 0
    imp = d[(d.date.dt.year == 2025) & (d.region == "USA") & (d.partner == "JPN")
            & (d.metric == "imports")]
    assert imp.value.sum() < 0


def test_parquet_writer(runs, tmp_path):
    """Path, events and the comparison are written as Parquet."""
    paths = write_parquet(runs, tmp_path)
    assert [p.name for p in paths] == ["no_deal_2025.parquet", "no_deal_2025_events.parquet",
                                       "no_deal_2025_vs_historical.parquet"]
    back = pd.read_parquet(paths[0])
    assert len(back) == len(runs.path)


def test_run_command(tmp_path):
    """The run command writes files and prints a summary; a bad scenario raises ScenarioError
    (the command line maps it to exit code 2: tests/test_cli_commands.py)."""
    con = Console(record=True, width=200)
    assert run_command(["no_change"], "no_change", tmp_path, str(MINI), reporting="annual",
                       summary_year=2030, console=con) == 0
    assert (tmp_path / "no_change.parquet").is_file()
    assert "welfare" in con.export_text()
    with pytest.raises(ScenarioError, match="no_such_scenario"):
        run_command(["no_such_scenario"], None, tmp_path, str(MINI), console=con)
