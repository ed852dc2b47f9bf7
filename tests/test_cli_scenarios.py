"""`tradesim check` and `tradesim run` through the typer app."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_check_library_passes():
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 7
    res = runner.invoke(app, ["check", *files])
    assert res.exit_code == 0, res.output


def test_check_broken_file_exit_2_names_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nstart = "2015-01-01"\nend = "2030-12-31"\nbogus_key = 3\n')
    res = runner.invoke(app, ["check", str(bad)])
    assert res.exit_code == 2
    assert "bad.toml" in res.output and "bogus_key" in res.output
    assert "Traceback" not in res.output


def test_run_writes_parquet(tmp_path):
    res = runner.invoke(app, ["run", str(ROOT / "scenarios" / "no_change.toml"),
                              "--reporting", "annual", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert any(p.suffix == ".parquet" for p in tmp_path.iterdir())


def test_run_bad_reporting_exit_2(tmp_path):
    res = runner.invoke(app, ["run", str(ROOT / "scenarios" / "no_change.toml"),
                              "--reporting", "weekly", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "weekly" in res.output


def test_run_theta_options_change_the_elasticities(tmp_path):
    """--theta uniform4 --theta-scale 1.5 runs with θ = 6 in every sector, like --theta 6."""
    import pandas as pd

    scenario = str(ROOT / "scenarios" / "tpp12.toml")
    outs = {}
    for key, args in {"scaled": ["--theta", "uniform4", "--theta-scale", "1.5"],
                      "six": ["--theta", "6"], "default": []}.items():
        out = tmp_path / key
        res = runner.invoke(app, ["run", scenario, "--reporting", "annual", "--out", str(out),
                                  *args])
        assert res.exit_code == 0, res.output
        df = pd.read_parquet(out / "tpp12.parquet")
        sel = (df.metric == "welfare_pct") & (df.region == "USA")
        outs[key] = df[sel].sort_values("date").value.to_numpy()
    assert len(outs["six"]) > 5
    assert abs(outs["scaled"] - outs["six"]).max() < 1e-9
    assert abs(outs["scaled"] - outs["default"]).max() > 1e-4


def test_run_bad_theta_scale_exit_2(tmp_path):
    res = runner.invoke(app, ["run", str(ROOT / "scenarios" / "no_change.toml"),
                              "--theta-scale", "0", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "--theta-scale" in res.output
