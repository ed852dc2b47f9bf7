"""tradesim mc / sweep / results: exit codes, messages, progress lines, kill -9 and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from batch_helpers import BASELINE, scenario_files
from typer.testing import CliRunner

from sim.batch import ResultsStore
from sim.cli import app

runner = CliRunner()


def _mc(a, b, out, *extra):
    return ["mc", str(a), "--reference", str(b), "--draws", "6", "--seed", "5", "--out",
            str(out), "--baseline", BASELINE, "--chunk-size", "2", *extra]


def test_mc_then_summarize_and_export(tmp_path):
    """mc writes a store, prints progress lines; summarize prints p5/p50/p95 by year."""
    a, b = scenario_files(tmp_path)
    res = runner.invoke(app, _mc(a, b, tmp_path / "s", "--executor", "serial"))
    assert res.exit_code == 0, res.output
    assert "12 runs" in res.output and "runs/s" in res.output
    res = runner.invoke(app, ["results", "summarize", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "p5" in res.output and "p95" in res.output and "2027" in res.output
    assert "difference vs tiny_ref" in res.output
    res = runner.invoke(app, ["results", "export", str(tmp_path / "s"), "--out",
                              str(tmp_path / "r.csv")])
    assert res.exit_code == 0
    df = pd.read_csv(tmp_path / "r.csv")
    assert {"run_id", "scenario", "draw", "reference"} <= set(df.columns)


@pytest.mark.parametrize("args, message", [
    (["sweep", "{a}", "--out", "{o}", "--param", "events.nope.rate=1"], "no item 'nope'"),
    (["sweep", "{a}", "--out", "{o}", "--param", "events.us_tariff_jp.rate=0:1"],
     "START:STOP:STEP"),
    (["mc", "{a}", "--out", "{o}", "--draws", "0"], "--draws must be >= 1"),
    (["mc", "{a}", "--out", "{o}", "--executor", "threads"], "--executor must be one of"),
    (["mc", "{a}", "--out", "{o}", "--metric", "happiness"], "--metric happiness: unknown"),
    (["results", "summarize", "{t}"], "not a results store"),
])
def test_bad_input_exits_2_without_traceback(tmp_path, args, message):
    """Bad input names the problem and exits 2; no traceback."""
    a, _ = scenario_files(tmp_path)
    args = [x.format(a=a, o=tmp_path / "o", t=tmp_path) for x in args]
    res = runner.invoke(app, [*args, "--baseline", BASELINE] if args[0] != "results"
                        else args)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output


def test_store_of_another_plan_is_refused(tmp_path):
    """Rerunning a different plan into an existing store exits 2 and says so."""
    a, b = scenario_files(tmp_path)
    assert runner.invoke(app, _mc(a, b, tmp_path / "s", "--executor", "serial")).exit_code == 0
    res = runner.invoke(app, [*_mc(a, b, tmp_path / "s", "--executor", "serial"), "--seed",
                              "6"])
    assert res.exit_code == 2 and "holds another plan" in res.output


def test_dask_local_cluster_started_by_the_command(tmp_path):
    """--executor dask without --address starts (and stops) a local cluster."""
    a, b = scenario_files(tmp_path)
    res = runner.invoke(app, _mc(a, b, tmp_path / "s", "--executor", "dask", "--workers",
                                 "1"))
    assert res.exit_code == 0, res.output
    assert "Dask local cluster" in res.output
    assert len(ResultsStore(tmp_path / "s").runs()) == 12


def test_kill_9_and_resume_keeps_every_run_exactly_once(tmp_path):
    """SIGKILL mid-run, rerun: every run id once, values identical to an uninterrupted run."""
    a, b = scenario_files(tmp_path)
    args = ["mc", str(a), "--reference", str(b), "--draws", "40", "--seed", "9",
            "--baseline", BASELINE, "--chunk-size", "1", "--executor", "serial", "--quiet"]
    cmd = [sys.executable, "-m", "sim.cli", *args]
    out = tmp_path / "killed"
    proc = subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    parts = out / "parts"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_killed = len(list(parts.glob("part-*.parquet")))
    assert 3 <= n_killed < 40
    subprocess.run([*cmd, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*cmd, "--out", str(tmp_path / "clean")], check=True,
                   stdout=subprocess.DEVNULL)
    got, ref = ResultsStore(out), ResultsStore(tmp_path / "clean")
    runs = got.runs()
    assert len(runs) == 80 and runs.run_id.is_unique
    assert set(runs.run_id) == set(ref.runs().run_id)
    key = ["run_id", "reference", "date", "region", "metric"]
    a_res = got.results().sort_values(key).reset_index(drop=True)
    b_res = ref.results().sort_values(key).reset_index(drop=True)
    assert not a_res.duplicated(key).any()
    pd.testing.assert_frame_equal(a_res, b_res, check_exact=True)
