"""Scenario files: the library validates; broken files give clear, located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_helpers import ROOT, write

from sim.commands.scenarios import check
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.models import ScenarioSpec

LIBRARY = sorted((ROOT / "scenarios").glob("*.toml"))
HEAD = 'name = "{name}"\nstart = 2015-01-01\nend = 2030-01-01\n'
MEASURE = """
[[events]]
kind = "measure"
name = "m"
actor = "USA"
rate = {rate}
stacking = "add"
effective = 2019-01-01
source = "test source"
"""


def errors(tmp_path: Path, text: str, name: str = "bad") -> str:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write(tmp_path, name, text))
    return str(exc.value)


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_library_file_is_valid(path):
    """Every library scenario validates and names its sources."""
    s = load_scenario(path)
    for e in s.spec.events:
        assert getattr(e, "source", "x") or e.kind == "remove"


def test_check_exit_codes(tmp_path, capsys):
    """check returns 0 for good files and 2 (no traceback) for a broken one."""
    assert check(LIBRARY) == 0
    bad = write(tmp_path, "bad", HEAD.format(name="bad") + MEASURE.format(rate="-0.1"))
    assert check([bad]) == 2
    out = capsys.readouterr().out
    assert "Traceback" not in out and "bad.toml" in out


def test_negative_rate_names_file_line_field_value(tmp_path):
    """A negative rate: file, line, field and value in the message."""
    msg = errors(tmp_path, HEAD.format(name="bad") + MEASURE.format(rate="-0.1"))
    assert "bad.toml:9" in msg and "events[0]" in msg and "rate" in msg and "-0.1" in msg
    assert "'m'" in msg


def test_wrong_type(tmp_path):
    """A string where a number belongs."""
    msg = errors(tmp_path, HEAD.format(name="bad") + MEASURE.format(rate='"lots"'))
    assert "rate" in msg and "'lots'" in msg


def test_unknown_region(tmp_path):
    """An unknown region code is refused with the list of groups."""
    text = HEAD.format(name="bad") + MEASURE.format(rate="0.1").replace('"USA"', '"XXX"')
    msg = errors(tmp_path, text)
    assert "XXX" in msg and "actor" in msg


def test_unknown_key_forbidden(tmp_path):
    """Unknown keys are errors (extra = forbid)."""
    msg = errors(tmp_path, HEAD.format(name="bad") + "colour = 1\n")
    assert "colour" in msg and "Extra inputs" in msg


def test_overlapping_dates(tmp_path):
    """until before effective, and overlapping pauses, are refused."""
    base = HEAD.format(name="bad") + MEASURE.format(rate="0.1")
    msg = errors(tmp_path, base + "until = 2018-01-01\n")
    assert "before effective" in msg
    msg = errors(tmp_path, base + "paused = [{ start = 2019-02-01, until = 2019-06-01 }, "
                 "{ start = 2019-03-01 }]\n")
    assert "overlapping pauses" in msg


def test_unknown_extends_and_cycle(tmp_path):
    """extends of a missing scenario, and extends cycles, are named."""
    msg = errors(tmp_path, 'extends = "nowhere"\n' + HEAD.format(name="bad"))
    assert "unknown scenario 'nowhere'" in msg and "bad.toml:1" in msg
    write(tmp_path, "a", 'extends = "b"\n' + HEAD.format(name="a"))
    write(tmp_path, "b", 'extends = "a"\n' + HEAD.format(name="b"))
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_extends_overrides_and_remove(tmp_path):
    """A child replaces events by name, removes them, and overrides top-level keys."""
    write(tmp_path, "parent", HEAD.format(name="parent") + MEASURE.format(rate="0.1"))
    child = write(tmp_path, "child", 'extends = "parent"\nname = "child"\nend = 2035-01-01\n'
                  + MEASURE.format(rate="0.2"))
    s = load_scenario(child)
    assert s.spec.end.year == 2035 and s.spec.events[0].rate == 0.2
    gone = write(tmp_path, "gone", 'extends = "parent"\nname = "gone"\n'
                 '[[events]]\nkind = "remove"\nname = "m"\n')
    assert load_scenario(gone).spec.events == []
    bad = write(tmp_path, "bad2", 'extends = "parent"\nname = "bad2"\n'
                '[[events]]\nkind = "remove"\nname = "zzz"\n')
    with pytest.raises(ScenarioError, match="zzz"):
        load_scenario(bad)


def test_schema_file_is_current():
    """docs/scenario_schema.json is the exported schema of the models."""
    on_disk = json.loads((ROOT / "docs" / "scenario_schema.json").read_text())
    assert on_disk == json.loads(json.dumps(ScenarioSpec.model_json_schema()))
