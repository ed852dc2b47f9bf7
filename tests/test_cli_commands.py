"""The command code of `tradesim run`/`check` lives with the faces (sim/commands/), and the CLI's
one error -> exit-code map covers it: bad input exits 2 with the message on stderr, never a
traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from policy_helpers import ROOT


def _tradesim(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("TRADESIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=300)


def test_run_with_an_unknown_baseline_exits_2_on_stderr(tmp_path):
    res = _tradesim("run", "no_change", "--baseline", "nope", "--out", str(tmp_path / "o"))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "'nope'" in res.stderr and "not found" in res.stderr
    assert "nope" not in res.stdout
    assert "Traceback" not in res.stderr + res.stdout


def test_run_with_a_broken_scenario_exits_2_on_stderr_and_solves_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nstart = 2015-01-01\nend = 2030-12-31\nbogus_key = 3\n',
                   encoding="utf-8")
    out = tmp_path / "o"
    res = _tradesim("run", str(bad), "--reference", "historical", "--out", str(out))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "bad.toml" in res.stderr and "bogus_key" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert not out.exists()          # refused before the reference was solved or written


def test_run_with_an_unknown_reference_exits_2_on_stderr(tmp_path):
    res = _tradesim("run", "no_change", "--reference", "no_such_one", "--out",
                    str(tmp_path / "o"))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "no_such_one" in res.stderr and "Traceback" not in res.stderr


def test_the_scenario_layer_holds_no_command_code():
    assert not (ROOT / "sim" / "scenario" / "commands.py").exists()
    from sim.commands.scenarios import check, export_schema, run

    assert callable(check) and callable(run) and callable(export_schema)
