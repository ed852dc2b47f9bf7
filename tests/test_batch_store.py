"""The results store: refusal of non-stores, atomic parts, views, bands, export."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.batch import ResultsStore, StoreError


def _rows(run_id, scenario, draw, values, reference=""):
    dates = pd.to_datetime(["2030-01-01", "2030-07-01", "2031-01-01"])
    return pd.DataFrame({"run_id": run_id, "scenario": scenario, "reference": reference,
                         "draw": draw, "date": dates, "region": "USA", "partner": "all",
                         "sector": "all", "metric": "welfare_pct", "value": values,
                         "unit": "%"})


@pytest.fixture
def store(tmp_path):
    s = ResultsStore.create(tmp_path / "st", {"plan_id": "p1", "kind": "mc",
                                              "scenario_names": ["a"], "reference": None})
    for k in range(5):
        s.write_part(k, _rows(f"r{k}", "a", k, [k, k + 2.0, 10.0 + k]),
                     [{"run_id": f"r{k}", "scenario": "a", "draw": k, "chunk": k,
                       "status": "ok", "error": "", "seconds": 0.1,
                       "params": {"model.theta_scale": 1 + k / 10}, "outcome": {"x": k > 2}}])
    return s


def test_non_store_is_refused_with_its_path(tmp_path):
    """ResultsStore(path) of a plain directory raises StoreError naming the path."""
    with pytest.raises(StoreError, match=str(tmp_path)):
        ResultsStore(tmp_path)
    with pytest.raises(StoreError, match="no such directory"):
        ResultsStore(tmp_path / "missing")
    assert issubclass(StoreError, ValueError)


def test_another_plan_is_refused(store):
    """Creating a store over one of another plan fails and names both plans."""
    with pytest.raises(StoreError, match="holds another plan"):
        ResultsStore.create(store.path, {"plan_id": "p2", "kind": "mc"})
    assert ResultsStore.create(store.path, {"plan_id": "p1"}).kind == "mc"


def test_runs_results_and_query(store):
    """runs() has one row per run with parameter columns; results() is tidy; query() runs SQL."""
    runs = store.runs()
    assert list(runs.run_id) == [f"r{k}" for k in range(5)]
    assert {"status", "error", "seconds", "param:model.theta_scale", "outcome:x"} <= set(
        runs.columns)
    res = store.results()
    assert list(res.columns) == ["run_id", "scenario", "reference", "draw", "date", "region",
                                 "partner", "sector", "metric", "value", "unit"]
    assert len(res) == 15
    n = store.query("SELECT count(*) AS n FROM results r JOIN runs u USING (run_id) "
                    "WHERE u.status = 'ok'")
    assert int(n.n[0]) == 15
    assert not list((store.path / "parts").glob(".*tmp"))


def test_summarize_by_year_averages_within_run_first(store):
    """Year bands: each run's 2030 mean (k + 1) then quantiles over the five runs."""
    df = store.summarize(by=["region", "year"])
    y30 = df[df.year == 2030].iloc[0]
    assert y30.runs == 5 and y30.p50 == pytest.approx(3.0)
    assert y30.p5 == pytest.approx(1.2) and y30.p95 == pytest.approx(4.8)
    assert set(df.columns) >= {"p5", "p50", "p95", "mean"}
    with pytest.raises(StoreError, match="--by 'nope'"):
        store.summarize(by=["nope"])


def test_sweep_response_and_export(store, tmp_path):
    """sweep_response sorts by the parameter; export writes CSV of results and runs."""
    resp = store.sweep_response("welfare_pct", region="USA", param="model.theta_scale")
    assert list(resp["model.theta_scale"]) == sorted(resp["model.theta_scale"])
    out = store.export(tmp_path / "r.csv")
    assert len(pd.read_csv(out)) == 15
    runs = pd.read_csv(store.export(tmp_path / "u.csv", "runs"))
    assert json.loads(runs.params[0]) == {"model.theta_scale": 1.0}
