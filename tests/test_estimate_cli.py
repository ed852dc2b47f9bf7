"""`tradesim estimate`: outputs, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import sys
import tomllib

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
MAIN = "trade ~ rta | exporter_year + importer_year + pair"


def run(*args: str):
    return runner.invoke(app, ["estimate", *args])


def test_without_pyfixest_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyfixest", None)      # import pyfixest -> ImportError
    res = run("--panel", "agtpa", "--formula", MAIN, "--out", str(tmp_path), "-q")
    assert res.exit_code == 2
    assert "pip install -e '.[estimate]'" in res.output
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)


pytest.importorskip("pyfixest", reason="pip install -e '.[estimate]' (part of '.[dev]')")


def test_readme_example_reproduces_the_guide(tmp_path):
    out = tmp_path / "est"
    res = run("--panel", "agtpa", "--formula", MAIN, "--years", "1986:2006:4", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "0.5572" in res.output and "0.1022" in res.output
    table = pd.read_csv(out / "estimates.csv")
    assert round(float(table.loc[0, "estimate"]), 3) == 0.557
    assert round(float(table.loc[0, "std_error"]), 3) == 0.102
    vcov = pd.read_csv(out / "vcov.csv", index_col="term")
    assert list(vcov.columns) == ["rta"]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["observations_used"] == 28_482 and meta["observations_dropped"] == 84
    assert meta["years"] == [1986, 1990, 1994, 1998, 2002, 2006]
    assert meta["cluster"] == "pair" and "Stata" in meta["standard_errors"]
    assert meta["versions"]["pyfixest"] and meta["seconds"] > 0
    assert meta["command"].startswith("tradesim estimate --panel agtpa")
    effect = tomllib.loads((out / "agreement_effect.toml").read_text())
    assert effect["effect"]["total"] == pytest.approx(table.loc[0, "estimate"], rel=1e-9)


def test_quiet_prints_nothing(tmp_path):
    res = run("--panel", "agtpa", "--formula", MAIN, "--years", "2002:2006:4", "--out",
              str(tmp_path), "--quiet")
    assert res.exit_code == 0 and res.output == ""


def test_own_panel_file(tmp_path):
    from sim.estimate.synthetic import synthetic_panel

    path = tmp_path / "p.parquet"
    synthetic_panel(seed=4).to_parquet(path)
    res = run("--panel", str(path), "--formula", "trade ~ rta + ln_dist | exporter_year + "
              "importer_year", "--cluster", "none", "--out", str(tmp_path / "o"), "-q")
    assert res.exit_code == 0, res.output
    assert list(pd.read_csv(tmp_path / "o" / "estimates.csv")["term"]) == ["rta", "ln_dist"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--formula", "trade ~ rta + cntg | exporter_year + importer_year + pair", "--years",
      "2002:2006:4"], 2,
     "regressor 'cntg' is collinear with the fixed effects"),
    (["--formula", "trade ~ tariff | exporter_year"], 2, "unknown column 'tariff'"),
    (["--formula", MAIN, "--years", "2010:2020"], 2, "no rows for --years"),
    (["--formula", MAIN, "--years", "1990-2000"], 2, "--years: cannot read"),
    (["--formula", MAIN, "--max-iterations", "2"], 3, "did not converge"),
])
def test_errors(tmp_path, args, code, message):
    res = run("--panel", "agtpa", "--out", str(tmp_path / "o"), "-q", *args)
    assert res.exit_code == code, res.output
    assert message in " ".join(res.output.split())
    assert "Traceback" not in res.output
    assert not (tmp_path / "o" / "estimates.csv").exists()


@pytest.mark.parametrize(("rows", "message"), [
    (["exporter,importer,year", "A,B,2000"], "required column(s) 'trade' missing"),
    (["exporter,importer,year,trade", "A,B,2000,-1"], "column 'trade' has a negative value -1"),
    (["exporter,importer,year,trade", "A,B,2000,x"], "column 'trade' has a non-numeric value 'x'"),
])
def test_bad_panel_files(tmp_path, rows, message):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    res = run("--panel", str(path), "--formula", "trade ~ 1 | exporter", "--out",
              str(tmp_path / "o"), "-q")
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "bad.csv" in text and message in text


def test_single_year_rta_is_collinear_with_pair_effects(tmp_path):
    res = run("--panel", "agtpa", "--formula", MAIN, "--years", "2006", "--out",
              str(tmp_path), "-q")
    assert res.exit_code == 2
    assert "regressor 'rta' is collinear with the fixed effects" in " ".join(res.output.split())


def test_max_iterations_must_be_positive(tmp_path):
    res = run("--panel", "agtpa", "--formula", MAIN, "--max-iterations", "0", "--out",
              str(tmp_path), "-q")
    assert res.exit_code == 2 and "--max-iterations must be ≥ 1, got 0" in res.output
