"""Messages about a scenario that extends another quote the user's own entry and line."""

from __future__ import annotations

import pytest

from sim.app.builder import validate_toml
from sim.scenario.loader import ScenarioError, load_scenario

CHILD = '''name = "my_test"
title = "t"
extends = "historical"

[[events]]
name = "us_extra"
kind = "measure"
actor = "USA"
rate = 0.1
stacking = "add"
effective = 2026-01-01
importers = ["USA"]
source = "test"

[[events]]
name = "x"
kind = "tariff"
'''


def test_cli_message_names_own_index_and_line(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(CHILD)
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    (msg,) = [m for m in err.value.errors if "'x'" in m]
    assert msg.startswith(f"{p}:15: events[1] ('x')"), msg


def test_upload_message_names_own_index_and_line():
    with pytest.raises(ScenarioError) as err:
        validate_toml(CHILD, "upload.toml")
    (msg,) = [m for m in err.value.errors if "'x'" in m]
    assert msg.startswith("upload.toml:15: events[1] ('x')"), msg
    assert "events[2" not in msg  # never the merged index
