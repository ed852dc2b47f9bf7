"""Batch runs end to end (mini baseline, quarterly, four years): correctness against
run_scenario, executor equivalence bit for bit, chunking to solver tolerance, resume, failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from batch_helpers import BASELINE, scenario_files

from sim.batch import BatchFailed, ResultsStore, mc_plan, run_plan, sweep_plan
from sim.run import against_reference, run_scenario


@pytest.fixture
def files(tmp_path):
    return scenario_files(tmp_path)


def _plan(files, draws=6, chunk=2, **kw):
    a, b = files
    return mc_plan([str(a)], draws, 7, reference=str(b), baseline=BASELINE, chunk_size=chunk,
                   **kw)


def _assert_close(metric, a, b):
    """Solver-tolerance agreement (tol 1e-10 on residuals): percent metrics to 1e-7
    percentage points, welfare in USD million to 1e-3, other levels to 1e-5 relative."""
    metric = np.asarray(metric, dtype=str)
    a, b = np.asarray(a, float), np.asarray(b, float)
    pct = np.char.endswith(metric, "_pct")
    usd = metric == "welfare_usd"
    np.testing.assert_allclose(a[pct], b[pct], rtol=0, atol=1e-7)
    np.testing.assert_allclose(a[usd], b[usd], rtol=0, atol=1e-3)
    lv = ~pct & ~usd
    np.testing.assert_allclose(a[lv], b[lv], rtol=1e-5, atol=1e-9)


def _sorted(df):
    return df.sort_values(["run_id", "reference", "date", "region", "metric"]).reset_index(
        drop=True)


def test_central_draw_reproduces_run_scenario(files, tmp_path):
    """Without θ or policy draws every run equals run_scenario against its reference."""
    a, b = files
    plan = _plan(files, draws=2, theta=False, policy=False, frequency="period")
    store = run_plan(plan, tmp_path / "s", executor_kind="serial").store
    res = store.results()
    ref = run_scenario(str(b), BASELINE)
    run = run_scenario(str(a), BASELINE, ref)
    diff = against_reference(run)
    for reference, expect in (("", run.path), ("tiny_ref", diff)):
        got = res[(res.reference == reference) & (res.draw == 1)
                  & (res.scenario == "tiny_tariff")]
        exp = expect[expect.partner.astype(str) == "all"]
        exp = exp[exp.sector.astype(str) == "all"].astype({"region": str, "metric": str})
        m = got.merge(exp[["date", "region", "metric", "value"]], on=["date", "region",
                                                                        "metric"])
        assert len(m) == len(got) > 100
        _assert_close(m.metric, m.value_x, m.value_y)


def test_executors_give_identical_bits(files, tmp_path):
    """serial, process and Dask (in-process cluster) store bit-identical results."""
    from distributed import LocalCluster

    plan = _plan(files)
    out = {}
    out["serial"] = run_plan(plan, tmp_path / "a", executor_kind="serial").store.results()
    out["process"] = run_plan(plan, tmp_path / "b", executor_kind="process",
                              workers=2).store.results()
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        out["dask"] = run_plan(plan, tmp_path / "c", executor_kind="dask",
                               address=cluster.scheduler_address).store.results()
    base = _sorted(out["serial"])
    assert len(base) > 0 and base.value.notna().all()
    for name in ("process", "dask"):
        other = _sorted(out[name])
        pd.testing.assert_frame_equal(base, other, check_exact=True, obj=name)


def test_chunk_size_changes_bits_only_within_solver_tolerance(files, tmp_path):
    """Chunks of 1 and of 6 draws agree to solver tolerance (see _assert_close)."""
    r1 = _sorted(run_plan(_plan(files, chunk=1), tmp_path / "a",
                          executor_kind="serial").store.results())
    r6 = _sorted(run_plan(_plan(files, chunk=6), tmp_path / "b",
                          executor_kind="serial").store.results())
    assert list(r1.run_id) == list(r6.run_id)
    _assert_close(r1.metric, r1.value, r6.value)


def test_draws_vary_theta_and_policy_with_common_random_numbers(files, tmp_path):
    """Draws differ; the scenario and its reference share each draw; outcomes are recorded."""
    store = run_plan(_plan(files, draws=8, chunk=4), tmp_path / "s",
                     executor_kind="serial").store
    runs = store.runs()
    assert set(runs["outcome:tariff_happens"].dropna()) == {True, False}
    w = store.query("SELECT draw, avg(value) v FROM results WHERE reference = 'tiny_ref' "
                    "AND metric = 'welfare_pct' AND region = 'JPN' GROUP BY draw")
    happened = runs[runs.scenario == "tiny_tariff"].set_index("draw")["outcome:tariff_happens"]
    w = w.set_index("draw").v
    assert (w[~happened[w.index].astype(bool)] == 0).all()
    assert w[happened[w.index].astype(bool)].nunique() == int(happened.sum()) > 1
    bands = store.summarize(["welfare_pct"], ["region", "year"], regions=["USA", "JPN"],
                            reference=True)
    assert set(bands.year) == {2024, 2025, 2026, 2027} and (bands.runs == 8).all()
    assert (bands.p5 <= bands.p50).all() and (bands.p50 <= bands.p95).all()


def test_rerun_skips_finished_chunks(files, tmp_path):
    """A second run over the store computes nothing and changes nothing."""
    plan = _plan(files)
    first = run_plan(plan, tmp_path / "s", executor_kind="serial")
    before = _sorted(first.store.results())
    (tmp_path / "s" / "parts" / "part-00001.parquet").unlink()
    again = run_plan(plan, tmp_path / "s", executor_kind="serial")
    assert again.computed == len(plan.chunks[1]) and again.done_before == 8
    pd.testing.assert_frame_equal(before, _sorted(again.store.results()), check_exact=True)


def test_sweep_over_rate_and_lambda(files, tmp_path):
    """A sweep stores one run per point with its parameters; the response rises with the
    tariff for US tariff revenue."""
    a, b = files
    plan = sweep_plan(str(a), ["events.us_tariff_jp.rate=0:0.2:0.1", "lambda=0.5,1"],
                      reference=str(b), baseline=BASELINE, chunk_size=2)
    store = run_plan(plan, tmp_path / "s", executor_kind="serial").store
    assert store.kind == "sweep" and len(store.runs()) == 8  # 6 points + 2 references
    resp = store.sweep_response("tariff_revenue_new", region="USA",
                                param="events.us_tariff_jp.rate", reference=True)
    # the other swept parameter is a column of the response, so its rows tell apart
    assert {"events.us_tariff_jp.rate", "model.adjustment_speed"} <= set(resp.columns)
    lam1 = resp[resp["model.adjustment_speed"] == 1.0]
    assert len(lam1) == 3
    assert lam1.value.is_monotonic_increasing and lam1.value.iloc[-1] > lam1.value.iloc[0]


def test_failed_runs_are_recorded_and_fail_fast_stops(files, tmp_path):
    """A run whose drawn policy is invalid is recorded with its error; --fail-fast raises."""
    a, b = files
    a.write_text(a.read_text().replace("earliest = 2025-07-01", "earliest = 2024-02-01"))
    plan = mc_plan([str(a)], 12, 1, reference=str(b), baseline=BASELINE, chunk_size=4)
    rep = run_plan(plan, tmp_path / "s", executor_kind="serial")
    assert rep.failed and all("before effective" in r["error"] for r in rep.failed)
    runs = rep.store.runs()
    assert (runs.status == "failed").sum() == len(rep.failed) < len(runs)
    with pytest.raises(BatchFailed, match="failed"):
        run_plan(plan, tmp_path / "t", executor_kind="serial", fail_fast=True)
    assert ResultsStore(tmp_path / "t").finished_chunks()


def test_policy_draws_of_historical_match_run_scenario_of_the_realisation(tmp_path):
    """A historical draw (IEEPA ruling, Section 122 end drawn; safeguards fired as in the
    as-written path) equals run_scenario of that realised scenario at the central θ."""
    from policy_helpers import mini

    from sim.batch.engine import _realized
    from sim.scenario.loader import load_scenario

    plan = mc_plan(["historical"], 3, 2, baseline=BASELINE, chunk_size=3, theta=False,
                   reporting="annual", frequency="period", channels=False)
    store = run_plan(plan, tmp_path / "s", executor_kind="serial").store
    res = store.results()
    runs = store.runs()
    assert (runs.status == "ok").all() and runs["outcome:section_122_end"].notna().all()
    for r in plan.runs:
        scn, _ = _realized(plan, r)
        exp = run_scenario(load_scenario(scn.scenario.raw), mini(), reporting="annual").path
        exp = exp[(exp.partner.astype(str) == "all") & (exp.sector.astype(str) == "all")]
        got = res[res.run_id == r.run_id]
        m = got.merge(exp.astype({"region": str, "metric": str})[
            ["date", "region", "metric", "value"]], on=["date", "region", "metric"])
        assert len(m) == len(got) > 0
        _assert_close(m.metric, m.value_x, m.value_y)
