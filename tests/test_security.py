"""Security: a crafted results store runs no SQL of its own; scenario references cannot reach
files outside the library, the user's own folder (CLI) or the session's uploads (app)."""

from __future__ import annotations

import json
from pathlib import Path

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


# ----------------------------------------------------------------------------- references
SECRET = 'OPENAI_API_KEY = "sk-SECRET-123"\nname = "x"\n'
HEAD = 'name = "{name}"\nstart = 2020-01-01\nend = 2030-01-01\ncalibrated_to = "self"\n'


def _secret(tmp_path):
    d = tmp_path / "elsewhere" / ".streamlit"
    d.mkdir(parents=True)
    (d / "secrets.toml").write_text(SECRET)
    return d / "secrets.toml"


@pytest.mark.parametrize("ref", ["{abs}", "{abs_noext}", "../elsewhere/.streamlit/secrets",
                                 "~/secrets", "secrets.toml"])
@pytest.mark.parametrize("field", ["extends", "calibrated_to"])
def test_cli_references_are_names_not_paths(tmp_path, ref, field):
    """extends / calibrated_to with a path are refused; the foreign file's values never show."""
    secret = _secret(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    value = ref.format(abs=secret, abs_noext=secret.with_suffix(""))
    f = mine / "s.toml"
    f.write_text(f'{field} = "{value}"\n' + HEAD.format(name="s").replace(
        'calibrated_to = "self"\n', "" if field == "calibrated_to" else 'calibrated_to = "self"\n'))
    for cmd in (["check", str(f)], ["run", str(f), "--out", str(tmp_path / "o")]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2, (cmd, res.output)
        assert "sk-SECRET" not in res.output and "OPENAI" not in res.output
        assert "Traceback" not in res.output
        assert field in res.output


def test_cli_extends_a_sibling_by_name_and_reports_it(tmp_path):
    (tmp_path / "parent.toml").write_text(HEAD.format(name="parent"))
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent"\n' + HEAD.format(name="child"))
    res = runner.invoke(app, ["check", str(child)])
    assert res.exit_code == 0, res.output
    assert "extends: " in res.output and "parent.toml" in res.output
    res = runner.invoke(app, ["check", "tpp12"])
    assert "extends: scenarios/historical.toml" in res.output
    assert "calibrated_to: scenarios/historical.toml" in res.output


def test_app_upload_opens_no_file_outside_the_library(tmp_path, monkeypatch):
    """Uploads resolve references among the session's uploads and the library only; messages
    name only the uploaded file (no server path)."""
    import sim.scenario.loader as loader
    from sim.app.builder import validate_toml
    from sim.scenario.loader import LIBRARY, ScenarioError

    secret = _secret(tmp_path)
    (tmp_path / "sibling.toml").write_text(HEAD.format(name="sibling"))
    monkeypatch.chdir(tmp_path)
    opened = []
    real = loader.read_text

    def spy(path, *a, **k):
        opened.append(path)
        return real(path, *a, **k)

    monkeypatch.setattr(loader, "read_text", spy)
    for ref in (str(secret), str(secret.with_suffix("")), "../elsewhere/.streamlit/secrets",
                "sibling", ".streamlit/secrets"):
        for field in ("extends", "calibrated_to"):
            text = f'{field} = "{ref}"\n' + HEAD.format(name="up").replace(
                'calibrated_to = "self"\n', "" if field == "calibrated_to"
                else 'calibrated_to = "self"\n')
            with pytest.raises(ScenarioError) as exc:
                validate_toml(text, "up.toml")
            msg = str(exc.value)
            assert "sk-SECRET" not in msg and "OPENAI" not in msg
            shown = msg.replace(repr(ref), "")      # the user's own value may be quoted
            assert str(tmp_path) not in shown and str(LIBRARY) not in shown
            assert msg.startswith("up.toml")
    assert all(Path(p).resolve().is_relative_to(LIBRARY) for p in opened), opened
    # a library parent and a same-session upload are fine
    ok = validate_toml('extends = "historical"\nname = "mine"\n', "mine.toml")
    assert ok.name == "mine"
    base = 'extends = "historical"\nname = "my_base"\n'
    child = validate_toml('extends = "my_base"\nname = "child"\n', "child.toml",
                          uploads={"my_base": base})
    assert child.spec.extends == "my_base"
    assert all(Path(p).resolve().is_relative_to(LIBRARY) for p in opened), opened


def test_upload_size_and_nesting_are_bounded():
    from sim.app.builder import validate_toml
    from sim.scenario.loader import ScenarioError

    with pytest.raises(ScenarioError, match="bytes"):
        validate_toml(b"# " + b"x" * (2 * 1024 * 1024), "big.toml")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        validate_toml("a = " + "[" * 5000 + "]" * 5000 + "\n", "deep.toml")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        validate_toml("a = " + "[" * 40 + "]" * 40 + "\n", "deep.toml")
    with pytest.raises(ScenarioError, match="longer than 100 years"):
        validate_toml(HEAD.format(name="long").replace("2030-01-01", "2199-01-01"), "l.toml")
