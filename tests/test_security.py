"""Security: a crafted results store runs no SQL of its own; scenario references cannot reach
files outside the library, the user's own folder (CLI) or the session's uploads (app)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.batch import ResultsStore
from sim.cli import app

runner = CliRunner()


def _crafted_store(tmp_path, target):
    """A sweep store whose parameter name and values try to break out of SQL."""
    evil = (f'x" AS a FROM runs; COPY (SELECT 42) TO \'{target}\'; SELECT "x')
    s = ResultsStore.create(tmp_path / "evil", {"plan_id": "p", "kind": "sweep",
                                                "scenario_names": ["a"], "reference": None})
    for k in range(2):
        rows = pd.DataFrame({"run_id": f"r{k}", "scenario": "a", "reference": "",
                             "draw": k, "date": pd.to_datetime(["2030-01-01"]),
                             "region": f"USA'; COPY (SELECT 1) TO '{target}'; --",
                             "partner": "all", "sector": "all", "metric": "welfare_pct",
                             "value": float(k), "unit": "%"})
        s.write_part(k, rows, [{"run_id": f"r{k}", "scenario": "a", "draw": k, "chunk": k,
                                "status": "ok", "error": "", "seconds": 0.1,
                                "params": {evil: k}, "outcome": {}}])
    return s, evil


def test_crafted_store_runs_no_sql_of_its_own(tmp_path):
    """Names and values read from parts are quoted or bound, never executed."""
    target = tmp_path / "pwned.csv"
    s, evil = _crafted_store(tmp_path, target)
    s.summarize(by=["scenario", f"param:{evil}"], regions=[f"x'; COPY (SELECT 1) TO '{target}'"])
    resp = s.sweep_response()
    assert list(resp[evil]) == [0, 1]
    res = runner.invoke(app, ["results", "summarize", str(s.path), "--region", "all"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["results", "export", str(s.path), "--out",
                              str(tmp_path / "out.csv")])
    assert res.exit_code == 0, res.output
    assert not target.exists()


def test_store_queries_cannot_touch_the_file_system(tmp_path):
    """The store's DuckDB connection has external access and extension loading off."""
    from sim.batch import StoreError

    target = tmp_path / "written.csv"
    s, _ = _crafted_store(tmp_path, target)
    for sql in (f"COPY (SELECT 1) TO '{target}'",
                f"SELECT * FROM read_csv('{tmp_path / 'evil' / 'manifest.json'}')",
                "INSTALL httpfs", "SET enable_external_access = true"):
        with pytest.raises(StoreError):
            s.query(sql)
    assert not target.exists()


def test_manifest_of_the_wrong_shape_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(["not", "a", "dict"]))
    res = runner.invoke(app, ["results", "summarize", str(tmp_path / "m")])
    assert res.exit_code == 2 and "Traceback" not in res.output
