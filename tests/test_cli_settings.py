"""`tradesim run`: one set of run settings for both sides; levels are labelled as levels."""

from __future__ import annotations

from typer.testing import CliRunner

from sim.cli import app as cli

SLOW = """name = "slow_only"
extends = "historical"
calibrated_to = "historical"
end = 2027-01-01
[settings]
adjustment_speed = 0.6
reporting = "annual"
"""


def test_reference_and_scenario_share_the_run_settings(tmp_path):
    """A file that changes only λ shows no welfare difference against its reference: both run
    with the reference's λ (the CLI says which)."""
    from sim.run import run_scenario

    f = tmp_path / "slow_only.toml"
    f.write_text(SLOW)
    res = CliRunner().invoke(cli, ["run", str(f), "--reference", "historical", "--reporting",
                                   "annual", "--out", str(tmp_path / "out"),
                                   "--summary-year", "2026"])
    assert res.exit_code == 0, res.output
    assert "λ 0.3/yr" in res.output
    import pandas as pd

    diff = pd.read_parquet(tmp_path / "out" / "slow_only_vs_historical.parquet")
    w = diff[(diff.metric == "welfare_pct") & (diff.region == "USA")]["value"]
    assert len(w) and w.abs().max() < 1e-9
    # the file's own λ still works when run alone
    own = run_scenario(f, reporting="annual", detail="summary")
    assert own.scenario.spec.settings.adjustment_speed == 0.6


def test_run_without_reference_labels_levels(tmp_path):
    res = CliRunner().invoke(cli, ["run", "no_change", "--reporting", "annual", "--out",
                                   str(tmp_path), "--summary-year", "2026"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "change vs baseline" not in out
    assert "US imports from Japan (2026, all goods and services, level" in out
