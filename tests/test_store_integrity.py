"""The self-checking results store: bad parts are quarantined and recomputed, another plan's
parts never reach a summary, one runner at a time, payloads built per chunk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from batch_helpers import BASELINE, scenario_files
from typer.testing import CliRunner

from sim.batch import ResultsStore, StoreBusy, mc_plan
from sim.batch.runner import store_lock
from sim.cli import app

runner = CliRunner()


def _mc(a, b, out, seed="5", *extra):
    return ["mc", str(a), "--reference", str(b), "--draws", "6", "--seed", seed, "--out",
            str(out), "--baseline", BASELINE, "--chunk-size", "2", "--executor", "serial",
            "--quiet", *extra]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    a, b = scenario_files(tmp)
    res = runner.invoke(app, _mc(a, b, tmp / "s"))
    assert res.exit_code == 0, res.output
    return a, b, tmp / "s"


def _values(store):
    df = store.results()
    key = ["run_id", "reference", "date", "region", "metric"]
    return df.sort_values(key).reset_index(drop=True)


@pytest.mark.parametrize("damage", ["random", "truncate", "empty", "foreign"])
def test_bad_part_is_quarantined_and_exactly_its_runs_recomputed(clean, tmp_path, damage):
    a, b, src = clean
    out = tmp_path / "s"
    shutil.copytree(src, out)
    part = out / "parts" / "part-00001.parquet"
    data = part.read_bytes()
    if damage == "random":
        part.write_bytes(data[:100] + os.urandom(len(data) - 200) + data[-100:])
    elif damage == "truncate":
        part.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        part.write_bytes(b"")
    else:   # a part of another plan (same chunk number) put in its place
        other = tmp_path / "other"
        assert runner.invoke(app, _mc(a, b, other, "7")).exit_code == 0
        shutil.copy(other / "parts" / "part-00001.parquet", part)
    readers = ResultsStore(out)
    assert [p.name for p, _ in readers.bad_parts] == ["part-00001.parquet"]
    assert len(readers.runs()) == 8          # the bad part is left out, never mixed in
    res = runner.invoke(app, ["results", "summarize", str(out)])
    assert res.exit_code == 0 and "left out" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, _mc(a, b, out)[:-1])      # resume, without --quiet
    assert res.exit_code == 0, res.output
    assert "quarantined" in res.output
    assert "4 runs computed, 8 already in the store" in res.output   # exactly chunk 1
    assert len(list((out / "quarantine").glob("part-00001.parquet.*"))) == 1
    got, ref = ResultsStore(out), ResultsStore(src)
    assert got.bad_parts == [] and len(got.runs()) == 12 and got.runs().run_id.is_unique
    assert _values(got).equals(_values(ref))


def test_second_runner_exits_2_naming_the_holder(clean, tmp_path):
    a, b, _ = clean
    out = tmp_path / "busy"
    with store_lock(out):
        res = runner.invoke(app, _mc(a, b, out, "5", "--no-wait"))
    assert res.exit_code == 2, res.output
    assert f"pid {os.getpid()}" in res.output and "Traceback" not in res.output
    with store_lock(out), pytest.raises(StoreBusy), store_lock(out, wait=False):
        pass


def test_live_runners_temporary_files_are_not_removed(clean, tmp_path):
    """Start-up removes temporary part files only under the lock (so none is live)."""
    a, b, src = clean
    out = tmp_path / "s"
    shutil.copytree(src, out)
    tmp = out / "parts" / ".part-00009.parquet.x.tmp"
    tmp.write_bytes(b"in flight")
    with store_lock(out), pytest.raises(StoreBusy):
        from sim.batch import run_plan

        run_plan(mc_plan([str(a)], 6, 5, reference=str(b), baseline=BASELINE, chunk_size=2),
                 out, executor_kind="serial", wait=False)
    assert tmp.exists()


def test_chunk_payload_size_does_not_grow_with_the_plan(clean):
    import pickle

    a, b, _ = clean
    small = mc_plan([str(a)], 10, 1, reference=str(b), baseline=BASELINE, chunk_size=2)
    big = mc_plan([str(a)], 1000, 1, reference=str(b), baseline=BASELINE, chunk_size=2)
    # the same runs apart from the draw count (a few bytes): no term grows with the plan
    assert abs(len(pickle.dumps(big.chunk_payload(3)))
               - len(pickle.dumps(small.chunk_payload(3)))) < 16


def test_kill_9_at_a_quarter_of_a_run_keeps_a_fifth_on_disk(tmp_path):
    """Parts reach the disk as chunks finish (payloads are built per chunk, a bounded
    window is in flight): kill -9 at 25 % of a run leaves at least 20 % of the runs on disk,
    and the resume completes them exactly.

    "25 % of a run" is measured in CPU time of the runner (serial executor: all the work is
    in that process), counted from the store's creation, against an uninterrupted run of the
    same plan: unlike wall time it does not depend on what else loads the machine, and the
    interpreter start-up (about 1 s, nothing in a real 3,000-draw run of most of an hour) is
    left out. A cheap plan (mini baseline, 2,000 draws, annual) keeps the test short; the
    3,000-draw library run is measured in docs/batch.md."""
    import signal
    import subprocess
    import sys
    import time

    a, _ = scenario_files(tmp_path)
    draws = 2000
    cmd = [sys.executable, "-m", "sim.cli", "mc", str(a), "--draws", str(draws), "--seed", "4",
           "--baseline", BASELINE, "--chunk-size", "10", "--reporting", "annual",
           "--metric", "welfare_pct", "--region", "USA", "--executor", "serial", "--quiet"]
    tick = os.sysconf("SC_CLK_TCK")

    def cpu(pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick     # utime + stime

    def started(out, proc):
        while not (out / "manifest.json").exists():
            assert proc.poll() is None, "the runner stopped before creating the store"
            time.sleep(0.002)
        return cpu(proc.pid)

    clean = subprocess.Popen([*cmd, "--out", str(tmp_path / "clean")])
    c0 = started(tmp_path / "clean", clean)
    last = c0
    while clean.poll() is None:
        try:
            last = cpu(clean.pid)
        except (OSError, IndexError, ValueError):
            break
        time.sleep(0.005)
    assert clean.wait() == 0
    full = last - c0                           # CPU seconds of the run proper
    proc = subprocess.Popen([*cmd, "--out", str(tmp_path / "killed")])
    k0 = started(tmp_path / "killed", proc)
    while cpu(proc.pid) - k0 < 0.25 * full:
        assert proc.poll() is None
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    on_disk = len(ResultsStore(tmp_path / "killed").runs())
    print(f"kill -9 at 25 % of a run of {full:.2f} CPU s: {on_disk} of {draws} runs on disk")
    assert on_disk >= 0.20 * draws, (on_disk, full)
    subprocess.run([*cmd, "--out", str(tmp_path / "killed")], check=True)
    got, ref = ResultsStore(tmp_path / "killed"), ResultsStore(tmp_path / "clean")
    assert len(got.runs()) == draws and got.runs().run_id.is_unique
    assert _values(got).equals(_values(ref))


def test_runners_started_at_the_same_instant_both_succeed_once_each(tmp_path):
    """Two runners on one new store: the second waits for the first (no false "not a results
    store"), finds every chunk done and computes nothing; every run is stored once."""
    import subprocess
    import sys

    a, b = scenario_files(tmp_path)
    cmd = [sys.executable, "-m", "sim.cli", *_mc(a, b, tmp_path / "s")]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    store = ResultsStore(tmp_path / "s")
    assert len(store.runs()) == 12 and store.runs().run_id.is_unique
    timings = store.manifest["timings"]
    assert sorted(t["runs_computed"] for t in timings.values()) in ([0, 12], [12])
