"""The shipped validation record (sim/data/validation/reproduced.json) and validate --offline."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from conftest import require_shared
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.validation import Check, run_validation
from sim.validation_record import TABLE, differences, read_table, write_table


@pytest.mark.shared_data
def test_shipped_table_matches_a_fresh_run():
    """CI (data present): the shipped rows are what `tradesim validate` gives now, written by
    this version of tradesim. Regenerate with `tradesim validate --write-table`."""
    fresh = run_validation(require_shared())
    shipped = read_table()
    assert differences(shipped.checks, fresh) == []
    assert shipped.version == sim.__version__
    date.fromisoformat(shipped.date)


def test_every_field_of_every_check_round_trips(tmp_path):
    """Generic in the cases: any Check (a gravity row, an info row without a published
    figure) is written with all its fields and read back equal."""
    checks = [Check("gravity PPML, some new case", "all", "coefficient", 0.5, 0.49, 0.02, "src"),
              Check("CP2015 NAFTA, closure=zero", "Mexico", "welfare_pct (exact, not "
                    "published)", None, 0.01, None, "computed")]
    path = write_table(checks, tmp_path / "r.json", today=date(2026, 1, 2))
    back = read_table(path)
    assert back.checks == checks and back.date == "2026-01-02"
    assert back.label == (f"reproduced by tradesim {'.'.join(sim.__version__.split('.')[:2])} "
                          "on 2026-01-02; rerun with the data to check")
    record = json.loads(path.read_text())
    assert set(record["checks"][0]) == {f.name for f in dataclasses.fields(Check)}


def test_differences_catch_a_changed_row():
    base = read_table().checks
    assert differences(base, base) == []
    moved = [dataclasses.replace(base[0], reproduced=base[0].reproduced + 1e-3), *base[1:]]
    assert "reproduced" in differences(base, moved)[0]
    relabelled = [dataclasses.replace(base[0], published=9.9), *base[1:]]
    assert "published" in differences(base, relabelled)[0]
    assert "rows" in differences(base, base[:-1])[0]


def test_validate_offline_prints_the_shipped_table_with_its_label(tmp_path, monkeypatch):
    """No data needed (run from an empty directory, no TRADESIM_SHARED_DATA)."""
    monkeypatch.delenv("TRADESIM_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["validate", "--offline"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    shipped = read_table()
    assert shipped.label in " ".join(res.output.split())
    assert "CP2015 NAFTA" in res.output and f"{sum(c.passed is True for c in shipped.checks)} passed" in res.output
    plain = CliRunner().invoke(app, ["validate"], env={"COLUMNS": "200"})
    assert plain.exit_code == 2 and "--offline" in plain.output


def test_offline_and_write_table_together_is_an_error():
    res = CliRunner().invoke(app, ["validate", "--offline", "--write-table"])
    assert res.exit_code == 2 and "one or the other" in res.output


def test_shipped_file_is_package_data():
    assert TABLE.is_file() and TABLE.parent.name == "validation"
    with open(TABLE.parents[3] / "pyproject.toml", encoding="utf-8") as f:
        assert '"data/validation/*"' in f.read()


@pytest.mark.parametrize("bad", ["{", '{"checks": [{"case": "x"}]}'])
def test_a_broken_table_is_reported_with_its_path(tmp_path, bad):
    p = tmp_path / "r.json"
    p.write_text(bad)
    with pytest.raises(ValueError, match=str(p)):
        read_table(p)
